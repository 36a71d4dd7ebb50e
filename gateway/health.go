package gateway

import "time"

// HealthResponse says the process is up and how it is wired, so an
// operator (or `make run` user) sees at once whether upstreams are real.
type HealthResponse struct {
	Status        string  `json:"status"`
	Version       string  `json:"version"`
	Upstream      string  `json:"upstream"`
	UptimeSeconds float64 `json:"uptime_seconds"`
	Simulator     string  `json:"simulator,omitempty" doc:"base URL of the simulator (sim mode only)"`
	// DemoUsers are the simulator's users the login page offers.
	DemoUsers []string `json:"demo_users,omitempty"`
}

func (s *Server) health(*Call, *struct{}) (*HealthResponse, error) {
	return &HealthResponse{
		Status:        "healthy",
		Version:       s.cfg.Version,
		Upstream:      s.cfg.Upstream,
		UptimeSeconds: time.Since(s.cfg.StartedAt).Round(time.Millisecond).Seconds(),
		Simulator:     s.cfg.SimulatorURL,
		DemoUsers:     s.cfg.DemoUsers,
	}, nil
}
