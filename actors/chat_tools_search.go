package actors

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"dj/upstream/spotify"
)

// The catalogue tools: search, recommendations by similar tracks or by
// tags, and track details. Results are compact track objects rather than
// Spotify's full ones (the reference fed whole objects back, markets and
// image sets included): the model needs names, artists and URIs, and
// every token of a tool result is paid again on each later turn.

// toolTrack is a track as tools return it.
type toolTrack struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Artists    string `json:"artists"`
	Album      string `json:"album,omitempty"`
	Released   string `json:"release_date,omitempty"`
	DurationMs int    `json:"duration_ms,omitempty"`
	Popularity int    `json:"popularity"`
	Explicit   bool   `json:"explicit,omitempty"`
	URI        string `json:"uri"`
	// Set by the recommendation tools.
	OriginalQuery string   `json:"original_query,omitempty"`
	MatchedTags   []string `json:"matched_tags,omitempty"`
	Source        string   `json:"source,omitempty"`
}

func toolTrackOf(t Track) toolTrack {
	names := make([]string, len(t.Artists))
	for i, a := range t.Artists {
		names[i] = a.Name
	}
	return toolTrack{
		ID: t.ID, Name: t.Name, Artists: strings.Join(names, ", "), Album: t.Album.Name,
		Released: t.Album.ReleaseDate, DurationMs: t.DurationMs, Popularity: t.Popularity, Explicit: t.Explicit, URI: t.URI,
	}
}

// searchTracks runs one track search for the chat's user.
func (env *toolEnv) searchTracks(ctx context.Context, q string, limit int) ([]toolTrack, error) {
	res, err := env.ch.music.Search(ctx, env.userID, SearchQuery{Query: q, Type: "track", Limit: min(limit, spotify.MaxSearchLimit)})
	if err != nil {
		return nil, err
	}
	out := []toolTrack{}
	if res.Tracks != nil {
		for _, t := range res.Tracks.Items {
			out = append(out, toolTrackOf(t))
		}
	}
	return out, nil
}

func searchTool() *toolSpec {
	return &toolSpec{
		name:        "search_spotify_tracks",
		description: "Search Spotify for tracks. Supports Spotify's filters: artist:, track:, album:, genre:, year:1990-1999. Returns up to 10 tracks with their URIs.",
		properties: map[string]any{
			"query": strProp("search text and filters"),
			"limit": intProp("how many tracks (Spotify returns at most 10)", 1, 50, 10),
		},
		required: []string{"query", "limit"},
		run: func(ctx context.Context, env *toolEnv, input json.RawMessage) (any, string, error) {
			var args struct {
				Query string `json:"query"`
				Limit int    `json:"limit"`
			}
			if err := decodeInput(input, &args); err != nil {
				return nil, "", err
			}
			args.Query = strings.TrimSpace(args.Query)
			if args.Query == "" || len(args.Query) > 250 {
				return nil, "", &toolInputError{field: "query", problem: "must be 1 to 250 characters"}
			}
			if err := toolInt(&args.Limit, 10, 1, 50, "limit"); err != nil {
				return nil, "", err
			}
			tracks, err := env.searchTracks(ctx, args.Query, args.Limit)
			if err != nil {
				return nil, "", err
			}
			return tracks, fmt.Sprintf("Found %d tracks", len(tracks)), nil
		},
	}
}

func similarTool() *toolSpec {
	return &toolSpec{
		name:        "recommend_from_similar",
		description: `Find tracks on Spotify from a list of similar tracks written "Artist - Track" (for example Last.fm's similar tracks from analyze_playlist).`,
		properties: map[string]any{
			"similar_tracks":  strList(`tracks as "Artist - Track"`, 1, 20),
			"limit_per_track": intProp("results per similar track", 1, 5, 1),
		},
		required: []string{"similar_tracks", "limit_per_track"},
		run: func(ctx context.Context, env *toolEnv, input json.RawMessage) (any, string, error) {
			var args struct {
				Similar []string `json:"similar_tracks"`
				Limit   int      `json:"limit_per_track"`
			}
			if err := decodeInput(input, &args); err != nil {
				return nil, "", err
			}
			if len(args.Similar) == 0 || len(args.Similar) > 20 {
				return nil, "", &toolInputError{field: "similar_tracks", problem: "must hold 1 to 20 entries"}
			}
			if err := toolInt(&args.Limit, 1, 1, 5, "limit_per_track"); err != nil {
				return nil, "", err
			}
			found, ok, total := []toolTrack{}, 0, 0
			for _, entry := range args.Similar {
				artist, track, cut := strings.Cut(entry, " - ")
				if !cut || strings.TrimSpace(artist) == "" || strings.TrimSpace(track) == "" {
					continue // the reference skips entries without " - "
				}
				total++
				q := fmt.Sprintf("artist:%s track:%s", quoteTerm(artist), quoteTerm(track))
				tracks, err := env.searchTracks(ctx, q, args.Limit)
				if err != nil {
					if ctx.Err() != nil {
						return nil, "", err
					}
					continue // one failed lookup does not fail the batch
				}
				if len(tracks) > 0 {
					ok++
				}
				for _, t := range tracks {
					t.OriginalQuery, t.Source = entry, "lastfm_similar"
					found = append(found, t)
				}
			}
			res := map[string]any{"tracks": found, "queries_successful": ok, "queries_total": total, "total_found": len(found)}
			return res, fmt.Sprintf("Found %d tracks from %d similar tracks", len(found), ok), nil
		},
	}
}

