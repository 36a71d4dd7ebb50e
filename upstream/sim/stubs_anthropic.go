package sim

// Placeholder until the Anthropic simulator lands.
type anthropicState struct{}

func (s *Server) mountAnthropic() {}
