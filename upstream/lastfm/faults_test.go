package lastfm_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"dj/upstream"
	"dj/upstream/sim"
)

// TestFaultsMapToKinds injects every fault kind the simulator has for
// Last.fm and checks the error the client reports for it.
func TestFaultsMapToKinds(t *testing.T) {
	t.Parallel()
	s, lf := start(t, 300*time.Millisecond)
	cat := s.Catalog()
	tr := cat.Tracks[0]
	artist := cat.Artists[tr.Artist].Name
	cases := []struct {
		name   string
		fault  sim.Fault
		kind   error
		status int
		code   int
		check  func(t *testing.T, ue *upstream.Error)
	}{
		{name: "429 with Retry-After", fault: sim.Fault{Kind: sim.Fault429, RetryAfter: 7}, kind: upstream.ErrRateLimited, status: 429, code: 29,
			check: func(t *testing.T, ue *upstream.Error) {
				if ue.RetryAfter != 7*time.Second {
					t.Errorf("RetryAfter = %v, want 7s", ue.RetryAfter)
				}
			}},
		{name: "500", fault: sim.Fault{Kind: sim.Fault500}, kind: upstream.ErrUnavailable, status: 500, code: 8},
		{name: "503", fault: sim.Fault{Kind: sim.Fault503}, kind: upstream.ErrUnavailable, status: 503, code: 11},
		{name: "401", fault: sim.Fault{Kind: sim.Fault401}, kind: upstream.ErrUnauthorized, status: 401, code: 10},
		{name: "hang", fault: sim.Fault{Kind: sim.FaultHang}, kind: upstream.ErrUnavailable,
			check: func(t *testing.T, ue *upstream.Error) {
				if !errors.Is(ue, context.DeadlineExceeded) {
					t.Errorf("hang: cause %v, want the call's deadline", ue.Err)
				}
			}},
		{name: "reset", fault: sim.Fault{Kind: sim.FaultReset}, kind: upstream.ErrUnavailable},
		{name: "malformed", fault: sim.Fault{Kind: sim.FaultMalformed}, kind: upstream.ErrBadResponse, status: 200},
		{name: "error200 default", fault: sim.Fault{Kind: sim.FaultError200}, kind: upstream.ErrUnavailable, status: 200, code: 8},
		{name: "error200 6", fault: sim.Fault{Kind: sim.FaultError200, Code: 6}, kind: upstream.ErrNotFound, status: 200, code: 6},
		{name: "error200 29", fault: sim.Fault{Kind: sim.FaultError200, Code: 29}, kind: upstream.ErrRateLimited, status: 200, code: 29},
		{name: "error200 10", fault: sim.Fault{Kind: sim.FaultError200, Code: 10}, kind: upstream.ErrUnauthorized, status: 200, code: 10},
		{name: "error200 26", fault: sim.Fault{Kind: sim.FaultError200, Code: 26}, kind: upstream.ErrForbidden, status: 200, code: 26},
		{name: "error200 11", fault: sim.Fault{Kind: sim.FaultError200, Code: 11}, kind: upstream.ErrUnavailable, status: 200, code: 11},
		{name: "error200 16", fault: sim.Fault{Kind: sim.FaultError200, Code: 16}, kind: upstream.ErrUnavailable, status: 200, code: 16},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.fault.API = "lastfm"
			if err := s.AddFault(tc.fault); err != nil {
				t.Fatal(err)
			}
			defer s.ClearFaults()
			_, err := lf.TrackInfo(context.Background(), artist, tr.Name)
			ue := wantKind(t, err, tc.kind)
			if ue.Status != tc.status || ue.Code != tc.code || ue.Op != "track.getInfo" {
				t.Errorf("status %d code %d op %q, want %d, %d, track.getInfo", ue.Status, ue.Code, ue.Op, tc.status, tc.code)
			}
			if tc.check != nil {
				tc.check(t, ue)
			}
		})
	}
}

// TestFaultTargetsOneMethod checks a fault aimed at one method leaves the
// others alone, and that a caller's cancelled context is kept as cause.
func TestFaultTargetsOneMethod(t *testing.T) {
	t.Parallel()
	s, lf := start(t, 0)
	cat := s.Catalog()
	var tr sim.Track
	for _, c := range cat.Tracks {
		if c.InLastfm {
			tr = c
			break
		}
	}
	artist := cat.Artists[tr.Artist].Name
	if err := s.AddFault(sim.Fault{API: "lastfm", Path: "track.getSimilar", Kind: sim.FaultError200, Code: 29}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := lf.TrackInfo(ctx, artist, tr.Name); err != nil {
		t.Fatalf("unfaulted method failed: %v", err)
	}
	_, err := lf.TrackSimilar(ctx, artist, tr.Name, 5)
	wantKind(t, err, upstream.ErrRateLimited)

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = lf.TrackInfo(cancelled, artist, tr.Name)
	wantKind(t, err, upstream.ErrUnavailable)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled call: %v, want context.Canceled as cause", err)
	}
}
