package gateway

import (
	"fmt"
	"net/http"
	"testing"

	"dj/actors"
)

// The limiter's own refusals (stopped, restarted, or the cluster-wide
// limits in Redis unreachable) are "try again" answers, never a 500, and
// their details are the fixed texts, not the error's.
func TestLimiterRefusalsAre503(t *testing.T) {
	cases := []error{
		&actors.Error{Lane: actors.LaneSpotify, Op: "me", Kind: actors.ErrLimiterDown},
		&actors.Error{Lane: actors.LaneDeezer, Op: "track", Kind: actors.ErrLimiterRestarted},
		&actors.Error{Lane: actors.LaneLastfm, Op: "artist", Kind: actors.ErrSharedLimitsDown, Err: fmt.Errorf("dial tcp 10.0.0.9:6379: connection refused")},
		fmt.Errorf("suggestions: %w", &actors.Error{Lane: actors.LaneAnthropic, Op: "chat", Kind: actors.ErrSharedLimitsDown}),
	}
	for _, err := range cases {
		r, ok := ruleFor(err)
		if !ok || r.status != http.StatusServiceUnavailable {
			t.Errorf("%v: rule %+v (found %v), want 503", err, r, ok)
		}
		if r.detail != "the service is busy; try again shortly" {
			t.Errorf("%v: detail %q", err, r.detail)
		}
	}
}
