package actors

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var t0 = time.UnixMilli(1_735_000_000_000)

func strp(s string) *string { return &s }
func intp(n int) *int       { return &n }

// playing is a view of track id on the test device, playing at progress.
func playing(id string, progress int, at time.Time) *playerView {
	return &playerView{
		track:       &PlayerTrack{ID: id, URI: "spotify:track:" + id, Name: id, Duration: 200_000},
		device:      PlayerDevice{ID: strp("dev1"), Name: "Web Player", Type: "computer", VolumePercent: intp(50), SupportsVolume: true},
		context:     &PlayerContext{URI: "spotify:playlist:p1", Type: "playlist"},
		modes:       PlayerModes{Repeat: "off"},
		isPlaying:   true,
		playingType: "track",
		progress:    progress,
		at:          at,
	}
}

func idleView(at time.Time) *playerView { return viewOf(nil, at) }

func names(evs []Event) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.Name)
	}
	return out
}

func TestPlayerDeltas(t *testing.T) {
	a := playing("a", 1000, t0)
	b := playing("b", 500, t0.Add(time.Second))
	paused := playing("a", 2000, t0.Add(time.Second))
	paused.isPlaying = false
	everything := playing("b", 0, t0.Add(time.Second))
	everything.isPlaying = false
	everything.device = PlayerDevice{ID: strp("dev2"), Name: "Kitchen", Type: "speaker", VolumePercent: intp(40)}
	everything.modes = PlayerModes{Repeat: "context", Shuffle: true}
	everything.context = nil
	louder := playing("a", 2000, t0.Add(time.Second))
	louder.device.VolumePercent = intp(70)
	ad := &playerView{device: a.device, isPlaying: true, playingType: "ad", at: t0.Add(time.Second)}

	for _, tc := range []struct {
		name       string
		prev, next *playerView
		want       []string
	}{
		{"first poll", nil, a, []string{"init"}},
		{"first poll idle", nil, idleView(t0), []string{"init"}},
		{"steady playing", a, playing("a", 2000, t0.Add(time.Second)), []string{"tick"}},
		{"track change", a, b, []string{"track", "tick"}},
		{"pause", a, paused, []string{"state"}},
		{"volume on the same device", a, louder, []string{"volume", "tick"}},
		{"every delta, in order", a, everything, []string{"track", "state", "device", "modes", "context"}},
		{"into idle", a, idleView(t0.Add(time.Second)), []string{"idle"}},
		{"staying idle", idleView(t0), idleView(t0.Add(time.Second)), nil},
		{"out of idle", idleView(t0), b, []string{"init"}},
		{"into an ad", a, ad, []string{"init"}},
		{"out of an ad", ad, b, []string{"init"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			evs := playerDeltas(tc.prev, tc.next, 7)
			require.Equal(t, tc.want, names(evs))
			for _, e := range evs {
				var seq struct{ Seq *uint64 }
				require.NoError(t, json.Unmarshal(e.Data, &seq), e.Name)
				require.NotNil(t, seq.Seq, "%s has no seq", e.Name)
				require.EqualValues(t, 7, *seq.Seq)
			}
		})
	}
}

func TestPlayerEventPayloads(t *testing.T) {
	a := playing("a", 1000, t0)
	b := playing("b", 500, t0.Add(time.Second))
	evs := playerDeltas(a, b, 3)
	require.JSONEq(t, `{"id":"b","uri":"spotify:track:b","name":"b","artist":"","albumName":"","albumArt":null,
		"duration":200000,"explicit":false,"isLocal":false,"popularity":0,"previewUrl":null,"seq":3}`, string(evs[0].Data))
	require.JSONEq(t, `{"p":500,"ts":1735000001000,"seq":3}`, string(evs[1].Data))
	init := playerDeltas(nil, idleView(t0), 1)[0]
	require.JSONEq(t, `{"context":null,"device":{"id":null,"isPrivateSession":false,"isRestricted":false,
		"name":"No active device","supportsVolume":false,"type":"unknown","volumePercent":null},"isPlaying":false,
		"modes":{"repeat":"off","shuffle":false},"playingType":"unknown","progress":0,"seq":1,
		"timestamp":1735000000000,"track":null}`, string(init.Data))
}

