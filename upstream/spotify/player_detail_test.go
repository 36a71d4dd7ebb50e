package spotify_test

import (
	"context"
	"testing"

	sp "github.com/zmb3/spotify/v2"
)

func TestPlayerDetail(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	u := e.user("carol")
	cat := e.srv.Catalog()

	devices, err := u.DeviceList(ctx)
	if err != nil || len(devices) != 2 {
		t.Fatalf("devices %+v, %v", devices, err)
	}
	d := devices[0]
	if d.ID == nil || !d.IsActive || !d.SupportsVolume || d.VolumePercent == nil || devices[1].IsActive {
		t.Fatalf("first device %+v", d)
	}

	pb, err := u.Playback(ctx)
	if err != nil || pb == nil || pb.Device == nil || *pb.Device.ID != *d.ID || !pb.Device.SupportsVolume ||
		pb.ProgressMs == nil || pb.CurrentlyPlayingType != "track" || pb.Item == nil || !pb.Playing {
		t.Fatalf("playback %+v, %v", pb, err)
	}

	a, b := sp.URI("spotify:track:"+cat.Tracks[8].ID), sp.URI("spotify:track:"+cat.Tracks[9].ID)
	pos := 1
	err = u.PlayWith(ctx, &sp.PlayOptions{URIs: []sp.URI{a, b}, PlaybackOffset: &sp.PlaybackOffset{Position: &pos}, PositionMs: 2000})
	if err != nil {
		t.Fatal(err)
	}
	if pb, _ = u.Playback(ctx); pb.Item.URI != b || *pb.ProgressMs < 2000 {
		t.Fatalf("after PlayWith: %s at %v", pb.Item.URI, pb.ProgressMs)
	}
	if err := u.PlayWith(ctx, nil); err != nil {
		t.Fatalf("resume: %v", err)
	}

	e.control("POST", "/_sim/spotify/users/carol/player", `{"active":false}`, nil)
	if pb, err := u.Playback(ctx); pb != nil || err != nil {
		t.Fatalf("no active device: %+v, %v", pb, err)
	}
}
