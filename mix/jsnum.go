package mix

import (
	"math"
	"strconv"
	"strings"
)

// jsRound is JavaScript's Math.round: halves round towards +∞ (−2.5 → −2),
// unlike math.Round. Every rounding rule in the reference uses it. It
// avoids floor(x+0.5), which turns 0.49999999999999994 into 1.
func jsRound(x float64) float64 {
	f := math.Floor(x)
	if x-f >= 0.5 {
		return f + 1
	}
	return f
}

// clamp bounds x to [lo, hi].
func clamp(x, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, x)) }

// clampInt bounds x to [lo, hi].
func clampInt(x, lo, hi int) int { return max(lo, min(hi, x)) }

// finite reports whether x is neither NaN nor ±Inf.
func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// jsToFixed is JavaScript's Number.prototype.toFixed for |x| < 1e21: it
// rounds the exact binary value, and an exact tie goes away from zero
// (8.25 → "8.3"), where strconv rounds ties to even.
func jsToFixed(x float64, digits int) string {
	if !finite(x) {
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	neg := x < 0
	exact := strconv.FormatFloat(math.Abs(x), 'f', 1100, 64)
	intPart, frac, _ := strings.Cut(exact, ".")
	kept := []byte(intPart + frac[:digits])
	if frac[digits] >= '5' {
		kept = incrementDecimal(kept)
	}
	s := string(kept)
	if digits > 0 {
		cut := len(s) - digits
		s = s[:cut] + "." + s[cut:]
	}
	if neg && strings.Trim(s, "0.") != "" {
		s = "-" + s
	}
	return s
}

// incrementDecimal adds one to a string of decimal digits.
func incrementDecimal(d []byte) []byte {
	for i := len(d) - 1; i >= 0; i-- {
		if d[i] < '9' {
			d[i]++
			return d
		}
		d[i] = '0'
	}
	return append([]byte{'1'}, d...)
}

// roundTo1 is parseFloat(x.toFixed(1)), used for gain averages.
func roundTo1(x float64) float64 {
	v, _ := strconv.ParseFloat(jsToFixed(x, 1), 64)
	return v
}

// formatNum prints a number the way JavaScript's String(n) does for the
// values this package formats (integers without a decimal point).
func formatNum(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// parseLeadingInt is JavaScript's parseInt(s, 10): optional leading
// whitespace and sign, then the longest run of digits. ok is false where
// parseInt would give NaN.
func parseLeadingInt(s string) (n int, ok bool) {
	s = strings.TrimLeft(s, " \t\n\r\v\f")
	sign := 1
	if s != "" && (s[0] == '+' || s[0] == '-') {
		if s[0] == '-' {
			sign = -1
		}
		s = s[1:]
	}
	end := 0
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	if end == 0 {
		return 0, false
	}
	v, err := strconv.Atoi(s[:min(end, 18)]) // longer runs saturate
	if err != nil {
		return 0, false
	}
	return sign * v, true
}

// releaseYear reads the year of a Spotify/Deezer release date
// ("YYYY", "YYYY-MM" or "YYYY-MM-DD") as parseInt(date.split('-')[0]).
func releaseYear(date string) (int, bool) {
	head, _, _ := strings.Cut(date, "-")
	return parseLeadingInt(head)
}

// ptr returns a pointer to a copy of v; handy for optional fields.
func ptr[T any](v T) *T { return &v }

// clonePtr copies the value behind p, keeping nil as nil.
func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	return ptr(*p)
}

// cloneSlice copies a slice, keeping nil as nil.
func cloneSlice[T any](s []T) []T {
	if s == nil {
		return nil
	}
	return append(make([]T, 0, len(s)), s...)
}

// nonNil turns a nil slice into an empty one so JSON shows [] not null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// itoa is strconv.Itoa, short for string building.
func itoa(n int) string { return strconv.Itoa(n) }

// jsExp is e^x computed with the fdlibm algorithm that JavaScript engines
// use. Go's math.Exp has an assembly version on some platforms that can
// differ in the last bit, and the reference vectors are exact.
func jsExp(x float64) float64 {
	const (
		ln2Hi     = 6.93147180369123816490e-01
		ln2Lo     = 1.90821492927058770002e-10
		log2e     = 1.44269504088896338700e+00
		overflow  = 7.09782712893383973096e+02
		underflow = -7.45133219101941108420e+02
		tiny      = 1.0 / (1 << 28)
	)
	switch {
	case math.IsNaN(x) || math.IsInf(x, 1):
		return x
	case math.IsInf(x, -1) || x < underflow:
		return 0
	case x > overflow:
		return math.Inf(1)
	case -tiny < x && x < tiny:
		return 1 + x
	}
	var k int
	if x < 0 {
		k = int(log2e*x - 0.5)
	} else {
		k = int(log2e*x + 0.5)
	}
	hi := x - float64(k)*ln2Hi
	lo := float64(k) * ln2Lo
	return expReduced(hi, lo, k)
}

// expReduced finishes jsExp for x = hi − lo + k·ln2 (fdlibm's polynomial).
func expReduced(hi, lo float64, k int) float64 {
	const (
		p1 = 1.66666666666666657415e-01
		p2 = -2.77777777770155933842e-03
		p3 = 6.61375632143793436117e-05
		p4 = -1.65339022054652515390e-06
		p5 = 4.13813679705723846039e-08
	)
	r := hi - lo
	t := r * r
	c := r - t*(p1+t*(p2+t*(p3+t*(p4+t*p5))))
	y := 1 - ((lo - (r*c)/(2-c)) - hi)
	return math.Ldexp(y, k)
}
