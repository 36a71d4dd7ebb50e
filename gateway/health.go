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
	// Cluster is this node's view of its cluster (cluster mode only), so
	// an operator or a load balancer's check sees a node that lost its
	// peers.
	Cluster *ClusterHealth `json:"cluster,omitempty"`
}

// ClusterHealth is one node's view of the cluster it belongs to.
type ClusterHealth struct {
	Name    string `json:"name"`
	Members int    `json:"members" doc:"nodes this node currently sees, itself included"`
}

func (s *Server) health(*Call, *struct{}) (*HealthResponse, error) {
	return &HealthResponse{
		Status:        "healthy",
		Version:       s.cfg.Version,
		Upstream:      s.cfg.Upstream,
		UptimeSeconds: time.Since(s.cfg.StartedAt).Round(time.Millisecond).Seconds(),
		Simulator:     s.cfg.SimulatorURL,
		DemoUsers:     s.cfg.DemoUsers,
		Cluster:       s.clusterHealth(),
	}, nil
}

func (s *Server) clusterHealth() *ClusterHealth {
	if s.cfg.Cluster == nil {
		return nil
	}
	h := s.cfg.Cluster()
	return &h
}
