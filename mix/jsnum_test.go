package mix

import "testing"

func TestJSRound(t *testing.T) {
	for _, c := range []struct{ in, want float64 }{
		{2.5, 3}, {-2.5, -2}, {0.49999999999999994, 0}, {5.4, 5}, {5.5, 6}, {-0.5, 0},
	} {
		if got := jsRound(c.in); got != c.want {
			t.Errorf("jsRound(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestJSToFixed(t *testing.T) {
	for _, c := range []struct {
		in   float64
		d    int
		want string
	}{
		{8.25, 1, "8.3"}, {-8.25, 1, "-8.3"}, {0.125, 2, "0.13"}, {1.005, 2, "1.00"},
		{1, 2, "1.00"}, {0.9958, 2, "1.00"}, {nan(), 1, "NaN"}, {-0.04, 1, "0.0"}, {99.95, 1, "100.0"}, {-8.5, 1, "-8.5"},
	} {
		if got := jsToFixed(c.in, c.d); got != c.want {
			t.Errorf("jsToFixed(%v, %d) = %q, want %q", c.in, c.d, got, c.want)
		}
	}
}

func TestParseLeadingInt(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int
		ok   bool
	}{
		{"2015", 2015, true}, {"2015-06-15", 2015, true}, {" 1999x", 1999, true}, {"-12", -12, true},
		{"", 0, false}, {"abc", 0, false}, {"-", 0, false},
	} {
		got, ok := parseLeadingInt(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("parseLeadingInt(%q) = %d,%v, want %d,%v", c.in, got, ok, c.want, c.ok)
		}
	}
	if y, ok := releaseYear("2015-06-15"); !ok || y != 2015 {
		t.Errorf("releaseYear = %d,%v", y, ok)
	}
}

func TestJSExpMatchesFdlibm(t *testing.T) {
	// Values V8 (fdlibm) produces; math.Exp on amd64 gives
	// 0.9459594689067655 for the first.
	for _, c := range []struct{ in, want float64 }{
		{-25.0 / 450, 0.9459594689067654},
		{0, 1},
		{-0.5, 0.6065306597126334},
		{1, 2.718281828459045},
	} {
		if got := jsExp(c.in); got != c.want {
			t.Errorf("jsExp(%v) = %v, want %v", c.in, got, c.want)
		}
	}
	if jsExp(-1000) != 0 {
		t.Error("underflow should give 0")
	}
}
