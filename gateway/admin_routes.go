package gateway

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"time"

	"dj/actors"
	"dj/internal/dashboard"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gofiber/fiber/v2"
)

const (
	// streamAdminMetrics is the admin stream's kind (the dj_sse_* label).
	streamAdminMetrics = "admin-metrics"
	adminMetricsPath   = "/api/admin/metrics/stream"
	// adminTick is how often the dashboard gets a snapshot.
	adminTick = time.Second
)

// adminRoutes registers the admin dashboard's stream. Without an admin
// token (DJ_ADMIN_TOKEN unset) the route does not exist: it answers 404
// like any unknown API route and is not in the OpenAPI document, so a
// server without a token says nothing about having a dashboard.
func (s *Server) adminRoutes() {
	if s.cfg.AdminToken == "" || s.deps.Streams == nil || s.cfg.Gatherer == nil {
		return
	}
	want := sha256.Sum256([]byte(s.cfg.AdminToken))
	handle(s, operation{Method: "GET", Path: adminMetricsPath, ID: "adminMetricsStream", Tag: "admin", Stream: true,
		Errors: []int{http.StatusUnauthorized, http.StatusServiceUnavailable},
		Summary: "Admin dashboard feed: one `event: snapshot` per second with actors by kind, mailbox depths, message rates " +
			"and latencies, lanes, the global window, breakers, open streams and store hit rates (docs/observability.md); " +
			"needs Authorization: Bearer <DJ_ADMIN_TOKEN>"},
		func(c *Call, _ *struct{}) (*struct{}, error) {
			if err := checkAdmin(c.fiber, want); err != nil {
				return nil, err
			}
			return s.adminMetricsStream(c)
		})
	s.doc.requireAdmin(adminMetricsPath, http.MethodGet)
}

// checkAdmin accepts only "Authorization: Bearer <admin token>". The
// comparison is of SHA-256 digests in constant time, so neither the
// token's bytes nor its length leak through timing.
func checkAdmin(c *fiber.Ctx, want [sha256.Size]byte) error {
	token, ok := bearerToken(c)
	if !ok {
		return adminUnauthorized(c, "missing or malformed admin token")
	}
	got := sha256.Sum256([]byte(token))
	if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
		return adminUnauthorized(c, "invalid admin token")
	}
	return nil
}

func adminUnauthorized(c *fiber.Ctx, detail string) error {
	c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="dj-admin"`)
	return &ProblemError{Status: http.StatusUnauthorized, Detail: detail}
}

// adminMetricsStream opens the stream and hands it a ticker that sends a
// snapshot of the registry at once and then every second. The summarizer
// is the stream's own: its rates are the differences between this
// stream's consecutive snapshots.
func (s *Server) adminMetricsStream(c *Call) (*struct{}, error) {
	st, err := s.openStream(c, actors.OpenOptions{Kind: streamAdminMetrics, Framing: actors.FramingNamed})
	if err != nil {
		return nil, err
	}
	sum := dashboard.New(s.cfg.Gatherer)
	err = st.Tick(adminTick, func(now time.Time) (actors.Event, error) {
		snap, err := sum.Next(now)
		if err != nil {
			return actors.Event{}, err
		}
		return actors.NewEvent("snapshot", snap)
	})
	if err != nil {
		s.log.WarnContext(c.Ctx, "admin metrics stream: ticker not started", "request_id", c.RequestID, "err", err)
		_ = st.Fail("unavailable", "live metrics are not available right now; reconnect shortly")
	}
	return nil, nil
}

// requireAdmin marks an operation as needing the admin token rather than
// a session, under its own security scheme.
func (d *apiDoc) requireAdmin(path, method string) {
	d.t.Components.SecuritySchemes["admin"] = &openapi3.SecuritySchemeRef{Value: openapi3.NewSecurityScheme().
		WithType("http").WithScheme("bearer").
		WithDescription("The operator's admin token (DJ_ADMIN_TOKEN); unrelated to user sessions.")}
	if item := d.t.Paths.Value(path); item != nil {
		if op := item.GetOperation(method); op != nil {
			op.Security = &openapi3.SecurityRequirements{{"admin": []string{}}}
		}
	}
}
