package gateway

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"
)

const (
	headerRequestID = "X-Request-ID"
	localRequestID  = "dj.request_id"
	maxRequestIDLen = 64
)

// requestIDs gives every request an ID: the caller's X-Request-ID when it
// is sane, a fresh random one otherwise. It is echoed in the response and
// carried into every log line and actor message the request causes.
func requestIDs(c *fiber.Ctx) error {
	id := c.Get(headerRequestID)
	if !validRequestID(id) {
		id = newRequestID()
	}
	c.Locals(localRequestID, id)
	c.Set(headerRequestID, id)
	c.SetUserContext(withRequestID(c.UserContext(), id))
	return c.Next()
}

func validRequestID(id string) bool {
	if id == "" || len(id) > maxRequestIDLen {
		return false
	}
	for _, r := range id {
		ok := r == '-' || r == '_' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
		if !ok {
			return false
		}
	}
	return true
}

func newRequestID() string {
	var b [12]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b[:])
}

// requestID is the ID requestIDs assigned (empty before it ran).
func requestID(c *fiber.Ctx) string {
	id, _ := c.Locals(localRequestID).(string)
	return id
}

// recoverPanics turns a handler panic into a 500 problem and a log line
// with the stack; the process and the connection survive.
func (s *Server) recoverPanics(c *fiber.Ctx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			s.metrics.panics.Inc()
			s.log.ErrorContext(c.UserContext(), "handler panic", "request_id", requestID(c), "route", c.Route().Path, "panic", fmt.Sprint(r), "stack", stack())
			err = writeProblem(c, http.StatusInternalServerError, "internal error; quote the request id when reporting it", nil)
		}
	}()
	return c.Next()
}

// securityHeaders sets the headers the reference app sends on every
// response (anchor-api §1.3), minus the obsolete X-XSS-Protection, plus a
// content security policy suited to the embedded SPA. The names are kept
// in canonical form as bytes, so no request pays for normalising and
// converting eleven names (5 % of a cached read's CPU when set one by one
// with Set).
func securityHeaders(c *fiber.Ctx) error {
	h := &c.Response().Header
	for _, kv := range securityHeaderList {
		h.SetCanonical(kv[0], kv[1])
	}
	return c.Next()
}

// securityHeaderList is what securityHeaders sets: canonical name, value.
// Built once and only read.
var securityHeaderList = func() [][2][]byte {
	var out [][2][]byte
	for _, kv := range [][2]string{
		{"Cross-Origin-Opener-Policy", "same-origin"},
		{"Cross-Origin-Resource-Policy", "same-origin"},
		{"Origin-Agent-Cluster", "?1"},
		{"Permissions-Policy", "camera=(), geolocation=(), microphone=()"},
		{"Referrer-Policy", "strict-origin-when-cross-origin"},
		{"Strict-Transport-Security", "max-age=15552000; includeSubDomains"},
		{"X-Content-Type-Options", "nosniff"},
		{"X-Dns-Prefetch-Control", "off"},
		{"X-Download-Options", "noopen"},
		{"X-Frame-Options", "DENY"},
		{"X-Permitted-Cross-Domain-Policies", "none"},
	} {
		out = append(out, [2][]byte{[]byte(kv[0]), []byte(kv[1])})
	}
	return out
}()

// accessLog writes one line per request. It logs the route pattern, not
// the raw URL, so query strings (OAuth codes, states) never reach logs.
func (s *Server) accessLog(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	if err != nil {
		if herr := s.app.ErrorHandler(c, err); herr != nil {
			s.log.ErrorContext(c.UserContext(), "error handler failed", "request_id", requestID(c), "err", herr)
		}
		err = nil
	}
	status := c.Response().StatusCode()
	route := routeLabel(c)
	elapsed := time.Since(start)
	s.metrics.observe(route, status, elapsed)
	ctx := c.UserContext()
	if s.log.Enabled(ctx, slog.LevelInfo) {
		// LogAttrs with typed attributes: no boxing of each value into an
		// interface and no key/value pairing at run time.
		s.log.LogAttrs(ctx, slog.LevelInfo, "http request",
			slog.String("request_id", requestID(c)),
			slog.String("method", c.Method()),
			slog.String("route", route),
			slog.Int("status", status),
			slog.Float64("duration_ms", float64(elapsed.Microseconds())/1000),
			slog.Int("bytes_in", len(c.Request().Body())),
		)
	}
	return err
}

// routeLabel is the matched route pattern, or a fixed label for requests
// no API route matched, so metric labels stay bounded.
func routeLabel(c *fiber.Ctx) string {
	p := c.Route().Path
	if p == "" || p == "/" || p == "/*" {
		return "static"
	}
	return p
}

// limitBody answers 413 for a body over the configured limit (see the
// BodyLimit note in New for why fasthttp's own limit is set higher).
func (s *Server) limitBody(c *fiber.Ctx) error {
	if len(c.Request().Body()) > s.cfg.BodyLimit {
		return writeProblem(c, http.StatusRequestEntityTooLarge, "request body too large", nil)
	}
	return c.Next()
}
