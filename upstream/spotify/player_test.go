package spotify_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"dj/upstream"
)

func TestPlayerControl(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	u := e.user("dave")
	cat := e.srv.Catalog()

	st, err := u.PlayerState(ctx)
	if err != nil || st == nil || st.Item == nil || !st.Playing || !st.Device.Active || st.PlaybackContext.Type != "playlist" {
		t.Fatalf("initial state %+v, %v", st, err)
	}
	cp, err := u.CurrentlyPlaying(ctx)
	if err != nil || cp == nil || cp.Item.ID != st.Item.ID {
		t.Fatalf("currently playing %+v, %v", cp, err)
	}
	devices, err := u.Devices(ctx)
	if err != nil || len(devices) != 2 {
		t.Fatalf("devices %+v, %v", devices, err)
	}

	queued := cat.Tracks[11]
	if err := u.AddToQueue(ctx, "spotify:track:"+queued.ID); err != nil {
		t.Fatal(err)
	}
	q, err := u.Queue(ctx)
	if err != nil || len(q.Items) == 0 || string(q.Items[0].ID) != queued.ID || q.CurrentlyPlaying.ID != st.Item.ID {
		t.Fatalf("queue %+v, %v", q, err)
	}
	if err := u.Next(ctx); err != nil {
		t.Fatal(err)
	}
	if st, err = u.PlayerState(ctx); err != nil || string(st.Item.ID) != queued.ID {
		t.Fatalf("after next: %+v, %v", st.Item, err)
	}
	if err := u.Previous(ctx); err != nil {
		t.Fatal(err)
	}

	if err := u.Pause(ctx); err != nil {
		t.Fatal(err)
	}
	if err := u.Pause(ctx); !errors.Is(err, upstream.ErrForbidden) {
		t.Fatalf("second pause: %v, want ErrForbidden", err)
	}
	if err := u.Play(ctx); err != nil {
		t.Fatal(err)
	}
	a, b := "spotify:track:"+cat.Tracks[5].ID, "spotify:track:"+cat.Tracks[6].ID
	if err := u.Play(ctx, a, b); err != nil {
		t.Fatal(err)
	}
	if st, _ = u.PlayerState(ctx); string(st.Item.URI) != a || !st.Playing {
		t.Fatalf("after play uris: %s", st.Item.URI)
	}
	alb := cat.Albums[cat.Tracks[40].Album]
	if err := u.PlayContext(ctx, "spotify:album:"+alb.ID, 0); err != nil {
		t.Fatal(err)
	}
	if st, _ = u.PlayerState(ctx); string(st.Item.ID) != cat.Tracks[alb.Tracks[0]].ID || string(st.PlaybackContext.URI) != "spotify:album:"+alb.ID {
		t.Fatalf("after play context: %s in %s", st.Item.Name, st.PlaybackContext.URI)
	}

	if err := u.Seek(ctx, 12345); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []func() error{
		func() error { return u.Volume(ctx, 21) },
		func() error { return u.Repeat(ctx, "context") },
		func() error { return u.Shuffle(ctx, true) },
	} {
		if err := cmd(); err != nil {
			t.Fatal(err)
		}
	}
	st, _ = u.PlayerState(ctx)
	if st.Progress != 12345 || st.Device.Volume != 21 || st.RepeatState != "context" || !st.ShuffleState {
		t.Fatalf("echo: progress %d volume %d repeat %s shuffle %v", st.Progress, st.Device.Volume, st.RepeatState, st.ShuffleState)
	}
	if err := u.Transfer(ctx, string(devices[1].ID), true); err != nil {
		t.Fatal(err)
	}
	if st, _ = u.PlayerState(ctx); st.Device.ID != devices[1].ID {
		t.Fatalf("after transfer: %s", st.Device.Name)
	}
	if err := u.Volume(ctx, 101); !errors.Is(err, upstream.ErrBadRequest) {
		t.Fatalf("volume 101: %v", err)
	}
}

func TestPlayerAdvancesWithClock(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	u := e.user("alice")

	st, err := u.PlayerState(ctx)
	if err != nil {
		t.Fatal(err)
	}
	first := st.Item.ID
	left := time.Duration(int(st.Item.Duration)-int(st.Progress)) * time.Millisecond
	e.clock.Advance(left - time.Second)
	if st, _ = u.PlayerState(ctx); st.Item.ID != first {
		t.Fatal("track changed before its end")
	}
	e.clock.Advance(2 * time.Second)
	st, _ = u.PlayerState(ctx)
	if st.Item.ID == first || st.Progress != 1000 {
		t.Fatalf("after the end: %s at %d ms", st.Item.Name, st.Progress)
	}
	recent, err := u.RecentlyPlayed(ctx, 1)
	if err != nil || recent[0].Track.ID != first {
		t.Fatalf("history head %+v, %v", recent, err)
	}

	second := st.Item.ID
	var d dump
	e.control("POST", "/_sim/spotify/users/alice/advance", "", &d)
	if st, _ = u.PlayerState(ctx); st.Item.ID == second || string(st.Item.ID) != d.Playback.Item.ID {
		t.Fatalf("advance route: %s, dump says %s", st.Item.ID, d.Playback.Item.ID)
	}
}

func TestPlayerIdle(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	u := e.user("bob")
	e.control("POST", "/_sim/spotify/users/bob/player", `{"active":false}`, nil)

	st, err := u.PlayerState(ctx)
	if err != nil || st != nil {
		t.Fatalf("idle state %+v, %v; want nil, nil", st, err)
	}
	cp, err := u.CurrentlyPlaying(ctx)
	if err != nil || cp != nil {
		t.Fatalf("idle currently playing %+v, %v", cp, err)
	}
	if err := u.Next(ctx); !errors.Is(err, upstream.ErrNotFound) {
		t.Fatalf("next without a device: %v, want ErrNotFound", err)
	}
	devices, err := u.Devices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := u.Transfer(ctx, string(devices[0].ID), true); err != nil {
		t.Fatal(err)
	}
	if st, err = u.PlayerState(ctx); err != nil || st == nil {
		t.Fatalf("after transfer %+v, %v", st, err)
	}
}
