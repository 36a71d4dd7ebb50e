package actors

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	sp "github.com/zmb3/spotify/v2"

	"dj/mix"
)

// The playlist tools: read a playlist's items, analyse it (Spotify
// metadata plus Deezer and Last.fm through the shared Enricher), and
// create one.

// playlistOf reads the playlist_id argument, falling back to the
// playlist the message named ("[Playlist ID: …] …").
func (env *toolEnv) playlistOf(id string) (string, error) {
	id = strings.TrimSpace(id)
	if id == "" {
		id = env.playlistID
	}
	if id == "" {
		return "", &toolInputError{field: "playlist_id", problem: "is required (no playlist was selected)"}
	}
	if id = strings.TrimPrefix(id, "spotify:playlist:"); !validSpotifyID(id) {
		return "", &toolInputError{field: "playlist_id", problem: "is not a Spotify playlist id"}
	}
	return id, nil
}

func playlistTracksTool() *toolSpec {
	return &toolSpec{
		name:        "get_playlist_tracks",
		description: "Read a page of a playlist's tracks (names, artists, URIs). Use analyze_playlist first for an overview; page through with offset only when the listener wants names.",
		properties: map[string]any{
			"playlist_id": strProp("Spotify playlist id (defaults to the selected playlist)"),
			"limit":       intProp("tracks per page", 1, 50, 20),
			"offset":      intProp("first track, from 0", 0, 10000, 0),
		},
		required:    []string{"limit", "offset"},
		playlistArg: true,
		run: func(ctx context.Context, env *toolEnv, input json.RawMessage) (any, string, error) {
			var args struct {
				PlaylistID string `json:"playlist_id"`
				Limit      int    `json:"limit"`
				Offset     int    `json:"offset"`
			}
			if err := decodeInput(input, &args); err != nil {
				return nil, "", err
			}
			id, err := env.playlistOf(args.PlaylistID)
			if err != nil {
				return nil, "", err
			}
			if err := toolInt(&args.Limit, 20, 1, 50, "limit"); err != nil {
				return nil, "", err
			}
			if err := toolInt(&args.Offset, 0, 0, 10000, "offset"); err != nil {
				return nil, "", err
			}
			items, err := env.ch.music.PlaylistTracks(ctx, env.userID, id, args.Limit, args.Offset)
			if err != nil {
				return nil, "", err
			}
			tracks := playlistTrackList(items)
			res := map[string]any{
				"tracks": tracks, "total": items.Total, "offset": args.Offset, "limit": args.Limit,
				"has_more": args.Offset+len(items.Items) < items.Total,
			}
			return res, fmt.Sprintf("Loaded %d of %d tracks", len(tracks), items.Total), nil
		},
	}
}

// playlistTrackList keeps the playlist's tracks (episodes and unavailable
// items are null and dropped).
func playlistTrackList(items *PlaylistItems) []toolTrack {
	out := []toolTrack{}
	for _, it := range items.Items {
		if it.Track != nil {
			out = append(out, toolTrackOf(*it.Track))
		}
	}
	return out
}

func createPlaylistTool() *toolSpec {
	return &toolSpec{
		name:        "create_playlist",
		description: "Create a private playlist in the listener's Spotify account with the given track URIs.",
		properties: map[string]any{
			"name":        strProp("playlist name, 1-100 characters"),
			"description": strProp("optional description, up to 300 characters"),
			"track_uris":  strList("spotify:track: URIs to add", 0, 100),
		},
		required: []string{"name", "track_uris"},
		summarize: func(input json.RawMessage, _ *toolEnv) any {
			var args struct {
				Name string   `json:"name"`
				URIs []string `json:"track_uris"`
			}
			_ = json.Unmarshal(input, &args)
			return map[string]any{"name": args.Name, "tracks": len(args.URIs)}
		},
		run: func(ctx context.Context, env *toolEnv, input json.RawMessage) (any, string, error) {
			var args struct {
				Name        string   `json:"name"`
				Description string   `json:"description"`
				URIs        []string `json:"track_uris"`
				Public      bool     `json:"public"`
			}
			if err := decodeInput(input, &args); err != nil {
				return nil, "", err
			}
			args.Name = strings.TrimSpace(args.Name)
			switch {
			case args.Name == "" || len([]rune(args.Name)) > 100:
				return nil, "", &toolInputError{field: "name", problem: "must be 1 to 100 characters"}
			case len([]rune(args.Description)) > 300:
				return nil, "", &toolInputError{field: "description", problem: "must be at most 300 characters"}
			case len(args.URIs) > 100:
				return nil, "", &toolInputError{field: "track_uris", problem: "must hold at most 100 URIs"}
			}
			for i, u := range args.URIs {
				if _, ok := trackIDOf(u); !ok {
					return nil, "", &toolInputError{field: fmt.Sprintf("track_uris[%d]", i), problem: "is not a spotify:track: URI"}
				}
			}
			pl, err := env.ch.music.CreatePlaylist(ctx, env.userID, NewPlaylist{Name: args.Name, Description: args.Description, Public: args.Public})
			if err != nil {
				return nil, "", err
			}
			if len(args.URIs) > 0 {
				if _, err := env.ch.music.ModifyPlaylist(ctx, env.userID, pl.ID, true, args.URIs); err != nil {
					return nil, "", fmt.Errorf("playlist %s created, tracks not added: %w", pl.ID, err)
				}
			}
			res := map[string]any{"id": pl.ID, "name": pl.Name, "uri": pl.URI, "url": pl.ExternalURLs.Spotify,
				"public": pl.Public, "tracks_added": len(args.URIs)}
			return res, fmt.Sprintf("Created %q with %d tracks", pl.Name, len(args.URIs)), nil
		},
	}
}

