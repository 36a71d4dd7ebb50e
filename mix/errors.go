package mix

import (
	"errors"
	"fmt"
)

// Sentinel errors let the HTTP layer map domain failures to status codes
// with errors.Is, without parsing messages.
var (
	// ErrQueueFull is returned when a track is added to a queue that
	// already holds MaxQueueSize tracks.
	ErrQueueFull = errors.New("mix: queue is full")
	// ErrNotFound is returned when a track looked up in the queue is absent.
	ErrNotFound = errors.New("mix: not found")
	// ErrInvalidPosition is returned for a queue index outside the queue.
	ErrInvalidPosition = errors.New("mix: invalid position")
	// ErrInvalid is returned when a value breaks a model invariant.
	ErrInvalid = errors.New("mix: invalid value")
	// ErrNoAdjustment is returned when a steering reply holds no usable change.
	ErrNoAdjustment = errors.New("mix: no usable vibe adjustment")
)

// FieldError names the offending field (a JSON path such as
// "queue[2].position") so a 400 response can point the client at it.
type FieldError struct {
	Field  string
	Reason string
	Err    error
}

// Error renders "field: reason".
func (e *FieldError) Error() string {
	return fmt.Sprintf("%s: %s", e.Field, e.Reason)
}

// Unwrap exposes the sentinel (ErrInvalid, ErrInvalidPosition, …).
func (e *FieldError) Unwrap() error { return e.Err }

// invalid builds a FieldError wrapping ErrInvalid.
func invalid(field, format string, args ...any) error {
	return &FieldError{Field: field, Reason: fmt.Sprintf(format, args...), Err: ErrInvalid}
}

// prefixField re-roots a FieldError under a parent path, so nested
// Validate calls report full paths.
func prefixField(parent string, err error) error {
	var fe *FieldError
	if errors.As(err, &fe) {
		return &FieldError{Field: parent + "." + fe.Field, Reason: fe.Reason, Err: fe.Err}
	}
	return err
}
