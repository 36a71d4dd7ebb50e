package actors

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	sp "github.com/zmb3/spotify/v2"

	"dj/upstream"
	"dj/upstream/spotify"
)

// spotifyErr is the error a Spotify client returns for a refusal.
func spotifyErr(status int, msg string) error {
	return &upstream.Error{API: "spotify", Op: "test", Kind: upstream.KindForStatus(status), Status: status,
		Err: sp.Error{Status: status, Message: msg}}
}

func TestPlayerErrorsAreClassifiedBySpotifysReason(t *testing.T) {
	for _, c := range []struct {
		err  error
		want error
	}{
		{spotifyErr(http.StatusNotFound, "Player command failed: No active device found"), ErrNoActiveDevice},
		{spotifyErr(http.StatusForbidden, "Player command failed: Premium required"), ErrPremiumRequired},
		{spotifyErr(http.StatusForbidden, "Player command failed: Restriction violated"), ErrPlayerRestricted},
		{spotifyErr(http.StatusNotFound, "Non existing id: spotify:track:x"), upstream.ErrNotFound},
		{spotifyErr(http.StatusForbidden, "Insufficient client scope"), upstream.ErrForbidden},
	} {
		got := playerError(c.err)
		if !errors.Is(got, c.want) {
			t.Errorf("%v: classified as %v, want %v", c.err, got, c.want)
		}
		var ue *upstream.Error
		if !errors.As(got, &ue) {
			t.Errorf("%v: the upstream error is no longer in the chain", c.err)
		}
	}
	if playerError(nil) != nil {
		t.Fatal("nil became an error")
	}
}

func TestPlaylistErrorsHideWhetherAPlaylistExists(t *testing.T) {
	for _, status := range []int{http.StatusForbidden, http.StatusNotFound} {
		err := playlistError(spotifyErr(status, "Forbidden"))
		if !errors.Is(err, ErrPlaylistNotFound) || errors.Is(err, upstream.ErrForbidden) || errors.Is(err, upstream.ErrNotFound) {
			t.Fatalf("%d: %v", status, err)
		}
	}
	if err := playlistError(spotifyErr(http.StatusServiceUnavailable, "x")); !errors.Is(err, upstream.ErrUnavailable) {
		t.Fatalf("503 lost its kind: %v", err)
	}
	var ie *InputError
	if err := inputError(spotifyErr(http.StatusBadRequest, "bad"), "uris"); !errors.As(err, &ie) || ie.Field != "uris" {
		t.Fatalf("400 is not an input error: %v", err)
	}
}

// TestConversionsNeverEmitNullLists checks the shapes a response schema
// requires: SDK zero values (nil slices, "" for null) become [] and null.
func TestConversionsNeverEmitNullLists(t *testing.T) {
	raw, err := json.Marshal([]any{
		trackOf(&sp.FullTrack{}),
		fullArtistOf(sp.FullArtist{}),
		fullPlaylistOf(&sp.FullPlaylist{}),
		playlistPageOf(&sp.SimplePlaylistPage{}),
		searchResultOf(&sp.SearchResult{Tracks: &sp.FullTrackPage{}, Albums: &sp.SimpleAlbumPage{}}),
		queueOf(&sp.Queue{}),
		playbackOf(nil),
		devicesOf(nil),
		playlistEntry("", sp.User{}, false, nil),
	})
	if err != nil {
		t.Fatal(err)
	}
	s := string(raw)
	for _, key := range []string{"artists", "images", "genres", "items", "queue"} {
		if strings.Contains(s, `"`+key+`":null`) {
			t.Errorf("%s is null in %s", key, s)
		}
	}
	for _, key := range []string{"preview_url", "next", "previous", "currently_playing", "device", "item", "added_by", "track"} {
		if !strings.Contains(s, `"`+key+`":null`) {
			t.Errorf("%s should be null in %s", key, s)
		}
	}
	if !strings.HasSuffix(strings.TrimSpace(s), "]") || !strings.Contains(s, `[],{`) {
		t.Errorf("devices of nil should be []: %s", s)
	}
}

func TestPlayRequestOptions(t *testing.T) {
	if (PlayRequest{}).options() != nil {
		t.Fatal("the zero request must resume (no body)")
	}
	pos := 2
	opt := PlayRequest{URIs: []string{"spotify:track:a", "spotify:track:b"}, OffsetPosition: &pos, PositionMs: 500}.options()
	raw, _ := json.Marshal(opt)
	if string(raw) != `{"uris":["spotify:track:a","spotify:track:b"],"offset":{"position":2},"position_ms":500}` {
		t.Fatalf("body %s", raw)
	}
	opt = PlayRequest{ContextURI: "spotify:album:x", OffsetURI: "spotify:track:a"}.options()
	raw, _ = json.Marshal(opt)
	if string(raw) != `{"context_uri":"spotify:album:x","offset":{"uri":"spotify:track:a"}}` {
		t.Fatalf("body %s", raw)
	}
}

func TestPlaybackKeepsDeviceDetail(t *testing.T) {
	id, vol := "dev1", 40
	st := playbackOf(&spotify.Playback{
		PlayerState: sp.PlayerState{CurrentlyPlaying: sp.CurrentlyPlaying{Playing: true, Item: &sp.FullTrack{SimpleTrack: sp.SimpleTrack{ID: "t"}}}},
		Device:      &spotify.Device{ID: &id, IsActive: true, SupportsVolume: true, VolumePercent: &vol},
	})
	if st.Device == nil || *st.Device.ID != id || !st.Device.SupportsVolume || *st.Device.VolumePercent != vol ||
		st.ShuffleState == nil || !st.IsPlaying || st.Item == nil || st.Item.Type != "track" {
		t.Fatalf("state %+v", st)
	}
}
