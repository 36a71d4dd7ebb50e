package mix

import (
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"
)

// Session limits kept from the reference.
const (
	MaxQueueSize     = 10
	MaxHistorySize   = 20
	MaxSignals       = 50
	MaxFallbackPool  = 10
	MaxConversation  = 50
	TargetQueueSize  = 5 // auto-fill tops the queue up to this many tracks
	maxPreferenceTag = 50
)

// Session (the contract's MixSession) is one user's live mix. It is the
// value stored under the user id and the body of most /api/mix responses.
type Session struct {
	ID           string              `json:"id"`
	UserID       string              `json:"userId"`
	CreatedAt    time.Time           `json:"createdAt"`
	UpdatedAt    time.Time           `json:"updatedAt"`
	Vibe         Vibe                `json:"vibe"`
	Queue        []QueuedTrack       `json:"queue"`
	History      []PlayedTrack       `json:"history"` // newest first
	Preferences  Preferences         `json:"preferences"`
	FallbackPool []string            `json:"fallbackPool"`
	Signals      []ListenerSignal    `json:"signals"` // oldest first
	TasteModel   *TasteModel         `json:"tasteModel"`
	Plan         *SetPlan            `json:"plan"`
	Conversation []ConversationEntry `json:"conversation"`
}

// NewSession starts an empty mix for userID. id must be a UUID (see
// FormatUUIDv4); prefs nil means DefaultPreferences. now is the creation
// time, passed in because the package reads no clock.
func NewSession(id, userID string, prefs *Preferences, now time.Time) (*Session, error) {
	p := DefaultPreferences()
	if prefs != nil {
		p = prefs.clone()
	}
	t := stamp(now)
	s := &Session{
		ID: id, UserID: userID, CreatedAt: t, UpdatedAt: t,
		Vibe: DefaultVibe(), Queue: []QueuedTrack{}, History: []PlayedTrack{},
		Preferences: p, FallbackPool: []string{}, Signals: []ListenerSignal{},
		Conversation: []ConversationEntry{},
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return s, nil
}

// stamp normalises a time the way JavaScript's toISOString shows it:
// UTC, millisecond precision.
func stamp(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

// Touch records a write at now; the store calls it before saving.
func (s *Session) Touch(now time.Time) { s.UpdatedAt = stamp(now) }

// Validate checks the whole session: ids, timestamps, every nested value
// and the list limits, including that queue positions equal their index.
func (s *Session) Validate() error {
	if s == nil {
		return invalid("session", "required")
	}
	if !validUUID(s.ID) {
		return invalid("id", "must be a UUID")
	}
	if strings.TrimSpace(s.UserID) == "" {
		return invalid("userId", "required")
	}
	if s.CreatedAt.IsZero() {
		return invalid("createdAt", "required")
	}
	if s.UpdatedAt.IsZero() {
		return invalid("updatedAt", "required")
	}
	if err := s.Vibe.Validate(); err != nil {
		return prefixField("vibe", err)
	}
	if err := s.Preferences.Validate(); err != nil {
		return prefixField("preferences", err)
	}
	for _, check := range []func() error{s.validateQueue, s.validateHistory, s.validateSignals, s.validateExtras} {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

// validateQueue checks the queue size and each entry, including the
// position-equals-index invariant every queue operation maintains.
func (s *Session) validateQueue() error {
	if len(s.Queue) > MaxQueueSize {
		return invalid("queue", "at most %d tracks", MaxQueueSize)
	}
	for i, q := range s.Queue {
		if err := q.Validate(); err != nil {
			return prefixField("queue["+itoa(i)+"]", err)
		}
		if q.Position != i {
			return invalid("queue["+itoa(i)+"].position", "must equal its index")
		}
	}
	return nil
}

// validateHistory checks the history size and each entry.
func (s *Session) validateHistory() error {
	if len(s.History) > MaxHistorySize {
		return invalid("history", "at most %d tracks", MaxHistorySize)
	}
	for i, p := range s.History {
		if err := p.Validate(); err != nil {
			return prefixField("history["+itoa(i)+"]", err)
		}
	}
	return nil
}

// validateSignals checks the signal log and the taste model.
func (s *Session) validateSignals() error {
	if len(s.Signals) > MaxSignals {
		return invalid("signals", "at most %d entries", MaxSignals)
	}
	for i, sig := range s.Signals {
		if err := sig.Validate(); err != nil {
			return prefixField("signals["+itoa(i)+"]", err)
		}
	}
	if s.TasteModel != nil {
		if err := s.TasteModel.Validate(); err != nil {
			return prefixField("tasteModel", err)
		}
	}
	return nil
}

// validateExtras checks the fallback pool, the plan and the conversation.
func (s *Session) validateExtras() error {
	if len(s.FallbackPool) > MaxFallbackPool {
		return invalid("fallbackPool", "at most %d URIs", MaxFallbackPool)
	}
	for i, u := range s.FallbackPool {
		if strings.TrimSpace(u) == "" {
			return invalid("fallbackPool["+itoa(i)+"]", "must not be blank")
		}
	}
	if s.Plan != nil {
		if err := s.Plan.Validate(); err != nil {
			return prefixField("plan", err)
		}
	}
	if len(s.Conversation) > MaxConversation {
		return invalid("conversation", "at most %d entries", MaxConversation)
	}
	for i, c := range s.Conversation {
		if err := c.Validate(); err != nil {
			return prefixField("conversation["+itoa(i)+"]", err)
		}
	}
	return nil
}

// Clone returns a deep copy. An actor hands clones out so the HTTP layer
// can serialise a session while the actor keeps mutating its own.
func (s *Session) Clone() *Session {
	if s == nil {
		return nil
	}
	c := *s
	c.Vibe = s.Vibe.Clone()
	c.Queue = cloneSlice(s.Queue)
	c.History = make([]PlayedTrack, len(s.History))
	for i, p := range s.History {
		c.History[i] = p.clone()
	}
	c.Preferences = s.Preferences.clone()
	c.FallbackPool = cloneSlice(s.FallbackPool)
	c.Signals = cloneSlice(s.Signals)
	if s.TasteModel != nil {
		c.TasteModel = s.TasteModel.clone()
	}
	if s.Plan != nil {
		c.Plan = s.Plan.clone()
	}
	c.Conversation = make([]ConversationEntry, len(s.Conversation))
	for i, e := range s.Conversation {
		e.ToolCalls = cloneSlice(e.ToolCalls)
		c.Conversation[i] = e
	}
	return &c
}

// MarshalJSON writes nil lists as [] so the JSON keeps the contract shape.
func (s Session) MarshalJSON() ([]byte, error) {
	type plain Session
	p := plain(s)
	p.Queue = nonNil(p.Queue)
	p.History = nonNil(p.History)
	p.FallbackPool = nonNil(p.FallbackPool)
	p.Signals = nonNil(p.Signals)
	p.Conversation = nonNil(p.Conversation)
	return json.Marshal(p)
}

// SessionStats is what ending a session reports.
type SessionStats struct {
	SessionDuration int64 `json:"sessionDuration"` // whole seconds since creation
	TracksPlayed    int   `json:"tracksPlayed"`    // history length (≤ MaxHistorySize)
}

// Stats reports the played-track count and the whole seconds since the
// session began, as of now.
func (s *Session) Stats(now time.Time) SessionStats {
	secs := int64(now.Sub(s.CreatedAt) / time.Second)
	return SessionStats{SessionDuration: max(0, secs), TracksPlayed: len(s.History)}
}

// MixURIs lists the tracks to save as a playlist: history oldest first,
// then (if includeQueue) the queue in order.
func (s *Session) MixURIs(includeQueue bool) []string {
	uris := make([]string, 0, len(s.History)+len(s.Queue))
	for i := len(s.History) - 1; i >= 0; i-- {
		uris = append(uris, s.History[i].TrackURI)
	}
	if includeQueue {
		for _, q := range s.Queue {
			uris = append(uris, q.TrackURI)
		}
	}
	return uris
}

// Preferences (the contract's SessionPreferences) are the listener's
// standing choices for the session.
type Preferences struct {
	AutoFill        bool      `json:"autoFill"`
	AvoidGenres     []string  `json:"avoidGenres"`
	BPMLock         *BPMRange `json:"bpmLock"`
	FavoriteArtists []string  `json:"favoriteArtists"`
}

// DefaultPreferences are used when a session starts without any.
func DefaultPreferences() Preferences {
	return Preferences{AutoFill: true, AvoidGenres: []string{}, FavoriteArtists: []string{}}
}

// Validate checks the BPM lock and the list sizes.
func (p Preferences) Validate() error {
	if p.BPMLock != nil {
		if err := p.BPMLock.Validate(); err != nil {
			return prefixField("bpmLock", err)
		}
	}
	if len(p.AvoidGenres) > maxPreferenceTag {
		return invalid("avoidGenres", "at most %d entries", maxPreferenceTag)
	}
	if len(p.FavoriteArtists) > maxPreferenceTag {
		return invalid("favoriteArtists", "at most %d entries", maxPreferenceTag)
	}
	return nil
}

// clone deep-copies the lists and the lock.
func (p Preferences) clone() Preferences {
	p.AvoidGenres = cloneSlice(p.AvoidGenres)
	p.FavoriteArtists = cloneSlice(p.FavoriteArtists)
	if p.BPMLock != nil {
		p.BPMLock = ptr(*p.BPMLock)
	}
	return p
}

// MarshalJSON writes nil lists as [].
func (p Preferences) MarshalJSON() ([]byte, error) {
	type plain Preferences
	q := plain(p)
	q.AvoidGenres = nonNil(q.AvoidGenres)
	q.FavoriteArtists = nonNil(q.FavoriteArtists)
	return json.Marshal(q)
}

// UnmarshalJSON fills absent fields with the defaults (autoFill true), as
// the contract's schema does for a partial body.
func (p *Preferences) UnmarshalJSON(b []byte) error {
	type plain Preferences
	q := plain(DefaultPreferences())
	if err := json.Unmarshal(b, &q); err != nil {
		return err
	}
	*p = Preferences(q)
	return nil
}

// ConversationEntry is a chat turn kept with the session (the contract
// reserves the field; nothing writes it yet).
type ConversationEntry struct {
	Content   string   `json:"content"`
	Role      string   `json:"role"`
	Timestamp int64    `json:"timestamp"`
	ToolCalls []string `json:"toolCalls,omitempty"`
}

// Validate checks the role.
func (c ConversationEntry) Validate() error {
	if c.Role != "user" && c.Role != "assistant" {
		return invalid("role", "must be user or assistant")
	}
	return nil
}

// FormatUUIDv4 turns 16 random bytes (supplied by the caller, since this
// package has no randomness) into a version-4 UUID string.
func FormatUUIDv4(b [16]byte) string {
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// validUUID checks the 8-4-4-4-12 hexadecimal form.
func validUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
				return false
			}
		}
	}
	return true
}
