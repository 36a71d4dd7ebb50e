package dashboard

import (
	dto "github.com/prometheus/client_model/go"
)

// families is one gather of the registry, by family name.
type families map[string]*dto.MetricFamily

func indexFamilies(mfs []*dto.MetricFamily) families {
	f := make(families, len(mfs))
	for _, mf := range mfs {
		f[mf.GetName()] = mf
	}
	return f
}

// value is a gauge's, counter's or untyped metric's value.
func value(m *dto.Metric) float64 {
	switch {
	case m.GetGauge() != nil:
		return m.GetGauge().GetValue()
	case m.GetCounter() != nil:
		return m.GetCounter().GetValue()
	case m.GetUntyped() != nil:
		return m.GetUntyped().GetValue()
	}
	return 0
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

// scalar is the sum of a family's series (its only value, for a family
// without labels); 0 when the family is absent.
func (f families) scalar(name string) float64 {
	var sum float64
	for _, m := range f[name].GetMetric() {
		sum += value(m)
	}
	return sum
}

// by sums a family's series grouped by one label.
func (f families) by(name, key string) map[string]float64 {
	out := map[string]float64{}
	for _, m := range f[name].GetMetric() {
		out[label(m, key)] += value(m)
	}
	return out
}

// by2 sums a family's series grouped by two labels: out[a][b].
func (f families) by2(name, a, b string) map[string]map[string]float64 {
	out := map[string]map[string]float64{}
	for _, m := range f[name].GetMetric() {
		ka := label(m, a)
		if out[ka] == nil {
			out[ka] = map[string]float64{}
		}
		out[ka][label(m, b)] += value(m)
	}
	return out
}

// histograms merges a histogram family's series grouped by one label
// (key "" merges them all under "").
func (f families) histograms(name, key string) map[string]*histogram {
	out := map[string]*histogram{}
	for _, m := range f[name].GetMetric() {
		k := ""
		if key != "" {
			k = label(m, key)
		}
		h := out[k]
		if h == nil {
			h = newHistogram()
			out[k] = h
		}
		h.add(m.GetHistogram())
	}
	return out
}