// genreWords mark a tag as a genre for recommend_from_tags (the
// reference's list).
var genreWords = []string{"rock", "pop", "jazz", "classical", "electronic", "hip-hop", "indie", "disco", "funk", "soul"}

func tagsTool() *toolSpec {
	return &toolSpec{
		name:        "recommend_from_tags",
		description: "Find tracks on Spotify matching crowd tags (genres, moods, eras), for example the crowd_tags of analyze_playlist.",
		properties: map[string]any{
			"tags":  strList("tags such as \"indie\", \"dreamy\", \"80s\"", 1, 5),
			"limit": intProp("how many tracks (Spotify returns at most 10)", 1, 50, 20),
		},
		required: []string{"tags", "limit"},
		run: func(ctx context.Context, env *toolEnv, input json.RawMessage) (any, string, error) {
			var args struct {
				Tags  []string `json:"tags"`
				Limit int      `json:"limit"`
			}
			if err := decodeInput(input, &args); err != nil {
				return nil, "", err
			}
			if len(args.Tags) == 0 || len(args.Tags) > 5 {
				return nil, "", &toolInputError{field: "tags", problem: "must hold 1 to 5 tags"}
			}
			if err := toolInt(&args.Limit, 20, 1, 50, "limit"); err != nil {
				return nil, "", err
			}
			q := tagQuery(args.Tags)
			if q == "" {
				return nil, "", &toolInputError{field: "tags", problem: "must not be blank"}
			}
			tracks, err := env.searchTracks(ctx, q, args.Limit)
			if err != nil {
				return nil, "", err
			}
			for i := range tracks {
				tracks[i].MatchedTags, tracks[i].Source = args.Tags, "tag_based"
			}
			res := map[string]any{"tracks": tracks, "search_query": q, "tags_used": args.Tags, "total_found": len(tracks)}
			return res, fmt.Sprintf("Found %d tracks for %s", len(tracks), strings.Join(args.Tags, ", ")), nil
		},
	}
}

// tagQuery is the reference's query: genre tags as genre:"t" joined by
// OR, then the other tags as free text.
func tagQuery(tags []string) string {
	var genres, other []string
	for _, t := range tags {
		t = strings.TrimSpace(strings.ReplaceAll(t, `"`, ""))
		if t == "" {
			continue
		}
		lt := strings.ToLower(t)
		isGenre := false
		for _, g := range genreWords {
			if strings.Contains(lt, g) {
				isGenre = true
				break
			}
		}
		if isGenre {
			genres = append(genres, `genre:"`+t+`"`)
		} else {
			other = append(other, t)
		}
	}
	q := strings.Join(genres, " OR ")
	if len(other) > 0 {
		q = strings.TrimSpace(q + " " + strings.Join(other, " "))
	}
	return q
}

func trackDetailsTool() *toolSpec {
	return &toolSpec{
		name:        "get_track_details",
		description: "Details of specific tracks by Spotify id or URI: album, release date, duration, popularity, explicitness. Up to 10 per call.",
		properties: map[string]any{
			"track_ids": strList("Spotify track ids or spotify:track: URIs", 1, 10),
		},
		required: []string{"track_ids"},
		run: func(ctx context.Context, env *toolEnv, input json.RawMessage) (any, string, error) {
			var args struct {
				IDs []string `json:"track_ids"`
			}
			if err := decodeInput(input, &args); err != nil {
				return nil, "", err
			}
			if len(args.IDs) == 0 || len(args.IDs) > 10 {
				return nil, "", &toolInputError{field: "track_ids", problem: "must hold 1 to 10 ids"}
			}
			ids := make([]string, len(args.IDs))
			for i, raw := range args.IDs {
				id := strings.TrimPrefix(strings.TrimSpace(raw), "spotify:track:")
				if !validSpotifyID(id) {
					return nil, "", &toolInputError{field: fmt.Sprintf("track_ids[%d]", i), problem: "is not a Spotify track id"}
				}
				ids[i] = id
			}
			c, err := env.ch.deps.Login.SpotifyClient(ctx, env.userID)
			if err != nil {
				return nil, "", err
			}
			out := make([]toolTrack, 0, len(ids))
			for _, id := range ids {
				err := env.ch.deps.System.Do(ctx, LaneSpotify, "chat.track", func(ctx context.Context) error {
					t, err := c.Track(ctx, id)
					if err == nil {
						out = append(out, toolTrackOf(trackOf(t)))
					}
					return err
				})
				if err != nil {
					return nil, "", err
				}
			}
			return map[string]any{"tracks": out}, fmt.Sprintf("Got details for %d tracks", len(out)), nil
		},
	}
}
