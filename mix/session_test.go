package mix

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

// §5.3 #1.
func TestNewSessionDefaults(t *testing.T) {
	s := newTestSession(t)
	want := Vibe{BPMRange: BPMRange{80, 140}, EnergyDirection: Steady, EnergyLevel: 5, Era: Era{2000, 2025}, Genres: []string{}, Mood: []string{}}
	if !vibeEqual(s.Vibe, want) {
		t.Errorf("vibe %+v", s.Vibe)
	}
	if len(s.Queue) != 0 || len(s.History) != 0 || s.TasteModel != nil || s.Plan != nil {
		t.Errorf("not empty: %+v", s)
	}
	if !s.Preferences.AutoFill || s.Preferences.BPMLock != nil || len(s.Preferences.AvoidGenres) != 0 {
		t.Errorf("preferences %+v", s.Preferences)
	}
	if !s.CreatedAt.Equal(t0) || !s.UpdatedAt.Equal(t0) {
		t.Errorf("timestamps %v %v", s.CreatedAt, s.UpdatedAt)
	}
	if _, err := NewSession("not-a-uuid", "u", nil, t0); err == nil {
		t.Error("bad id accepted")
	}
}

// §5.3 #2.
func TestNewSessionCustomPreferences(t *testing.T) {
	p := Preferences{AutoFill: false, AvoidGenres: []string{"country", "metal"}, BPMLock: &BPMRange{120, 130}, FavoriteArtists: []string{"Daft Punk", "Caribou"}}
	s, err := NewSession(testSessionID, "u", &p, t0)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(s.Preferences)
	want, _ := json.Marshal(p)
	if string(got) != string(want) {
		t.Errorf("got %s want %s", got, want)
	}
	p.AvoidGenres[0] = "changed"
	if s.Preferences.AvoidGenres[0] != "country" {
		t.Error("preferences alias the caller's slice")
	}
}

// §5.3 #7: updatedAt moves on write; timestamps are UTC milliseconds.
func TestTouch(t *testing.T) {
	s := newTestSession(t)
	later := t0.Add(10*time.Millisecond + 123*time.Microsecond).In(time.FixedZone("x", 3600))
	s.Touch(later)
	if !s.UpdatedAt.Equal(t0.Add(10*time.Millisecond)) || s.UpdatedAt.Location() != time.UTC {
		t.Errorf("updatedAt %v", s.UpdatedAt)
	}
}

// §5.3 #8 (stats part).
func TestStats(t *testing.T) {
	s := newTestSession(t)
	s.AddToHistory(played("1", nil, nil))
	s.AddToHistory(played("2", nil, nil))
	got := s.Stats(t0.Add(90*time.Second + 900*time.Millisecond))
	if got != (SessionStats{SessionDuration: 90, TracksPlayed: 2}) {
		t.Errorf("got %+v", got)
	}
	if s.Stats(t0.Add(-time.Hour)).SessionDuration != 0 {
		t.Error("negative duration")
	}
}

func TestMixURIs(t *testing.T) {
	s := newTestSession(t)
	s.AddToHistory(played("old", nil, nil))
	s.AddToHistory(played("new", nil, nil))
	_ = s.Enqueue(queued("q"))
	if got := s.MixURIs(true); !eq(got, []string{"spotify:track:old", "spotify:track:new", "spotify:track:q"}) {
		t.Errorf("got %v", got)
	}
	if got := s.MixURIs(false); len(got) != 2 {
		t.Errorf("got %v", got)
	}
}