func TestViewOfNormalises(t *testing.T) {
	shuffle := true
	v := viewOf(&PlaybackState{
		Device:    &Device{ID: strp("d"), Name: "", Type: "Smartphone", VolumePercent: intp(30)},
		IsPlaying: true,
		Item: &Track{ID: "t", URI: "spotify:track:t", Artists: []Artist{{Name: "A"}, {Name: "B"}},
			Album: Album{Name: "Al", Images: []Image{{URL: "https://i/1"}, {URL: "https://i/2"}}}, DurationMs: 1234},
		Context:              &PlaybackContext{URI: "spotify:station:x", Type: "station"},
		ProgressMs:           intp(99),
		RepeatState:          "weird",
		ShuffleState:         &shuffle,
		CurrentlyPlayingType: "TRACK",
	}, t0)
	require.Equal(t, "smartphone", v.device.Type)
	require.Equal(t, "Unknown", v.device.Name)
	require.Equal(t, "playlist", v.context.Type, "unknown context types are reported as playlist")
	require.Equal(t, PlayerModes{Repeat: "off", Shuffle: true}, v.modes)
	require.Equal(t, "track", v.playingType)
	require.Equal(t, "A, B", v.track.Artist)
	require.Equal(t, "Unknown", v.track.Name)
	require.Equal(t, "https://i/1", *v.track.AlbumArt)
	require.Equal(t, 99, v.progress)
	require.False(t, v.idle())

	ad := viewOf(&PlaybackState{Device: &Device{ID: strp("d"), Type: "computer"}, IsPlaying: true, CurrentlyPlayingType: "ad"}, t0)
	require.False(t, ad.idle(), "an ad is not idle (defect #39)")
	require.True(t, viewOf(&PlaybackState{}, t0).idle(), "no device: idle")
}

func TestEndedTrack(t *testing.T) {
	a := playing("a", 1000, t0)
	require.Nil(t, endedTrack(nil, a))
	require.Nil(t, endedTrack(a, playing("a", 5000, t0.Add(time.Second))))
	require.Equal(t, "a", endedTrack(a, playing("b", 0, t0.Add(time.Second))).ID)
	require.Equal(t, "a", endedTrack(a, idleView(t0.Add(time.Second))).ID, "playing → idle is a play")
	require.Nil(t, endedTrack(idleView(t0), a), "idle → playing ends nothing")
}

func TestListenClockStartsWithTheTrack(t *testing.T) {
	var c listenClock
	// Connected 40 s into track a: it has been heard for 40 s already.
	c.observe(playing("a", 40_000, t0))
	c.observe(playing("a", 41_000, t0.Add(time.Second)))
	// Paused for 10 s: not a listen. (The pause is seen at the next
	// poll, so the second before it counts: polls sample.)
	p := playing("a", 41_000, t0.Add(2*time.Second))
	p.isPlaying = false
	c.observe(p)
	p = playing("a", 41_000, t0.Add(12*time.Second))
	p.isPlaying = false
	c.observe(p)
	c.observe(playing("a", 41_000, t0.Add(13*time.Second)))
	// b shows up 2 s into itself at 16 s: a played until 14 s.
	b := playing("b", 2000, t0.Add(16*time.Second))
	require.Equal(t, 43*time.Second, c.stop(b, 200_000))
	c.observe(b)
	// b is skipped after 5 s; the next poll sees idle.
	c.observe(playing("b", 5000, t0.Add(19*time.Second)))
	require.Equal(t, 5*time.Second, c.stop(idleView(t0.Add(19*time.Second)), 200_000))
	// Capped at the duration.
	require.Equal(t, 3*time.Second, c.stop(idleView(t0.Add(30*time.Second)), 3000))
}

func TestPollInterval(t *testing.T) {
	cfg := PlayerStreamConfig{}
	cfg.defaults(40)
	require.Equal(t, float64(20), cfg.PollShare)
	require.Equal(t, time.Second, pollInterval(cfg, 1, 0), "the reference's cadence")
	require.Equal(t, time.Second, pollInterval(cfg, 20, 0), "20 listeners fit the share")
	require.Equal(t, 5*time.Second, pollInterval(cfg, 100, 0), "100 listeners share 20 polls/s")
	require.Equal(t, 4*time.Second, pollInterval(cfg, 1, 2), "a busy lane doubles it twice")
	require.Equal(t, 10*time.Second, pollInterval(cfg, 1, maxSlow), "capped by MaxInterval")
	require.Equal(t, 50*time.Second, pollInterval(cfg, 1000, 0), "the share wins over MaxInterval")
	for range 100 {
		d := jitter(time.Second)
		require.True(t, d >= 900*time.Millisecond && d <= 1100*time.Millisecond, d)
	}
}
