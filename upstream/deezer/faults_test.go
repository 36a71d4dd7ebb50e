package deezer_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"dj/upstream"
	"dj/upstream/sim"
)

// TestFaultsMapToKinds injects every fault kind the simulator has for
// Deezer and checks the error the client reports for it.
func TestFaultsMapToKinds(t *testing.T) {
	t.Parallel()
	s, dz := start(t, 300*time.Millisecond)
	var isrc string
	for _, tr := range s.Catalog().Tracks {
		if tr.InDeezer {
			isrc = tr.ISRC
			break
		}
	}
	cases := []struct {
		name   string
		fault  sim.Fault
		kind   error
		status int
		code   int
		check  func(t *testing.T, ue *upstream.Error)
	}{
		{name: "429 with Retry-After", fault: sim.Fault{Kind: sim.Fault429, RetryAfter: 4}, kind: upstream.ErrRateLimited, status: 429, code: 4,
			check: func(t *testing.T, ue *upstream.Error) {
				if ue.RetryAfter != 4*time.Second {
					t.Errorf("RetryAfter = %v, want 4s", ue.RetryAfter)
				}
			}},
		{name: "500", fault: sim.Fault{Kind: sim.Fault500}, kind: upstream.ErrUnavailable, status: 500, code: 700},
		{name: "502", fault: sim.Fault{Kind: sim.Fault502}, kind: upstream.ErrUnavailable, status: 502, code: 700},
		{name: "503", fault: sim.Fault{Kind: sim.Fault503}, kind: upstream.ErrUnavailable, status: 503, code: 700},
		{name: "hang", fault: sim.Fault{Kind: sim.FaultHang}, kind: upstream.ErrUnavailable,
			check: func(t *testing.T, ue *upstream.Error) {
				if !errors.Is(ue, context.DeadlineExceeded) {
					t.Errorf("hang: cause %v, want the call's deadline", ue.Err)
				}
			}},
		{name: "reset", fault: sim.Fault{Kind: sim.FaultReset}, kind: upstream.ErrUnavailable},
		{name: "malformed", fault: sim.Fault{Kind: sim.FaultMalformed}, kind: upstream.ErrBadResponse, status: 200},
		{name: "error200 default", fault: sim.Fault{Kind: sim.FaultError200}, kind: upstream.ErrRateLimited, status: 200, code: 4},
		{name: "error200 800", fault: sim.Fault{Kind: sim.FaultError200, Code: 800}, kind: upstream.ErrNotFound, status: 200, code: 800},
		{name: "error200 700", fault: sim.Fault{Kind: sim.FaultError200, Code: 700}, kind: upstream.ErrUnavailable, status: 200, code: 700},
		{name: "error200 600", fault: sim.Fault{Kind: sim.FaultError200, Code: 600}, kind: upstream.ErrBadRequest, status: 200, code: 600},
		{name: "error200 without code", fault: sim.Fault{Kind: sim.FaultError200, Code: -1}, kind: upstream.ErrUnavailable, status: 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.fault.API = "deezer"
			tc.fault.Path = "/track/isrc:"
			if err := s.AddFault(tc.fault); err != nil {
				t.Fatal(err)
			}
			defer s.ClearFaults()
			_, err := dz.TrackByISRC(context.Background(), isrc)
			ue := wantKind(t, err, tc.kind)
			if ue.Status != tc.status || ue.Code != tc.code || ue.Op != "track.isrc" {
				t.Errorf("status %d code %d op %q, want %d, %d, track.isrc", ue.Status, ue.Code, ue.Op, tc.status, tc.code)
			}
			if tc.check != nil {
				tc.check(t, ue)
			}
		})
	}
}

// TestQuotaModel turns the simulator's quota on and checks the client
// sees the 51st distinct request in the window as rate limited.
func TestQuotaModel(t *testing.T) {
	t.Parallel()
	s, dz := start(t, 0)
	ctx := context.Background()
	if err := putQuota(s.URL(), `{"enabled":true,"limit":50,"window_ms":5000}`); err != nil {
		t.Fatal(err)
	}
	for id := int64(1); id <= 50; id++ {
		_, err := dz.Track(ctx, id)
		wantKind(t, err, upstream.ErrNotFound)
	}
	_, err := dz.Track(ctx, 51)
	wantKind(t, err, upstream.ErrRateLimited)
}

// putQuota sets the simulator's Deezer quota model over its control API.
func putQuota(base, body string) error {
	req, err := http.NewRequest(http.MethodPut, base+"/_sim/deezer/quota", strings.NewReader(body))
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("PUT quota: status %d", resp.StatusCode)
	}
	return nil
}
