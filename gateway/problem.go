package gateway

import (
	"errors"
	"net/http"

	"github.com/gofiber/fiber/v2"
)

// Problem is an RFC 9457 problem document. Every error dj answers has this
// shape, so clients handle one format; Detail is always a message written
// for the client, never an internal error's text.
type Problem struct {
	Type      string       `json:"type"`
	Title     string       `json:"title"`
	Status    int          `json:"status"`
	Detail    string       `json:"detail,omitempty"`
	Instance  string       `json:"instance,omitempty"`
	RequestID string       `json:"request_id,omitempty"`
	Errors    []FieldError `json:"errors,omitempty"`
}

// FieldError names one invalid input and what is wrong with it.
type FieldError struct {
	// Location is where the field was: body, query, path or header.
	Location string `json:"location"`
	// Field is the JSON path of the field, e.g. "uris[2]".
	Field   string `json:"field"`
	Message string `json:"message"`
}

// ProblemError is an error a handler returns to answer with a problem.
type ProblemError struct {
	Status int
	Detail string
	Fields []FieldError
}

func (e *ProblemError) Error() string { return e.Detail }

// Problemf makes a ProblemError with a client-safe detail.
func Problemf(status int, detail string) *ProblemError {
	return &ProblemError{Status: status, Detail: detail}
}

// InvalidField makes a 400 naming the offending field.
func InvalidField(location, field, message string) *ProblemError {
	return &ProblemError{
		Status: http.StatusBadRequest,
		Detail: "invalid " + location + " field " + field + ": " + message,
		Fields: []FieldError{{Location: location, Field: field, Message: message}},
	}
}

const problemContentType = "application/problem+json"

// writeProblem answers with a problem document for status.
func writeProblem(c *fiber.Ctx, status int, detail string, fields []FieldError) error {
	id := requestID(c)
	if id == "" {
		// Errors raised before any middleware ran (fasthttp's own 413)
		// still get an ID a user can quote.
		id = newRequestID()
		c.Set(headerRequestID, id)
	}
	p := Problem{
		Type:      "about:blank",
		Title:     http.StatusText(status),
		Status:    status,
		Detail:    detail,
		Instance:  c.Path(),
		RequestID: id,
		Errors:    fields,
	}
	if p.Title == "" {
		p.Title = "Error"
	}
	c.Status(status)
	c.Set(fiber.HeaderContentType, problemContentType)
	return c.JSON(p, problemContentType)
}

// errorHandler turns every error a handler or middleware returns into a
// problem document. Unknown errors become a bare 500: their text may hold
// internals (upstream bodies, paths) and is only logged.
func (s *Server) errorHandler(c *fiber.Ctx, err error) error {
	var pe *ProblemError
	if errors.As(err, &pe) {
		return writeProblem(c, pe.Status, pe.Detail, pe.Fields)
	}
	var fe *fiber.Error
	if errors.As(err, &fe) {
		return writeProblem(c, fe.Code, safeFiberDetail(fe.Code), nil)
	}
	s.log.ErrorContext(c.UserContext(), "request failed", "request_id", requestID(c), "route", c.Route().Path, "err", err)
	return writeProblem(c, http.StatusInternalServerError, "internal error; quote the request id when reporting it", nil)
}

// safeFiberDetail gives a fixed message per status for Fiber's own errors,
// whose texts can echo input back.
func safeFiberDetail(status int) string {
	switch status {
	case http.StatusRequestEntityTooLarge:
		return "request body too large"
	case http.StatusNotFound:
		return "no such resource"
	case http.StatusMethodNotAllowed:
		return "method not allowed on this resource"
	case http.StatusBadRequest:
		return "malformed request"
	default:
		return http.StatusText(status)
	}
}
