package mix

import (
	"cmp"
	"slices"
)

// Playlist-analysis limits from the reference.
const (
	// MaxAnalysedTracks is how many playlist tracks an analysis reads.
	MaxAnalysedTracks = 100
	// MaxGenreArtists is how many artists' genres an analysis looks up.
	MaxGenreArtists  = 50
	topPlaylistGenre = 10
	topTagCount      = 15
	crowdTagCount    = 10
	similarSeeds     = 3
	similarPerSeed   = 3
	similarListMax   = 10
)

// TagCount is a tag (or genre) and how often it occurred.
type TagCount struct {
	Tag   string `json:"tag"`
	Count int    `json:"count"`
}

// countInOrder counts entries across lists (case-sensitive, repeats within
// one list counted) and sorts by count, ties in first-seen order.
func countInOrder(lists [][]string) []TagCount {
	index := map[string]int{}
	var out []TagCount
	for _, list := range lists {
		for _, t := range list {
			if i, ok := index[t]; ok {
				out[i].Count++
				continue
			}
			index[t] = len(out)
			out = append(out, TagCount{Tag: t, Count: 1})
		}
	}
	slices.SortStableFunc(out, func(a, b TagCount) int { return cmp.Compare(b.Count, a.Count) })
	return nonNil(out)
}

// AggregateTags counts the tags of several tracks and keeps the 15 most
// frequent (Last.fm "crowd tags").
func AggregateTags(tagLists [][]string) []TagCount {
	return firstN(countInOrder(tagLists), topTagCount)
}

// AveragePopularity is the rounded mean listeners and play count over the
// tracks (zeros included; none gives 0, 0).
func AveragePopularity(infos []LastFmInfo) (avgListeners, avgPlaycount int64) {
	if len(infos) == 0 {
		return 0, 0
	}
	var l, p float64
	for _, in := range infos {
		l += float64(in.Listeners)
		p += float64(in.Playcount)
	}
	n := float64(len(infos))
	return int64(jsRound(l / n)), int64(jsRound(p / n))
}

// PlaylistTrack is what metadata analysis reads from a playlist item.
type PlaylistTrack struct {
	Popularity  int    `json:"popularity"`
	DurationMs  int64  `json:"durationMs"`
	Explicit    bool   `json:"explicit"`
	ReleaseDate string `json:"releaseDate"`
}

// YearRange summarises release years.
type YearRange struct {
	Oldest  int `json:"oldest"`
	Newest  int `json:"newest"`
	Average int `json:"average"`
}

// MetadataAnalysis is the Spotify-only part of a playlist analysis.
type MetadataAnalysis struct {
	AvgPopularity      int        `json:"avg_popularity"`
	AvgDurationMs      int64      `json:"avg_duration_ms"`
	AvgDurationMinutes float64    `json:"avg_duration_minutes"`
	ExplicitTracks     int        `json:"explicit_tracks"`
	ExplicitPercentage int        `json:"explicit_percentage"`
	ReleaseYearRange   *YearRange `json:"release_year_range"`
	TopGenres          []TagCount `json:"top_genres"`
	TotalArtists       int        `json:"total_artists"`
}

// AnalyzeMetadata summarises popularity, duration, explicitness and
// release years of the tracks, and the ten commonest genres of the
// artists looked up (artistGenres, one list per artist, each artist
// counted once per genre).
func AnalyzeMetadata(tracks []PlaylistTrack, artistGenres [][]string) MetadataAnalysis {
	tracks = firstN(tracks, MaxAnalysedTracks)
	artistGenres = firstN(artistGenres, MaxGenreArtists)
	m := MetadataAnalysis{TopGenres: firstN(countInOrder(uniqueEach(artistGenres)), topPlaylistGenre), TotalArtists: len(artistGenres)}
	if len(tracks) == 0 {
		return m
	}
	var pop, dur float64
	var years []int
	for _, t := range tracks {
		pop += float64(t.Popularity)
		dur += float64(t.DurationMs)
		if t.Explicit {
			m.ExplicitTracks++
		}
		if y, ok := releaseYear(t.ReleaseDate); ok {
			years = append(years, y)
		}
	}
	n := float64(len(tracks))
	m.AvgPopularity = int(jsRound(pop / n))
	m.AvgDurationMs = int64(jsRound(dur / n))
	m.AvgDurationMinutes = jsRound(dur/n/60000*10) / 10
	m.ExplicitPercentage = int(jsRound(100 * float64(m.ExplicitTracks) / n))
	m.ReleaseYearRange = yearRange(years)
	return m
}

