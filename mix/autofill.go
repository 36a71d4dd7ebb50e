package mix

// Auto-fill constants from the reference.
const (
	// ExtraSuggestions are requested beyond the gap, since some will turn
	// out to be queued or played already.
	ExtraSuggestions = 3
	// FallbackVibeScore and FallbackReason mark tracks taken from the seed
	// pool when no suggestion could be used.
	FallbackVibeScore = 50
	FallbackReason    = "Fallback from seed playlist"
	// UserVibeScore and UserReason mark tracks the listener added.
	UserVibeScore = 50
	UserReason    = "Manually added"
)

// FillNeed is how many tracks auto-fill should add now: the gap to
// TargetQueueSize, or 0 when auto-fill is off.
func (s *Session) FillNeed() int {
	if !s.Preferences.AutoFill {
		return 0
	}
	return max(0, TargetQueueSize-len(s.Queue))
}

// SuggestionRequest is how many suggestions to ask for to fill the gap.
func (s *Session) SuggestionRequest() int {
	n := s.FillNeed()
	if n == 0 {
		return 0
	}
	return n + ExtraSuggestions
}

// AutoFill appends suggestions to the queue as AI tracks until the gap
// is filled, skipping any already queued or played (or repeated), and
// returns the tracks it added so the caller can push them to Spotify.
func (s *Session) AutoFill(sugs []Suggestion) []QueuedTrack {
	need := s.FillNeed()
	seen := s.knownTracks()
	added := []QueuedTrack{}
	for _, sg := range sugs {
		if len(added) >= need {
			break
		}
		if seen[sg.TrackID] || seen[sg.TrackURI] {
			continue
		}
		q := QueuedTrack{
			AddedBy: AddedByAI, AlbumArt: sg.AlbumArt, Artist: sg.Artist, Name: sg.Name,
			Reason: sg.Reason, TrackID: sg.TrackID, TrackURI: sg.TrackURI,
			VibeScore: int(clamp(float64(sg.VibeScore), MinVibeScore, MaxVibeScore)),
		}
		if s.Enqueue(q) != nil {
			continue
		}
		seen[sg.TrackID], seen[sg.TrackURI] = true, true
		added = append(added, s.Queue[len(s.Queue)-1])
	}
	return added
}

// TakeFallback removes up to n URIs from the front of the fallback pool
// and returns those not yet queued or played. The caller resolves them
// and enqueues them with FallbackVibeScore and FallbackReason; this is
// the path the reference could never reach, used when suggestions fail.
func (s *Session) TakeFallback(n int) []string {
	seen := s.knownTracks()
	var out []string
	i := 0
	for ; i < len(s.FallbackPool) && len(out) < n; i++ {
		if u := s.FallbackPool[i]; !seen[u] {
			seen[u] = true
			out = append(out, u)
		}
	}
	s.FallbackPool = append([]string{}, s.FallbackPool[i:]...)
	return nonNil(out)
}
