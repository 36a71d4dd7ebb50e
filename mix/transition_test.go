package mix

import "testing"

// profile is the reference builder default with overrides applied by f.
func profile(f func(*TrackProfile)) TrackProfile {
	p := TrackProfile{Artist: "Test Artist", BPM: fp(120), Energy: fp(0.7), Name: "Test Track", ReleaseYear: ip(2020), Tags: []string{"electronic", "dance"}}
	if f != nil {
		f(&p)
	}
	return p
}

// §5.1 #1–6 and the extra points: exact values of the reference.
func TestBPMCompatibility(t *testing.T) {
	for _, c := range []struct {
		a, b *float64
		want float64
	}{
		{fp(120), fp(120), 1},
		{fp(120), fp(125), 1}, {fp(120), fp(130), 1}, {fp(120), fp(110), 1},
		{fp(120), fp(135), 0.9459594689067654},
		{fp(80), fp(140), 0.0038659201394728076},
		{nil, fp(120), 0.5}, {fp(120), nil, 0.5}, {nil, nil, 0.5},
		{fp(100), fp(130), 0.41111229050718745}, {fp(130), fp(100), 0.41111229050718745},
		{fp(120), fp(155), 0.24935220877729622},
		{fp(115), fp(160), 0.06572852861653047},
		{fp(0), fp(8), 1}, // 0 is a real tempo here
	} {
		if got := BPMCompatibility(c.a, c.b); got != c.want {
			t.Errorf("BPMCompatibility(%v,%v) = %v, want %v", deref(c.a), deref(c.b), got, c.want)
		}
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// §5.1 #7–10 and extras.
func TestEnergyFlow(t *testing.T) {
	for _, c := range []struct{ e, target, want float64 }{
		{0.8, 0.8, 1}, {0.7, 0.8, 1}, {0.9, 0.8, 1},
		{0.3, 0.8, 0.37531109885139957},
		{0.0, 1.0, 0.0030887154082367718},
		{0.9, 0.3, 0.19789869908361457},
		{0.7, 0.5, 0.9801986733067554},
	} {
		if got := EnergyFlow(c.e, c.target); got != c.want {
			t.Errorf("EnergyFlow(%v,%v) = %v, want %v", c.e, c.target, got, c.want)
		}
	}
}

// §5.1 #11–15.
func TestGenreBridge(t *testing.T) {
	for _, c := range []struct {
		a, b []string
		want float64
	}{
		{[]string{"rock", "indie"}, []string{"rock", "indie"}, 1},
		{[]string{"rock", "indie", "pop"}, []string{"rock", "electronic"}, 0.25},
		{[]string{"rock", "metal"}, []string{"jazz", "classical"}, 0},
		{nil, []string{"rock"}, 0.5}, {[]string{"rock"}, nil, 0.5}, {nil, nil, 0.5},
		{[]string{"Rock", "INDIE"}, []string{"rock", "indie"}, 1},
	} {
		if got := GenreBridge(c.a, c.b); got != c.want {
			t.Errorf("GenreBridge(%v,%v) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

// §5.1 #16–20.
func TestArtistDiversity(t *testing.T) {
	ab := []string{"Artist A", "Artist B"}
	six := []string{"A1", "A2", "A3", "A4", "A5", "A6"}
	for _, c := range []struct {
		artist string
		recent []string
		want   float64
	}{
		{"New Artist", ab, 1}, {"Artist A", ab, 0}, {"artist a", ab, 0}, {" Artist A ", ab, 0},
		{"A1", six, 1}, // only the last five count
		{"A6", six, 0},
		{"Anyone", nil, 1},
	} {
		if got := ArtistDiversity(c.artist, c.recent); got != c.want {
			t.Errorf("ArtistDiversity(%q,%v) = %v, want %v", c.artist, c.recent, got, c.want)
		}
	}
}

// §5.1 #21–25 and extras. The reference bucketed years by decade
// (§6 #20); we score the year gap linearly, which keeps its values at
// 20/30/40 years apart and fixes the rest.
func TestEraProximity(t *testing.T) {
	for _, c := range []struct {
		a, b *int
		want float64
		ref  string
	}{
		{ip(2021), ip(2025), 0.92, "1 (same decade bucket)"},
		{ip(2019), ip(2021), 0.96, "0.5 (adjacent bucket)"},
		{ip(1980), ip(2020), 0.2, "0.19999999999999996"},
		{nil, ip(2020), 0.5, "0.5"}, {ip(2020), nil, 0.5, "0.5"},
		{ip(1990), ip(2020), 0.4, "0.3999999999999999"}, {ip(2020), ip(1990), 0.4, "0.3999999999999999"},
		{ip(2000), ip(2020), 0.6, "0.6"},
		{ip(1960), ip(2024), 0, "0"},
		{ip(2020), ip(2020), 1, "1"},
	} {
		if got := EraProximity(c.a, c.b); !near(got, c.want) {
			t.Errorf("EraProximity(%d,%d) = %v, want %v (reference %s)", *orZero(c.a), *orZero(c.b), got, c.want, c.ref)
		}
	}
}

func orZero(p *int) *int {
	if p == nil {
		return ip(0)
	}
	return p
}

// Era proximity must never rise as years drift apart (the reference did).
func TestEraProximityMonotonic(t *testing.T) {
	prev := 2.0
	for gap := 0; gap <= 80; gap++ {
		s := EraProximity(ip(2000), ip(2000+gap))
		if s > prev || s < 0 || s > 1 {
			t.Fatalf("gap %d: %v after %v", gap, s, prev)
		}
		prev = s
	}
}

// §5.1 #26–28.
func TestTransitionScore(t *testing.T) {
	t.Run("smooth", func(t *testing.T) {
		from := profile(func(p *TrackProfile) { p.Artist = "A"; p.Tags = []string{"electronic"} })
		to := profile(func(p *TrackProfile) {
			p.Artist, p.BPM, p.Energy, p.ReleaseYear = "B", fp(122), fp(0.8), ip(2021)
		})
		s := TransitionScore(from, to, 0.8, []string{"C", "D"})
		// Reference: era 1 and overall 0.9; one year apart now scores 0.98.
		want := Score{BPM: 1, Energy: 1, Genre: 0.5, Artist: 1, Era: 0.98, Overall: 0.898}
		if !scoreNear(s, want) || s.Overall <= 0.8 {
			t.Errorf("got %+v, want %+v", s, want)
		}
	})
	t.Run("clash", func(t *testing.T) {
		from := TrackProfile{Artist: "A", BPM: fp(80), Energy: fp(0.3), ReleaseYear: ip(1960), Tags: []string{"jazz"}}
		to := TrackProfile{Artist: "A", BPM: fp(170), Energy: fp(0.9), ReleaseYear: ip(2024), Tags: []string{"metal", "hardcore"}}
		s := TransitionScore(from, to, 0.3, []string{"A"})
		want := Score{BPM: 6.658361469857315e-7, Energy: 0.19789869908361457, Overall: 0.04947487452174774}
		if s != want {
			t.Errorf("got %+v, want %+v", s, want)
		}
	})
	t.Run("identical", func(t *testing.T) {
		s := TransitionScore(profile(nil), profile(func(p *TrackProfile) { p.Artist = "Different" }), 0.8, nil)
		if s != (Score{1, 1, 1, 1, 1, 1}) {
			t.Errorf("got %+v", s)
		}
	})
	t.Run("unknown energy is neutral", func(t *testing.T) {
		s := TransitionScore(profile(nil), profile(func(p *TrackProfile) { p.Energy = nil }), 0.8, nil)
		if s.Energy != 0.5 {
			t.Errorf("energy = %v", s.Energy)
		}
	})
}

func scoreNear(a, b Score) bool {
	return near(a.BPM, b.BPM) && near(a.Energy, b.Energy) && near(a.Genre, b.Genre) &&
		near(a.Artist, b.Artist) && near(a.Era, b.Era) && near(a.Overall, b.Overall)
}

// Property: every component and the total stay in [0,1] across a grid.
func TestTransitionScoreBounds(t *testing.T) {
	bpms := []*float64{nil, fp(0), fp(60), fp(120), fp(220)}
	energies := []*float64{nil, fp(0), fp(0.5), fp(1)}
	years := []*int{nil, ip(1900), ip(1999), ip(2100)}
	tags := [][]string{nil, {"rock"}, {"rock", "pop"}}
	for _, b1 := range bpms {
		for _, b2 := range bpms {
			for _, e := range energies {
				for _, y := range years {
					for _, tg := range tags {
						from := TrackProfile{Artist: "X", BPM: b1, ReleaseYear: ip(2000), Tags: []string{"rock"}}
						to := TrackProfile{Artist: "Y", BPM: b2, Energy: e, ReleaseYear: y, Tags: tg}
						s := TransitionScore(from, to, 0.6, []string{"Y"})
						for _, v := range []float64{s.BPM, s.Energy, s.Genre, s.Artist, s.Era, s.Overall} {
							if v < 0 || v > 1 {
								t.Fatalf("out of range: %+v", s)
							}
						}
					}
				}
			}
		}
	}
}