// The JSON keeps the contract's shape: every field present, lists as [].
func TestSessionJSONShape(t *testing.T) {
	s := newTestSession(t)
	s.Queue, s.History, s.Signals, s.FallbackPool, s.Conversation = nil, nil, nil, nil, nil
	s.Vibe.Genres = nil
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	for _, k := range []string{"id", "userId", "createdAt", "updatedAt", "vibe", "queue", "history", "preferences", "fallbackPool", "signals", "tasteModel", "plan", "conversation"} {
		if _, ok := m[k]; !ok {
			t.Errorf("missing %q in %s", k, b)
		}
	}
	for _, frag := range []string{`"queue":[]`, `"history":[]`, `"genres":[]`, `"tasteModel":null`, `"createdAt":"2025-01-01T20:00:00Z"`, `"bpmLock":null`} {
		if !strings.Contains(string(b), frag) {
			t.Errorf("missing %s in %s", frag, b)
		}
	}
	var back Session
	if err := json.Unmarshal(b, &back); err != nil || back.Validate() != nil {
		t.Errorf("round trip: %v %v", err, back.Validate())
	}
}

// A partial body takes the contract defaults.
func TestUnmarshalDefaults(t *testing.T) {
	var p Preferences
	if err := json.Unmarshal([]byte(`{}`), &p); err != nil || !p.AutoFill {
		t.Errorf("preferences %+v %v", p, err)
	}
	var v Vibe
	if err := json.Unmarshal([]byte(`{"energyLevel":7}`), &v); err != nil || v.EnergyLevel != 7 || v.EnergyDirection != Steady || v.BPMRange.Min != 80 {
		t.Errorf("vibe %+v %v", v, err)
	}
}

func TestSessionValidate(t *testing.T) {
	full := func() *Session {
		s := newTestSession(t)
		_ = s.Enqueue(queued("q"))
		s.AddToHistory(played("h", fp(120), fp(0.5)))
		_, _ = s.RecordSignal(ListenerSignal{TrackID: "h", Type: SignalCompleted}, "A", t0)
		return s
	}
	if err := full().Validate(); err != nil {
		t.Fatalf("valid session rejected: %v", err)
	}
	cases := []struct {
		field  string
		mutate func(*Session)
	}{
		{"id", func(s *Session) { s.ID = "" }},
		{"userId", func(s *Session) { s.UserID = " " }},
		{"createdAt", func(s *Session) { s.CreatedAt = time.Time{} }},
		{"vibe.energyLevel", func(s *Session) { s.Vibe.EnergyLevel = 100 }},
		{"vibe.energyLevel", func(s *Session) { s.Vibe.EnergyLevel = 0 }},
		{"vibe.bpmRange.min", func(s *Session) { s.Vibe.BPMRange.Min = 10 }},
		{"vibe.bpmRange.max", func(s *Session) { s.Vibe.BPMRange.Max = 250 }},
		{"vibe.bpmRange.min", func(s *Session) { s.Vibe.BPMRange = BPMRange{150, 100} }},
		{"vibe.era.start", func(s *Session) { s.Vibe.Era.Start = 1850 }},
		{"vibe.era.end", func(s *Session) { s.Vibe.Era.End = 2150 }},
		{"vibe.energyDirection", func(s *Session) { s.Vibe.EnergyDirection = "unknown" }},
		{"vibe.genres", func(s *Session) { s.Vibe.Genres = []string{""} }},
		{"queue", func(s *Session) { s.Queue = make([]QueuedTrack, 15) }},
		{"queue[0].position", func(s *Session) { s.Queue[0].Position = -1 }},
		{"queue[0].position", func(s *Session) { s.Queue[0].Position = 3 }},
		{"queue[0].addedBy", func(s *Session) { s.Queue[0].AddedBy = "guest" }},
		{"queue[0].vibeScore", func(s *Session) { s.Queue[0].VibeScore = 150 }},
		{"queue[0].vibeScore", func(s *Session) { s.Queue[0].VibeScore = -5 }},
		{"queue[0].trackId", func(s *Session) { s.Queue[0].TrackID = "" }},
		{"queue[0].albumArt", func(s *Session) { s.Queue[0].AlbumArt = "not a url" }},
		{"history", func(s *Session) { s.History = make([]PlayedTrack, 25) }},
		{"history[0].bpm", func(s *Session) { s.History[0].BPM = fp(10) }},
		{"history[0].bpm", func(s *Session) { s.History[0].BPM = fp(250) }},
		{"history[0].energy", func(s *Session) { s.History[0].Energy = fp(-0.1) }},
		{"history[0].energy", func(s *Session) { s.History[0].Energy = fp(1.5) }},
		{"history[0].playedAt", func(s *Session) { s.History[0].PlayedAt = time.Time{} }},
		{"history[0].trackUri", func(s *Session) { s.History[0].TrackURI = "" }},
		{"preferences.bpmLock.min", func(s *Session) { s.Preferences.BPMLock = &BPMRange{10, 100} }},
		{"signals", func(s *Session) { s.Signals = make([]ListenerSignal, 51) }},
		{"signals[0].type", func(s *Session) { s.Signals[0].Type = "liked" }},
		{"signals[0].listenDuration", func(s *Session) { s.Signals[0].ListenDuration = -1 }},
		{"tasteModel.energyPreference", func(s *Session) { s.TasteModel.EnergyPreference = 2 }},
		{"tasteModel.artistAffinities.A", func(s *Session) { s.TasteModel.ArtistAffinities["A"] = 1.5 }},
		{"fallbackPool", func(s *Session) { s.FallbackPool = make([]string, 11) }},
		{"fallbackPool[0]", func(s *Session) { s.FallbackPool = []string{""} }},
		{"conversation[0].role", func(s *Session) { s.Conversation = []ConversationEntry{{Role: "system"}} }},
		{"plan.arc.phases", func(s *Session) { s.Plan = &SetPlan{} }},
	}
	for _, c := range cases {
		s := full()
		c.mutate(s)
		wantField(t, s.Validate(), c.field, ErrInvalid)
	}
	var nilSession *Session
	if nilSession.Validate() == nil {
		t.Error("nil session accepted")
	}
}

