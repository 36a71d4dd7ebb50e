package gateway

import (
	"time"

	"github.com/gofiber/fiber/v2"
)

// HealthResponse says the process is up and how it is wired, so an
// operator (or `make run` user) sees at once whether upstreams are real.
type HealthResponse struct {
	Status        string  `json:"status"`
	Version       string  `json:"version"`
	Upstream      string  `json:"upstream"`
	UptimeSeconds float64 `json:"uptime_seconds"`
	Simulator     string  `json:"simulator,omitempty"`
}

func (s *Server) health(c *fiber.Ctx) error {
	return c.JSON(HealthResponse{
		Status:        "healthy",
		Version:       s.cfg.Version,
		Upstream:      s.cfg.Upstream,
		UptimeSeconds: time.Since(s.cfg.StartedAt).Round(time.Millisecond).Seconds(),
		Simulator:     s.cfg.SimulatorURL,
	})
}
