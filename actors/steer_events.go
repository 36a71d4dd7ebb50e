package actors

import "dj/mix"

// The steer stream's events (anchor-api §7.4), in the order they are
// sent, one Go type per payload. A failure ends the stream with an
// `error` event ({"code","message"}, the message safe to show) instead.
const (
	// SteerAck acknowledges the direction at once.
	SteerAck = "ack"
	// SteerProgress is a progress line; its stage is analyzing, adjusting
	// or building (never "playing": playback is not replaced).
	SteerProgress = "progress"
	// SteerThinking previews the model's reasoning (0 or 1 per steer).
	SteerThinking = "thinking"
	// SteerVibeUpdate is the new vibe, already stored, and what changed.
	SteerVibeUpdate = "vibe_update"
	// SteerQueueUpdate is one track added by the rebuild (0–5 per steer).
	SteerQueueUpdate = "queue_update"
	// SteerSuggestions is the queue's final length.
	SteerSuggestions = "suggestions"
	// SteerDone is the last event of a steer that succeeded.
	SteerDone = "done"
)

// SteerAckData is the payload of ack.
type SteerAckData struct {
	Direction string `json:"direction"`
	Message   string `json:"message"`
}

// SteerProgressData is the payload of progress.
type SteerProgressData struct {
	Message string `json:"message"`
	Stage   string `json:"stage"`
}

// SteerThinkingData is the payload of thinking: at most 500 characters
// of the model's reasoning, "..." appended when cut.
type SteerThinkingData struct {
	Preview string `json:"preview"`
}

// SteerVibeUpdateData is the payload of vibe_update.
type SteerVibeUpdateData struct {
	Changes []string `json:"changes"`
	Vibe    mix.Vibe `json:"vibe"`
}

// SteerQueueUpdateData is the payload of queue_update: the track added
// and the queue's length with it.
type SteerQueueUpdateData struct {
	QueueSize int             `json:"queueSize"`
	Track     mix.QueuedTrack `json:"track"`
}

// SteerSuggestionsData is the payload of suggestions.
type SteerSuggestionsData struct {
	Count int `json:"count"`
}

// SteerDoneData is the payload of done: the whole outcome.
type SteerDoneData struct {
	Changes []string          `json:"changes"`
	Message string            `json:"message"`
	Queue   []mix.QueuedTrack `json:"queue"`
	Vibe    mix.Vibe          `json:"vibe"`
}
