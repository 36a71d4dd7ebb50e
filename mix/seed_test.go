package mix

import "testing"

func seedTrack(uri string, pop *int, date string, artists ...string) SeedTrack {
	return SeedTrack{URI: uri, ArtistNames: artists, Popularity: pop, ReleaseDate: date}
}

func TestSeedArtists(t *testing.T) {
	var seed []SeedTrack
	for i := range 8 {
		seed = append(seed, seedTrack("u", nil, "", "A"+itoa(i), "B"+itoa(i%2)))
	}
	got := SeedArtists(seed)
	want := []string{"A0", "B0", "A1", "B1", "A2", "A3", "A4", "A5", "A6", "A7"}
	if !eq(got, want) {
		t.Errorf("got %v", got)
	}
}

func TestSeedVibe(t *testing.T) {
	seed := []SeedTrack{
		seedTrack("u1", ip(80), "1995-05-01", "A"),
		seedTrack("u2", ip(60), "2003", "B"),
		seedTrack("u3", nil, "1899-01-01", "C"), // implausible year ignored
		seedTrack("u4", ip(70), "", "D"),
	}
	genres := [][]string{{"rock", "indie"}, {"indie", "pop"}, {"pop", "indie"}, {"jazz"}, {"soul"}, {"funk"}}
	v, pool := SeedVibe(DefaultVibe(), seed, genres, []float64{0, 120, 128, 100, 300})
	if !eq(v.Genres, []string{"indie", "pop", "rock", "jazz", "soul"}) {
		t.Errorf("genres %v", v.Genres)
	}
	if v.EnergyLevel != 7 || v.Era != (Era{1995, 2003}) || v.BPMRange != (BPMRange{90, 138}) {
		t.Errorf("vibe %+v", v)
	}
	if !eq(pool, []string{"u1", "u4", "u2", "u3"}) {
		t.Errorf("pool %v", pool)
	}
	if v.Validate() != nil {
		t.Error(v.Validate())
	}
}

func TestSeedVibeDefaults(t *testing.T) {
	v, pool := SeedVibe(DefaultVibe(), []SeedTrack{seedTrack("u", nil, "", "A")}, nil, []float64{120, 0})
	want := DefaultVibe()
	if !vibeEqual(v, want) || !eq(pool, []string{"u"}) {
		t.Errorf("vibe %+v pool %v", v, pool)
	}
	low, _ := SeedVibe(DefaultVibe(), []SeedTrack{seedTrack("u", ip(2), "", "A")}, nil, []float64{45, 50, 60})
	if low.EnergyLevel != 1 || low.BPMRange != (BPMRange{35, 70}) {
		t.Errorf("low %+v", low)
	}
}

func TestFallbackPoolCap(t *testing.T) {
	var seed []SeedTrack
	for i := range 15 {
		seed = append(seed, seedTrack("u"+itoa(i), ip(i), "", "A"))
	}
	_, pool := SeedVibe(DefaultVibe(), seed, nil, nil)
	if len(pool) != MaxFallbackPool || pool[0] != "u14" || pool[9] != "u5" {
		t.Errorf("pool %v", pool)
	}
}

func TestSeedVibeSkipsBlankGenres(t *testing.T) {
	v, _ := SeedVibe(DefaultVibe(), nil, [][]string{{"", " ", "rock"}}, nil)
	if !eq(v.Genres, []string{"rock"}) || v.Validate() != nil {
		t.Errorf("genres %q", v.Genres)
	}
}
