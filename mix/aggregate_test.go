package mix

import (
	"encoding/json"
	"strings"
	"testing"
)

func tagsOf(counts []TagCount) (tags []string, n []int) {
	for _, c := range counts {
		tags = append(tags, c.Tag)
		n = append(n, c.Count)
	}
	return tags, n
}

// §5.6 #13–20.
func TestAggregateTags(t *testing.T) {
	many := make([]string, 20)
	for i := range many {
		many[i] = "tag" + itoa(i)
	}
	for _, c := range []struct {
		name   string
		in     [][]string
		tags   []string
		counts []int
	}{
		{"#13", [][]string{{"rock", "classic rock", "70s"}, {"rock", "alternative", "90s"}},
			[]string{"rock", "classic rock", "70s", "alternative", "90s"}, []int{2, 1, 1, 1, 1}},
		{"#14", [][]string{{"indie", "indie rock"}, {"indie", "alternative"}, {"indie", "indie rock"}},
			[]string{"indie", "indie rock", "alternative"}, []int{3, 2, 1}},
		{"#15", [][]string{{"pop", "dance"}, {"pop", "electronic"}, {"pop", "dance", "electronic"}},
			[]string{"pop", "dance", "electronic"}, []int{3, 2, 2}},
		{"#16", [][]string{many}, many[:15], []int{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}},
		{"#17", [][]string{{}, nil}, nil, nil},
		{"#18 case-sensitive", [][]string{{"Rock", "rock", "ROCK"}}, []string{"Rock", "rock", "ROCK"}, []int{1, 1, 1}},
		{"#19", [][]string{{"rock"}, {}}, []string{"rock"}, []int{1}},
		{"#20", [][]string{{"a", "b"}, {"a"}}, []string{"a", "b"}, []int{2, 1}},
	} {
		got := AggregateTags(c.in)
		tags, counts := tagsOf(got)
		if !eq(tags, c.tags) || !eq(counts, c.counts) || got == nil {
			t.Errorf("%s: got %v", c.name, got)
		}
	}
}

// §5.6 #21–25.
func TestAveragePopularity(t *testing.T) {
	lf := func(l, p int64) LastFmInfo { return LastFmInfo{Listeners: l, Playcount: p} }
	for _, c := range []struct {
		name string
		in   []LastFmInfo
		l, p int64
	}{
		{"#21", []LastFmInfo{lf(10000, 0), lf(20000, 0), lf(30000, 0)}, 20000, 0},
		{"#22", []LastFmInfo{lf(0, 50000), lf(0, 100000)}, 0, 75000},
		{"#23", nil, 0, 0},
		{"#24", []LastFmInfo{lf(10001, 50001), lf(10002, 50002)}, 10002, 50002},
		{"#25", []LastFmInfo{lf(10000, 50000), lf(0, 0)}, 5000, 25000},
	} {
		if l, p := AveragePopularity(c.in); l != c.l || p != c.p {
			t.Errorf("%s: got %d/%d", c.name, l, p)
		}
	}
}

func TestAnalyzeMetadata(t *testing.T) {
	tracks := []PlaylistTrack{
		{Popularity: 50, DurationMs: 200000, Explicit: true, ReleaseDate: "1999-01-01"},
		{Popularity: 61, DurationMs: 215000, ReleaseDate: "2005"},
		{Popularity: 70, DurationMs: 190000, ReleaseDate: ""},
	}
	genres := [][]string{{"rock", "rock", "indie"}, {"indie"}, {"pop"}}
	m := AnalyzeMetadata(tracks, genres)
	want := MetadataAnalysis{
		AvgPopularity: 60, AvgDurationMs: 201667, AvgDurationMinutes: 3.4, ExplicitTracks: 1, ExplicitPercentage: 33,
		ReleaseYearRange: &YearRange{Oldest: 1999, Newest: 2005, Average: 2002},
		TopGenres:        []TagCount{{"indie", 2}, {"rock", 1}, {"pop", 1}}, TotalArtists: 3,
	}
	g, _ := json.Marshal(m)
	w, _ := json.Marshal(want)
	if string(g) != string(w) {
		t.Errorf("got  %s\nwant %s", g, w)
	}
	empty := AnalyzeMetadata(nil, nil)
	if empty.ReleaseYearRange != nil || empty.AvgPopularity != 0 || empty.TopGenres == nil {
		t.Errorf("empty %+v", empty)
	}
}

func TestAnalyzeDeezer(t *testing.T) {
	infos := []DeezerInfo{
		{BPM: fp(120), Gain: fp(-8.2), Rank: i64(500000), Source: DeezerDirect},
		{BPM: fp(0), Gain: fp(-8.3), Rank: i64(0), Source: DeezerDirect}, // Deezer's "no analysis"
		{BPM: fp(131), Gain: nil, Rank: i64(250001), Source: DeezerViaMusicBrainz},
		{}, // not found
	}
	a := AnalyzeDeezer(infos)
	if a == nil || a.TotalChecked != 4 || a.TracksFound != 3 || a.Source != "deezer" {
		t.Fatalf("got %+v", a)
	}
	if *a.BPM != (Stat{Avg: 126, Range: Range{120, 131}, SampleSize: 2}) {
		t.Errorf("bpm %+v", *a.BPM)
	}
	if *a.Rank != (Stat{Avg: 375001, Range: Range{250001, 500000}, SampleSize: 2}) {
		t.Errorf("rank %+v", *a.Rank)
	}
	// mean −8.25 rounds away from zero like toFixed(1).
	if *a.Gain != (Stat{Avg: -8.3, Range: Range{-8.3, -8.2}, SampleSize: 2}) {
		t.Errorf("gain %+v", *a.Gain)
	}
	if AnalyzeDeezer([]DeezerInfo{{}, {}}) != nil || AnalyzeDeezer(nil) != nil {
		t.Error("nothing found should give nil")
	}
	onlyFound := AnalyzeDeezer([]DeezerInfo{{Source: DeezerDirect}})
	b, _ := json.Marshal(onlyFound)
	if strings.Contains(string(b), "bpm") {
		t.Errorf("empty blocks serialised: %s", b)
	}
}

func TestAnalyzeLastFm(t *testing.T) {
	sim := func(n int, prefix string) []SimilarTrack {
		var s []SimilarTrack
		for i := range n {
			s = append(s, SimilarTrack{Artist: prefix, Name: "S" + itoa(i), Match: 0.5})
		}
		return s
	}
	infos := []LastFmInfo{
		{Listeners: 100, Playcount: 1000, Tags: []string{"rock", "indie"}, Similar: sim(5, "A")},
		{Listeners: 300, Playcount: 3000, Tags: []string{"rock"}, Similar: append(sim(1, "A"), sim(2, "B")...)},
		{Tags: []string{"pop"}, Similar: sim(3, "C")},
		{Similar: sim(3, "D")},
	}
	a := AnalyzeLastFm(infos, 2)
	wantSimilar := []string{"A - S0", "A - S1", "A - S2", "B - S0", "B - S1", "C - S0", "C - S1", "C - S2"}
	tags, counts := tagsOf(a.CrowdTags)
	if a.AvgListeners != 100 || a.AvgPlaycount != 1000 || a.SampleSize != 4 || a.ArtistsEnriched != 2 || a.Source != "lastfm" ||
		!eq(tags, []string{"rock", "indie", "pop"}) || !eq(counts, []int{2, 1, 1}) || !eq(a.SimilarTracks, wantSimilar) {
		t.Errorf("got %+v", a)
	}
	if AnalyzeLastFm(nil, 0) != nil {
		t.Error("no signals should give nil")
	}
}
