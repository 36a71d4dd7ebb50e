package actors

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"dj/mix"
	"dj/upstream/lastfm"
	"dj/upstream/spotify"
)

// Candidate gathering limits.
const (
	similarSeeds      = 3  // latest plays whose similar tracks are used
	maxSimilarLookups = 12 // similar tracks resolved on Spotify per call
	vibeWindows       = 3  // era windows searched per call
	eraWindowParts    = 8  // an era is cut into about this many windows
	searchPage        = spotify.MaxSearchLimit
)

// candidate is a track that may be suggested, with what Spotify said
// about it (for enrichment) and the scoring input built from it.
type candidate struct {
	info trackInfo
	cand mix.Candidate
}

// suggest computes up to want ranked suggestions for the session as snap
// shows it: Last.fm tracks similar to the latest plays (when there are
// plays and Last.fm is available), then Spotify searches by the vibe's
// genres within windows of its era; the candidates are enriched (tempo,
// energy, tags; bounded by enrichWait), filtered and scored by mix.
func (m *Mixes) suggest(ctx context.Context, c *spotify.UserClient, snap *mix.Session, want int, enrichWait time.Duration) []mix.Suggestion {
	if want <= 0 {
		return []mix.Suggestion{}
	}
	known := knownTracks(snap)
	var similar, searched []candidate
	var wg sync.WaitGroup
	wg.Go(func() { similar = m.similarCandidates(ctx, c, snap, want, known) })
	wg.Go(func() { searched = m.vibeCandidates(ctx, c, snap, 2*want, known) })
	wg.Wait()
	searched = slices.DeleteFunc(searched, func(x candidate) bool {
		return slices.ContainsFunc(similar, func(y candidate) bool { return y.info.id == x.info.id })
	})
	all := append(similar, searched...)
	m.enrichCandidates(ctx, all, enrichWait)
	bySimilarity := snap.Suggest(plain(all[:len(similar)]), mix.SourceSimilar, want)
	byVibe := snap.Suggest(plain(all[len(similar):]), mix.SourceAI, len(searched))
	return mergeSuggestions(want, bySimilarity, byVibe)
}

// similarCandidates resolves the Last.fm tracks most similar to the
// latest plays on Spotify. known is only read (vibeCandidates reads it
// at the same time).
func (m *Mixes) similarCandidates(ctx context.Context, c *spotify.UserClient, snap *mix.Session, want int, known map[string]bool) []candidate {
	seeds := snap.RecentTracks(similarSeeds)
	if len(seeds) == 0 {
		return nil
	}
	lists := make([][]mix.SimilarTrack, len(seeds))
	var wg sync.WaitGroup
	for i, p := range seeds {
		wg.Go(func() { lists[i] = m.similarTo(ctx, p) })
	}
	wg.Wait()
	merged := mix.MergeSimilar(lists...)
	merged = merged[:min(len(merged), mix.SimilarSearchLimit(want), maxSimilarLookups)]
	found := make([]*trackInfo, len(merged))
	for i, s := range merged {
		wg.Go(func() {
			q := "track:" + quoteTerm(s.Name) + " artist:" + quoteTerm(s.Artist)
			if hits, err := m.searchTracks(ctx, c, q, 1); err == nil && len(hits) > 0 {
				found[i] = &hits[0]
			}
		})
	}
	wg.Wait()
	var out []candidate
	seen := map[string]bool{}
	for _, t := range found {
		if t != nil && !known[t.id] && !known[t.uri] && !seen[t.id] {
			seen[t.id] = true
			out = append(out, candidate{info: *t, cand: t.candidate("", nil)})
		}
	}
	return out
}

// similarTo is the Last.fm similar-track list of a played track: from
// enrichment (cached), or straight from Last.fm when no Enricher is wired.
func (m *Mixes) similarTo(ctx context.Context, p mix.PlayedTrack) []mix.SimilarTrack {
	f, err := m.features.Features(ctx, TrackRef{ID: p.TrackID, Artist: p.Artist, Name: p.Name})
	if err == nil && len(f.Similar) > 0 {
		return f.Similar
	}
	lf := m.deps.Upstreams.Lastfm
	if _, none := m.features.(noFeatures); !none || lf == nil {
		return nil
	}
	var sim []lastfm.SimilarTrack
	err = m.sys.Do(ctx, LaneLastfm, "mix.similar", func(ctx context.Context) (err error) {
		sim, err = lf.TrackSimilar(ctx, p.Artist, p.Name, mix.MaxSimilar)
		return err
	})
	if err != nil {
		return nil
	}
	out := make([]mix.SimilarTrack, 0, len(sim))
	for _, s := range sim {
		out = append(out, mix.SimilarTrack{Artist: s.Artist, Name: s.Name, Match: s.Match})
	}
	return out
}

