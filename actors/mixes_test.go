package actors

import (
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"dj/mix"

	"github.com/stretchr/testify/require"
)

func TestStartSeedsVibeAndFillsQueue(t *testing.T) {
	env := newMixEnv(t, mixOpts{})
	env.signIn(t, "alice")
	u, _ := env.srv.Catalog().UserByID("alice")
	pl := u.Playlists[0] // "Best of <genre>"
	genre := strings.TrimPrefix(pl.Name, "Best of ")

	s, err := env.m.Start(testCtx("start"), "alice", StartRequest{SeedPlaylistID: pl.ID})
	require.NoError(t, err)
	require.Contains(t, s.Vibe.Genres, genre, "seed genres come from the playlist's artists")
	require.Len(t, s.FallbackPool, mix.MaxFallbackPool)
	require.Len(t, s.Queue, mix.TargetQueueSize, "start fills the queue to the target")
	seen := map[string]bool{}
	for i, q := range s.Queue {
		require.Equal(t, i, q.Position)
		require.Equal(t, mix.AddedByAI, q.AddedBy)
		require.NotEmpty(t, q.Reason)
		require.False(t, seen[q.TrackURI], "duplicate %s", q.TrackURI)
		seen[q.TrackURI] = true
	}
	require.Equal(t, s.ID, env.stored(t, "alice").ID)

	// An unknown playlist is refused and starts nothing.
	env.signIn(t, "bob")
	_, err = env.m.Start(testCtx("bad"), "bob", StartRequest{SeedPlaylistID: "0000000000000000000000"})
	require.ErrorIs(t, err, ErrUpstreamNotFound)
	require.Nil(t, env.stored(t, "bob"))
}

func TestSteerByPresetByAIAndWithoutAI(t *testing.T) {
	env := newMixEnv(t, mixOpts{})
	env.signIn(t, "alice")
	s, err := env.m.Start(testCtx("start"), "alice", StartRequest{Preferences: noFill()})
	require.NoError(t, err)

	res, err := env.m.Steer(testCtx("preset"), "alice", "more energy", mix.DefaultIntensity)
	require.NoError(t, err)
	require.Equal(t, mix.ClampEnergyLevel(s.Vibe.EnergyLevel+2), res.Vibe.EnergyLevel)
	require.Equal(t, mix.Building, res.Vibe.EnergyDirection)
	require.Contains(t, res.Changes, "Direction: steady → building")
	require.Equal(t, res.Vibe, env.stored(t, "alice").Vibe, "the steered vibe is stored even with auto-fill off")

	// Not a preset: the model reads it (the simulator's brain answers
	// "faster" with a 120–160 window).
	res, err = env.m.Steer(testCtx("ai"), "alice", "faster", mix.DefaultIntensity)
	require.NoError(t, err)
	require.Equal(t, mix.BPMRange{Min: 120, Max: 160}, res.Vibe.BPMRange)
	require.Equal(t, res.Vibe, env.stored(t, "alice").Vibe)

	_, err = env.m.Steer(testCtx("none"), "bob", "more energy", 5)
	require.ErrorIs(t, err, ErrNoMix)
}

func TestSteerWithoutAIKeepsVibeAndSays503(t *testing.T) {
	env := newMixEnv(t, mixOpts{noAI: true})
	env.signIn(t, "alice")
	s, err := env.m.Start(testCtx("start"), "alice", StartRequest{Preferences: noFill()})
	require.NoError(t, err)
	_, err = env.m.Steer(testCtx("ai"), "alice", "something darker please", 5)
	require.ErrorIs(t, err, ErrAIUnavailable)
	require.Equal(t, s.Vibe, env.stored(t, "alice").Vibe)
	_, err = env.m.Steer(testCtx("preset"), "alice", "go retro", 5)
	require.NoError(t, err, "presets need no AI")
	require.Equal(t, mix.Era{Start: 1970, End: 1995}, env.stored(t, "alice").Vibe.Era)
}