// playlistAnalysis is analyze_playlist's result (the reference's
// AnalysisResult, anchor-domain §1.5).
type playlistAnalysis struct {
	Name        string               `json:"playlist_name"`
	Description string               `json:"playlist_description"`
	TotalTracks int                  `json:"total_tracks"`
	TrackIDs    []string             `json:"track_ids"`
	Metadata    mix.MetadataAnalysis `json:"metadata_analysis"`
	Deezer      *mix.DeezerAnalysis  `json:"deezer_analysis,omitempty"`
	Lastfm      *mix.LastFmAnalysis  `json:"lastfm_analysis,omitempty"`
	Message     string               `json:"message"`
}

// analysisEnrichShare is the part of the tool's time given to enrichment:
// what is not known by then is left out rather than waited for.
const analysisEnrichShare = 0.6

func analyzePlaylistTool() *toolSpec {
	return &toolSpec{
		name:        "analyze_playlist",
		description: "Analyse a playlist (its first 100 tracks): popularity, duration, explicitness, release years, and, where known, tempo and loudness from Deezer and crowd tags, listeners and similar tracks from Last.fm. Returns a compact summary with the track ids.",
		properties: map[string]any{
			"playlist_id": strProp("Spotify playlist id (defaults to the selected playlist)"),
		},
		playlistArg: true,
		run: func(ctx context.Context, env *toolEnv, input json.RawMessage) (any, string, error) {
			var args struct {
				PlaylistID string `json:"playlist_id"`
			}
			if err := decodeInput(input, &args); err != nil {
				return nil, "", err
			}
			id, err := env.playlistOf(args.PlaylistID)
			if err != nil {
				return nil, "", err
			}
			return env.analyzePlaylist(ctx, id)
		},
	}
}

func (env *toolEnv) analyzePlaylist(ctx context.Context, id string) (any, string, error) {
	meta, err := env.playlistMeta(ctx, id)
	if err != nil {
		return nil, "", err
	}
	items, err := env.ch.music.PlaylistTracks(ctx, env.userID, id, mix.MaxAnalysedTracks, 0)
	if err != nil {
		return nil, "", err
	}
	a := playlistAnalysis{Name: meta.Name, Description: meta.Description, TrackIDs: []string{}}
	var tracks []mix.PlaylistTrack
	var refs []TrackRef
	for _, it := range items.Items {
		t := it.Track
		if t == nil || t.ID == "" {
			continue
		}
		a.TrackIDs = append(a.TrackIDs, t.ID)
		tracks = append(tracks, mix.PlaylistTrack{Popularity: t.Popularity, DurationMs: int64(t.DurationMs), Explicit: t.Explicit, ReleaseDate: t.Album.ReleaseDate})
		artist := "Unknown"
		if len(t.Artists) > 0 {
			artist = t.Artists[0].Name
		}
		refs = append(refs, TrackRef{ID: t.ID, ISRC: t.ExternalIDs.ISRC, Artist: artist, Name: t.Name, DurationMs: t.DurationMs})
	}
	a.TotalTracks = len(tracks)
	// Artist genres would cost one Spotify call per artist (the batch
	// endpoint is gone for new apps): crowd tags stand in for them.
	a.Metadata = mix.AnalyzeMetadata(tracks, nil)
	dz, lf := env.features(ctx, refs)
	a.Deezer = mix.AnalyzeDeezer(dz)
	a.Lastfm = mix.AnalyzeLastFm(lf, 0)
	a.Message = analysisMessage(a.Deezer != nil, a.Lastfm != nil)
	return a, fmt.Sprintf("Analyzed %q (%d tracks)", a.Name, a.TotalTracks), nil
}

// features enriches the tracks within a share of the time left and
// returns what is known by then, Deezer and Last.fm parts apart.
func (env *toolEnv) features(ctx context.Context, refs []TrackRef) ([]mix.DeezerInfo, []mix.LastFmInfo) {
	if env.ch.mixes == nil || len(refs) == 0 {
		return nil, nil
	}
	wait := 5 * time.Second
	if dl, ok := ctx.Deadline(); ok {
		wait = time.Duration(float64(time.Until(dl)) * analysisEnrichShare)
	}
	ectx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	var dz []mix.DeezerInfo
	var lf []mix.LastFmInfo
	_ = env.ch.mixes.features.Enrich(ectx, refs, func(_ string, f mix.Features) {
		if f.HasDeezer() {
			dz = append(dz, f.DeezerInfo())
		}
		if f.HasLastFm() {
			lf = append(lf, f.LastFmInfo())
		}
	})
	return dz, lf
}

func analysisMessage(deezer, lastfm bool) string {
	switch {
	case deezer && lastfm:
		return "Enriched with Deezer (BPM, rank, gain) + Last.fm (tags, popularity). Use track_ids with get_track_details for specific tracks."
	case deezer:
		return "Enriched with Deezer (BPM, rank, gain). Use track_ids with get_track_details for specific tracks."
	case lastfm:
		return "Enriched with Last.fm (tags, popularity). Use track_ids with get_track_details for specific tracks."
	}
	return "No enrichment data available yet. Use get_playlist_tracks for names and get_track_details for specific tracks."
}

// playlistMeta reads the playlist's name and description (one call).
func (env *toolEnv) playlistMeta(ctx context.Context, id string) (*sp.FullPlaylist, error) {
	c, err := env.ch.deps.Login.SpotifyClient(ctx, env.userID)
	if err != nil {
		return nil, err
	}
	var pl *sp.FullPlaylist
	err = env.ch.deps.System.Do(ctx, LaneSpotify, "chat.playlist", func(ctx context.Context) (err error) {
		pl, err = c.Playlist(ctx, id)
		return err
	})
	if err != nil {
		return nil, playlistError(err)
	}
	return pl, nil
}
