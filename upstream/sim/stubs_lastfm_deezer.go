package sim

// Placeholder until the Last.fm and Deezer simulators land.
func (s *Server) mountLastfm() {}
func (s *Server) mountDeezer() {}
