package gateway

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"

	"dj/actors"

	"github.com/gofiber/fiber/v2"
)

// musicRules map what the pass-through service says beyond the upstream
// kinds. They are checked before the central rules (errors.go), whose
// generic upstream kinds they refine: each of these errors also wraps the
// Spotify error it came from.
//
// NO_ACTIVE_DEVICE is 409: the request is fine and so is the account, but
// the player is not in a state to take it; PREMIUM_REQUIRED is 403: the
// account may not do this at all. (The reference echoed Spotify's 404
// and 403 with Spotify's raw text, or mapped both to 403.)
func musicRules() []errorRule {
	return []errorRule{
		{actors.ErrPlaylistNotFound, http.StatusNotFound, "no such playlist among yours (playlists you neither own nor collaborate on cannot be read)"},
		{actors.ErrDeviceNotFound, http.StatusNotFound, "no such Spotify device"},
		{actors.ErrPremiumRequired, http.StatusForbidden, "controlling playback needs Spotify Premium"},
		{actors.ErrNoActiveDevice, http.StatusConflict, "no active Spotify device: start playing on one of your devices, or pick one with PUT /api/player/device"},
		{actors.ErrPlayerRestricted, http.StatusConflict, "Spotify's player cannot do that now (for example, pause while already paused)"},
	}
}

// defaultRetryAfter is the Retry-After, in seconds, of a 503 whose cause
// named no wait of its own (an upstream 5xx, a timeout, an open breaker).
const defaultRetryAfter = "1"

// musicError turns a pass-through failure into a client-safe problem. The
// error's own text, which can hold Spotify's message, is only logged.
// Every 503 carries Retry-After.
func (s *Server) musicError(c *Call, err error) error {
	if err == nil {
		return nil
	}
	var ie *actors.InputError
	if errors.As(err, &ie) {
		s.log.WarnContext(c.Ctx, "spotify rejected a request value", "request_id", c.RequestID, "field", ie.Field, "err", err)
		return InvalidField("body", ie.Field, "Spotify rejected this value")
	}
	for _, r := range musicRules() {
		if errors.Is(err, r.kind) {
			s.log.WarnContext(c.Ctx, "request failed", "request_id", c.RequestID, "status", r.status, "err", err)
			return &ProblemError{Status: r.status, Detail: r.detail}
		}
	}
	mapped := s.mapError(c, err)
	var pe *ProblemError
	if errors.As(mapped, &pe) && pe.Status == http.StatusServiceUnavailable &&
		len(c.fiber.Response().Header.Peek(fiber.HeaderRetryAfter)) == 0 {
		c.fiber.Set(fiber.HeaderRetryAfter, defaultRetryAfter)
	}
	return mapped
}

// renameField points an InputError at the request's own name for the
// field (the service names it after the reference's player routes).
func renameField(err error, field string) error {
	var ie *actors.InputError
	if errors.As(err, &ie) {
		return &actors.InputError{Field: field, Err: ie.Err}
	}
	return err
}

// URI forms the routes accept inside lists, where a struct tag cannot
// reach the items. Compiled once; regexps are safe for concurrent use.
var (
	trackURI    = regexp.MustCompile(`^spotify:track:[0-9A-Za-z]{22}$`)
	playableURI = regexp.MustCompile(`^spotify:(track|episode):[0-9A-Za-z]{22}$`)
)

// checkURIs answers 400 naming every item of field that is not a URI of
// the wanted form.
func checkURIs(field string, uris []string, form *regexp.Regexp) error {
	var bad []FieldError
	for i, u := range uris {
		if !form.MatchString(u) {
			bad = append(bad, FieldError{Location: "body", Field: fmt.Sprintf("%s[%d]", field, i), Message: "must match " + form.String()})
		}
	}
	if bad == nil {
		return nil
	}
	return &ProblemError{Status: http.StatusBadRequest, Detail: "the request body is invalid", Fields: bad}
}
