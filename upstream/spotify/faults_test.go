package spotify_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"dj/upstream"
	"dj/upstream/sim"
)

func TestFaultsMapToKinds(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	access, refresh := e.tokens("alice")
	u := e.client.ForUser(access)
	impatient := e.newClient(200 * time.Millisecond).ForUser(access)
	me := func(ctx context.Context) error { _, err := u.Me(ctx); return err }
	lists := func(ctx context.Context) error { _, err := u.MyPlaylists(ctx, 5, 0); return err }
	// net/http replays an idempotent GET once when a reused keep-alive
	// connection dies before answering (its stale-connection guard), so
	// the reset cases start on a client with no pooled connections.
	freshMe := func(ctx context.Context) error {
		_, err := e.newClient(2 * time.Second).ForUser(access).Me(ctx)
		return err
	}
	freshLists := func(ctx context.Context) error {
		_, err := e.newClient(2*time.Second).ForUser(access).MyPlaylists(ctx, 5, 0)
		return err
	}

	tests := []struct {
		name       string
		fault      sim.Fault
		call       func(context.Context) error
		kind       error
		status     int
		retryAfter time.Duration
	}{
		{"429 SDK call", sim.Fault{API: "spotify", Path: "/v1/me", Kind: sim.Fault429, RetryAfter: 7}, me, upstream.ErrRateLimited, 429, 7 * time.Second},
		{"429 hand-written call", sim.Fault{API: "spotify", Path: "/v1/me/playlists", Kind: sim.Fault429, RetryAfter: 86400}, lists, upstream.ErrRateLimited, 429, 24 * time.Hour},
		{"429 player command", sim.Fault{API: "spotify", Path: "/v1/me/player/next", Kind: sim.Fault429, RetryAfter: 2}, u.Next, upstream.ErrRateLimited, 429, 2 * time.Second},
		{"500", sim.Fault{API: "spotify", Kind: sim.Fault500}, me, upstream.ErrUnavailable, 500, 0},
		{"502", sim.Fault{API: "spotify", Kind: sim.Fault502}, u.Pause, upstream.ErrUnavailable, 502, 0},
		{"503", sim.Fault{API: "spotify", Kind: sim.Fault503}, lists, upstream.ErrUnavailable, 503, 0},
		{"401", sim.Fault{API: "spotify", Kind: sim.Fault401}, me, upstream.ErrUnauthorized, 401, 0},
		{"hang past the timeout", sim.Fault{API: "spotify", Kind: sim.FaultHang}, func(ctx context.Context) error { _, err := impatient.Me(ctx); return err }, upstream.ErrUnavailable, 0, 0},
		{"reset", sim.Fault{API: "spotify", Kind: sim.FaultReset}, freshMe, upstream.ErrUnavailable, 0, 0},
		{"reset hand-written", sim.Fault{API: "spotify", Kind: sim.FaultReset}, freshLists, upstream.ErrUnavailable, 0, 0},
		{"reset player command", sim.Fault{API: "spotify", Kind: sim.FaultReset}, u.Next, upstream.ErrUnavailable, 0, 0},
		{"malformed", sim.Fault{API: "spotify", Kind: sim.FaultMalformed}, me, upstream.ErrBadResponse, 200, 0},
		{"malformed hand-written", sim.Fault{API: "spotify", Kind: sim.FaultMalformed}, lists, upstream.ErrBadResponse, 200, 0},
		{"429 on refresh", sim.Fault{API: "accounts", Kind: sim.Fault429, RetryAfter: 30}, func(ctx context.Context) error {
			_, err := e.client.Refresh(ctx, refresh)
			return err
		}, upstream.ErrRateLimited, 429, 30 * time.Second},
		{"503 on exchange", sim.Fault{API: "accounts", Kind: sim.Fault503}, func(ctx context.Context) error {
			_, err := e.client.Exchange(ctx, "code", "verifier")
			return err
		}, upstream.ErrUnavailable, 503, 0},
		{"reset on refresh", sim.Fault{API: "accounts", Kind: sim.FaultReset}, func(ctx context.Context) error {
			_, err := e.client.Refresh(ctx, refresh)
			return err
		}, upstream.ErrUnavailable, 0, 0},
		{"malformed on refresh", sim.Fault{API: "accounts", Kind: sim.FaultMalformed}, func(ctx context.Context) error {
			_, err := e.client.Refresh(ctx, refresh)
			return err
		}, upstream.ErrBadResponse, 200, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fault.Count = 1
			if err := e.srv.AddFault(tc.fault); err != nil {
				t.Fatal(err)
			}
			before := e.srv.Stats().APIs[tc.fault.API].Requests
			start := time.Now()
			err := tc.call(context.Background())
			var ue *upstream.Error
			if !errors.As(err, &ue) || !errors.Is(err, tc.kind) {
				t.Fatalf("got %v, want kind %v", err, tc.kind)
			}
			if ue.Status != tc.status || ue.RetryAfter != tc.retryAfter || ue.API != "spotify" || ue.Op == "" {
				t.Fatalf("got status %d retry-after %v (%+v), want %d and %v", ue.Status, ue.RetryAfter, ue, tc.status, tc.retryAfter)
			}
			if n := e.srv.Stats().APIs[tc.fault.API].Requests - before; n != 1 {
				t.Fatalf("%d requests on the wire, want exactly 1 (no retries)", n)
			}
			if time.Since(start) > 2*time.Second {
				t.Fatal("the failure did not surface at once")
			}
		})
	}
	// With the faults spent, the same calls work again (the refresh token
	// was never reached by a faulted request).
	if err := me(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.Refresh(context.Background(), refresh); err != nil {
		t.Fatal(err)
	}
}

func TestCallerContextIsHonoured(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.user("alice")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := u.Me(ctx)
	if !errors.Is(err, upstream.ErrUnavailable) || !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled call: %v", err)
	}
}
