package sim

// Placeholder until the Spotify simulator lands.
type spotifyState struct{}

func (s *Server) mountAccounts() {}
func (s *Server) mountSpotify()  {}
