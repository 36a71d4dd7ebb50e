package sim

import (
	"net/http"
	"strconv"
	"time"
)

// Rate-limit figures the simulated 429 reports in its headers.
const (
	simRequestsPerMinute = 50
	simTokensPerMinute   = 40000
)

// renderAnthropicFault writes an injected status fault in the API's error
// envelope, with the headers a client reads: request-id always, the
// anthropic-ratelimit-* family on 429 (Retry-After is set by the
// framework), x-should-retry on 529.
func (s *Server) renderAnthropicFault(w http.ResponseWriter, f Fault) {
	reqID := s.anthropic.newID("req_")
	h := w.Header()
	h.Set("Request-Id", reqID)
	status := injectedStatus(f.Kind)
	typ, msg := "api_error", "Internal server error"
	switch f.Kind {
	case Fault429:
		typ, msg = "rate_limit_error", "Number of requests has exceeded your per-minute rate limit"
		reset := s.now().Add(time.Duration(max(f.RetryAfter, 1)) * time.Second).UTC().Format(time.RFC3339)
		for _, kind := range []string{"requests", "tokens", "input-tokens", "output-tokens"} {
			limit := simTokensPerMinute
			if kind == "requests" {
				limit = simRequestsPerMinute
			}
			h.Set("anthropic-ratelimit-"+kind+"-limit", strconv.Itoa(limit))
			h.Set("anthropic-ratelimit-"+kind+"-remaining", "0")
			h.Set("anthropic-ratelimit-"+kind+"-reset", reset)
		}
	case Fault529:
		typ, msg = "overloaded_error", "Overloaded"
		h.Set("x-should-retry", "true")
	case Fault401:
		typ, msg = "authentication_error", "invalid x-api-key"
	case Fault503:
		typ, msg = "overloaded_error", "Service unavailable"
	}
	writeAnthropicError(w, status, typ, msg, reqID)
}