// TestSetVibeKeepsListenerTracksAndIsStored: the reference saved a vibe
// change only when auto-fill added tracks, and dropped the listener's.
func TestSetVibeKeepsListenerTracksAndIsStored(t *testing.T) {
	env := newMixEnv(t, mixOpts{})
	env.signIn(t, "alice")
	s := startQuiet(t, env, 2)
	level := 9.0
	dir := mix.WindingDown
	res, err := env.m.SetVibe(testCtx("vibe"), "alice", mix.VibePatch{
		EnergyLevel: &level, EnergyDirection: &dir, BPMRange: &mix.BPMRange{Min: 100, Max: 110},
	})
	require.NoError(t, err)
	require.Equal(t, 9.0, res.Vibe.EnergyLevel)
	require.Equal(t, mix.BPMRange{Min: 100, Max: 110}, res.Vibe.BPMRange, "the window may narrow")
	require.Equal(t, uris(s.Queue), uris(res.Queue), "the listener's tracks stay")
	require.Equal(t, res.Vibe, env.stored(t, "alice").Vibe)
}

func TestTrackPlayedIsRecordedOnceAndQueueRefills(t *testing.T) {
	env := newMixEnv(t, mixOpts{})
	env.signIn(t, "alice")
	s, err := env.m.Start(testCtx("start"), "alice", StartRequest{SeedPlaylistID: env.playlist(t, "alice")})
	require.NoError(t, err)
	require.Len(t, s.Queue, mix.TargetQueueSize)
	head := s.Queue[0]
	id := strings.TrimPrefix(head.TrackURI, "spotify:track:")

	// The browser and the player stream report the same change at once.
	var wg sync.WaitGroup
	results := make([]PlayedResult, 4)
	for i := range results {
		wg.Go(func() {
			r, err := env.m.TrackPlayed(testCtx("played"), "alice", id, head.TrackURI)
			if err != nil {
				t.Errorf("track played: %v", err)
			}
			results[i] = r
		})
	}
	wg.Wait()
	moved := 0
	for _, r := range results {
		if r.Moved {
			moved++
		}
	}
	require.Equal(t, 1, moved, "one play, one history entry")
	after := env.stored(t, "alice")
	require.Len(t, after.History, 1)
	require.Equal(t, head.TrackURI, after.History[0].TrackURI)
	require.NotContains(t, uris(after.Queue), head.TrackURI)

	// The queue is topped up again in the background, and the new head
	// is fed to Spotify.
	require.Eventually(t, func() bool { return len(env.stored(t, "alice").Queue) == mix.TargetQueueSize },
		10*time.Second, 20*time.Millisecond)
	next := env.stored(t, "alice").Queue[0].TrackURI
	require.Eventually(t, func() bool { return slices.Contains(env.simQueue(t, "alice"), next) },
		10*time.Second, 20*time.Millisecond)
}

func TestEndAndMissingMix(t *testing.T) {
	env := newMixEnv(t, mixOpts{})
	env.signIn(t, "alice")
	ctx := testCtx("end")
	cur, err := env.m.Current(ctx, "alice")
	require.NoError(t, err)
	require.Nil(t, cur, "no mix is not an error for Current")
	for name, call := range map[string]func() error{
		"queue":  func() error { _, err := env.m.Queue(ctx, "alice"); return err },
		"vibe":   func() error { _, err := env.m.Vibe(ctx, "alice"); return err },
		"remove": func() error { _, err := env.m.RemoveFromQueue(ctx, "alice", 0); return err },
		"end":    func() error { _, err := env.m.End(ctx, "alice"); return err },
		"save":   func() error { _, err := env.m.Save(ctx, "alice", SaveRequest{Name: "x"}); return err },
	} {
		require.ErrorIs(t, call(), ErrNoMix, name)
	}

	startQuiet(t, env, 1)
	_, err = env.m.Save(ctx, "alice", SaveRequest{Name: "only queued", IncludeQueue: false})
	require.ErrorIs(t, err, ErrNothingToSave)
	st, err := env.m.End(ctx, "alice")
	require.NoError(t, err, "a fresh mix ends normally (the reference answered 404)")
	require.Zero(t, st.TracksPlayed)
	require.Nil(t, env.stored(t, "alice"))
	_, err = env.m.End(ctx, "alice")
	require.ErrorIs(t, err, ErrNoMix)
}

// simQueue is the user's Spotify playback queue in the simulator.
func (env *mixEnv) simQueue(t *testing.T, user string) []string {
	t.Helper()
	resp, err := env.http.Get(env.srv.URL() + "/_sim/spotify/users/" + user)
	require.NoError(t, err)
	defer resp.Body.Close()
	var dump struct {
		Queue []string `json:"queue"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&dump))
	return dump.Queue
}