func TestSuggestionValidate(t *testing.T) {
	ok := Suggestion{Artist: "a", Name: "n", Reason: "r", TrackID: "t", TrackURI: "u", VibeScore: 50}
	if ok.Validate() != nil {
		t.Fatal("valid suggestion rejected")
	}
	noReason := ok
	noReason.Reason = ""
	wantField(t, noReason.Validate(), "reason", ErrInvalid)
	badBPM := ok
	badBPM.BPM = fp(300)
	wantField(t, badBPM.Validate(), "bpm", ErrInvalid)
}

func TestCloneIsDeep(t *testing.T) {
	s := newTestSession(t)
	_ = s.Enqueue(queued("q"))
	s.AddToHistory(played("h", fp(120), nil))
	s.Vibe.Genres = []string{"rock"}
	_, _ = s.RecordSignal(ListenerSignal{TrackID: "h", Type: SignalSkipped}, "A", t0)
	c := s.Clone()
	c.Queue[0].Name = "x"
	*c.History[0].BPM = 99
	c.Vibe.Genres[0] = "x"
	c.TasteModel.ArtistAffinities["A"] = 1
	c.TasteModel.SkipPatterns[0] = "x"
	if s.Queue[0].Name == "x" || *s.History[0].BPM == 99 || s.Vibe.Genres[0] == "x" ||
		s.TasteModel.ArtistAffinities["A"] == 1 || s.TasteModel.SkipPatterns[0] == "x" {
		t.Error("clone shares state")
	}
}

func TestFormatUUIDv4(t *testing.T) {
	var b [16]byte
	for i := range b {
		b[i] = 0xff
	}
	id := FormatUUIDv4(b)
	if id != "ffffffff-ffff-4fff-bfff-ffffffffffff" || !validUUID(id) {
		t.Errorf("got %s", id)
	}
}

func TestFieldErrorUnwrap(t *testing.T) {
	err := prefixField("queue[1]", invalid("position", "bad"))
	if err.Error() != "queue[1].position: bad" || !errors.Is(err, ErrInvalid) {
		t.Errorf("got %v", err)
	}
}

func vibeEqual(a, b Vibe) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}