// vibeCandidates searches Spotify by the vibe's genres within windows of
// its era, then over the whole era, and keeps up to limit tracks not yet
// queued or played.
func (m *Mixes) vibeCandidates(ctx context.Context, c *spotify.UserClient, snap *mix.Session, limit int, known map[string]bool) []candidate {
	queries := vibeQueries(snap.Vibe, len(snap.History)+len(snap.Queue))
	results := make([][]trackInfo, len(queries))
	var wg sync.WaitGroup
	for i, q := range queries {
		wg.Go(func() {
			hits, err := m.searchTracks(ctx, c, q.text, searchPage)
			if err != nil {
				m.log.DebugContext(ctx, "mix vibe search failed", "request_id", RequestID(ctx), "err", err)
			}
			results[i] = hits
		})
	}
	wg.Wait()
	seen := map[string]bool{}
	var out []candidate
	for i, hits := range results {
		for _, t := range hits {
			if len(out) == limit {
				return out
			}
			if known[t.id] || known[t.uri] || seen[t.id] {
				continue
			}
			seen[t.id] = true
			out = append(out, candidate{info: t, cand: t.candidate(queries[i].reason, queries[i].genres)})
		}
	}
	return out
}

// vibeQuery is one catalog search and what a hit from it says.
type vibeQuery struct {
	text   string
	reason string
	genres []string
}

// vibeQueries are the searches for a vibe: genre and era window pairs,
// starting at a window that moves with turn (so successive fills look at
// different years), then the whole era.
func vibeQueries(v mix.Vibe, turn int) []vibeQuery {
	windows := eraWindows(v.Era)
	genre := func(i int) string {
		if len(v.Genres) == 0 {
			return ""
		}
		return strings.ToLower(strings.TrimSpace(v.Genres[i%len(v.Genres)]))
	}
	make1 := func(g string, from, to int) vibeQuery {
		years := fmt.Sprintf("year:%d-%d", from, to)
		if g == "" {
			return vibeQuery{text: years, reason: fmt.Sprintf("From %d-%d, inside your era", from, to)}
		}
		return vibeQuery{
			text:   "genre:" + quoteTerm(g) + " " + years,
			reason: fmt.Sprintf("Fits your %s vibe (%d-%d)", g, from, to),
			genres: []string{g},
		}
	}
	var out []vibeQuery
	for i := range min(vibeWindows, len(windows)) {
		w := windows[(turn+i)%len(windows)]
		out = append(out, make1(genre(turn+i), w.Start, w.End))
	}
	return append(out, make1(genre(turn), v.Era.Start, v.Era.End))
}

// eraWindows cuts an era into about eraWindowParts spans of whole years.
func eraWindows(e mix.Era) []mix.Era {
	span := e.End - e.Start + 1
	size := max(1, (span+eraWindowParts-1)/eraWindowParts)
	var out []mix.Era
	for y := e.Start; y <= e.End; y += size {
		out = append(out, mix.Era{Start: y, End: min(e.End, y+size-1)})
	}
	return out
}

// enrichCandidates adds tempo, energy, tags and release date to the
// candidates, waiting at most wait; what is not known by then stays
// unknown (scored neutral).
func (m *Mixes) enrichCandidates(ctx context.Context, cands []candidate, wait time.Duration) {
	if len(cands) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	refs := make([]TrackRef, len(cands))
	index := make(map[string]int, len(cands))
	for i, x := range cands {
		refs[i] = x.info.ref()
		index[x.info.id] = i
	}
	_ = m.features.Enrich(ctx, refs, func(id string, f mix.Features) {
		i, ok := index[id]
		if !ok {
			return
		}
		c := &cands[i].cand
		c.BPM, c.Energy = f.BPM, f.Energy
		c.Genres = append(c.Genres, f.Tags...)
		if c.ReleaseDate == "" {
			c.ReleaseDate = f.ReleaseDate
		}
	})
}

// plain lists the scoring inputs of candidates.
func plain(cands []candidate) []mix.Candidate {
	out := make([]mix.Candidate, len(cands))
	for i, c := range cands {
		out[i] = c.cand
	}
	return out
}

// mergeSuggestions ranks several suggestion lists together (best score
// first, earlier lists first among equals), each track once, and keeps
// want.
func mergeSuggestions(want int, lists ...[]mix.Suggestion) []mix.Suggestion {
	var all []mix.Suggestion
	for _, l := range lists {
		all = append(all, l...)
	}
	slices.SortStableFunc(all, func(a, b mix.Suggestion) int { return cmp.Compare(b.VibeScore, a.VibeScore) })
	seen := map[string]bool{}
	out := make([]mix.Suggestion, 0, min(want, len(all)))
	for _, s := range all {
		if len(out) == want {
			break
		}
		if !seen[s.TrackURI] {
			seen[s.TrackURI] = true
			out = append(out, s)
		}
	}
	return out
}

// knownTracks is the set of ids and URIs already queued or played.
func knownTracks(s *mix.Session) map[string]bool {
	known := map[string]bool{}
	for _, q := range s.Queue {
		known[q.TrackID], known[q.TrackURI] = true, true
	}
	for _, h := range s.History {
		known[h.TrackID], known[h.TrackURI] = true, true
	}
	return known
}