// uniqueEach removes repeats inside each list, so one artist counts a
// genre once.
func uniqueEach(lists [][]string) [][]string {
	out := make([][]string, len(lists))
	for i, l := range lists {
		out[i] = mergeUnique(nil, l)
	}
	return out
}

// yearRange is the min, max and rounded mean year, or nil with no years.
func yearRange(years []int) *YearRange {
	if len(years) == 0 {
		return nil
	}
	sum := 0.0
	for _, y := range years {
		sum += float64(y)
	}
	return &YearRange{Oldest: slices.Min(years), Newest: slices.Max(years), Average: int(jsRound(sum / float64(len(years))))}
}

// Range is a min–max pair.
type Range struct {
	Min float64 `json:"min"`
	Max float64 `json:"max"`
}

// Stat is an average with its range and sample size.
type Stat struct {
	Avg        float64 `json:"avg"`
	Range      Range   `json:"range"`
	SampleSize int     `json:"sample_size"`
}

// DeezerAnalysis is the Deezer part of a playlist analysis.
type DeezerAnalysis struct {
	Source       string `json:"source"`
	TotalChecked int    `json:"total_checked"`
	TracksFound  int    `json:"tracks_found"`
	BPM          *Stat  `json:"bpm,omitempty"`
	Rank         *Stat  `json:"rank,omitempty"`
	Gain         *Stat  `json:"gain,omitempty"`
}

// AnalyzeDeezer summarises tempo (valid BPMs only), rank (> 0) and gain
// over every track checked — cached ones included, which the reference
// left out. It returns nil when Deezer found none of the tracks.
func AnalyzeDeezer(infos []DeezerInfo) *DeezerAnalysis {
	a := &DeezerAnalysis{Source: string(DeezerDirect), TotalChecked: len(infos)}
	var bpms, ranks, gains []float64
	for _, d := range infos {
		if d.Source != "" {
			a.TracksFound++
		}
		if d.BPM != nil && ValidBPM(*d.BPM) {
			bpms = append(bpms, *d.BPM)
		}
		if d.Rank != nil && *d.Rank > 0 {
			ranks = append(ranks, float64(*d.Rank))
		}
		if d.Gain != nil && finite(*d.Gain) {
			gains = append(gains, *d.Gain)
		}
	}
	if a.TracksFound == 0 {
		return nil
	}
	a.BPM = stat(bpms, jsRound)
	a.Rank = stat(ranks, jsRound)
	a.Gain = stat(gains, roundTo1)
	return a
}

// stat averages values with the given rounding; nil for no values.
func stat(values []float64, round func(float64) float64) *Stat {
	if len(values) == 0 {
		return nil
	}
	sum := 0.0
	for _, v := range values {
		sum += v
	}
	return &Stat{
		Avg:        round(sum / float64(len(values))),
		Range:      Range{Min: slices.Min(values), Max: slices.Max(values)},
		SampleSize: len(values),
	}
}

// LastFmAnalysis is the Last.fm part of a playlist analysis.
type LastFmAnalysis struct {
	Source          string     `json:"source"`
	CrowdTags       []TagCount `json:"crowd_tags"`
	AvgListeners    int64      `json:"avg_listeners"`
	AvgPlaycount    int64      `json:"avg_playcount"`
	SimilarTracks   []string   `json:"similar_tracks"`
	SampleSize      int        `json:"sample_size"`
	ArtistsEnriched int        `json:"artists_enriched"`
}

// AnalyzeLastFm summarises crowd tags (top 10), mean popularity and a
// few "Artist - Name" similar tracks (three from each of the first three
// tracks). It returns nil when there is nothing to summarise.
func AnalyzeLastFm(infos []LastFmInfo, artistsEnriched int) *LastFmAnalysis {
	if len(infos) == 0 {
		return nil
	}
	tags := make([][]string, len(infos))
	for i, in := range infos {
		tags[i] = in.Tags
	}
	l, p := AveragePopularity(infos)
	return &LastFmAnalysis{
		Source: "lastfm", CrowdTags: firstN(AggregateTags(tags), crowdTagCount),
		AvgListeners: l, AvgPlaycount: p, SimilarTracks: similarSample(infos),
		SampleSize: len(infos), ArtistsEnriched: artistsEnriched,
	}
}

// similarSample lists distinct "Artist - Name" strings from the first
// tracks' similar lists.
func similarSample(infos []LastFmInfo) []string {
	out := []string{}
	for _, in := range firstN(infos, similarSeeds) {
		for _, s := range firstN(in.Similar, similarPerSeed) {
			name := s.Artist + " - " + s.Name
			if len(out) < similarListMax && !slices.Contains(out, name) {
				out = append(out, name)
			}
		}
	}
	return out
}
