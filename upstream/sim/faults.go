package sim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// FaultKind names one way an upstream can misbehave.
type FaultKind string

// The fault kinds the simulator can inject. Most are rendered by the
// framework before the API handler runs; the stream kinds are handed to
// the handler (see faultFrom) because only it knows where a stream breaks.
const (
	Fault429       FaultKind = "429"       // HTTP 429 with Retry-After
	Fault500       FaultKind = "500"       // HTTP 500 in the API's error shape
	Fault502       FaultKind = "502"       // HTTP 502
	Fault503       FaultKind = "503"       // HTTP 503
	Fault529       FaultKind = "529"       // HTTP 529 overloaded (Anthropic)
	Fault401       FaultKind = "401"       // forced expired/invalid token
	FaultHang      FaultKind = "hang"      // never answer until the client gives up
	FaultReset     FaultKind = "reset"     // TCP reset without a response
	FaultMalformed FaultKind = "malformed" // 200 with a body that is not valid JSON
	FaultError200  FaultKind = "error200"  // 200 whose body is the API's error object
	// FaultStreamError makes a streaming answer send `event: error` after
	// Fault.After events; FaultStreamCut ends it without message_stop.
	FaultStreamError FaultKind = "stream_error"
	FaultStreamCut   FaultKind = "stream_cut"
)

var faultKinds = map[FaultKind]bool{
	Fault429: true, Fault500: true, Fault502: true, Fault503: true, Fault529: true,
	Fault401: true, FaultHang: true, FaultReset: true, FaultMalformed: true,
	FaultError200: true, FaultStreamError: true, FaultStreamCut: true,
}

// Fault is one injection rule. It fires on requests to API whose path
// (below the API's prefix, e.g. "/v1/me/player") starts with Path, or, for
// Last.fm, whose method equals Path; Count limits how many requests it
// hits (0 means until cleared).
type Fault struct {
	API        string    `json:"api"`
	Path       string    `json:"path,omitempty"`
	Kind       FaultKind `json:"kind"`
	Count      int       `json:"count,omitempty"`
	RetryAfter int       `json:"retry_after,omitempty"` // seconds, for 429
	Code       int       `json:"code,omitempty"`        // upstream code for error200
	After      int       `json:"after,omitempty"`       // events before a stream fault
	Hits       int       `json:"hits"`                  // how often it fired (read-only)
}

func (f Fault) validate() error {
	if _, ok := apiPrefixes[f.API]; !ok {
		return fmt.Errorf("fault: unknown api %q", f.API)
	}
	if !faultKinds[f.Kind] {
		return fmt.Errorf("fault: unknown kind %q", f.Kind)
	}
	if f.Count < 0 || f.RetryAfter < 0 || f.After < 0 {
		return errors.New("fault: count, retry_after and after must not be negative")
	}
	return nil
}

// ParseFault reads the flag form api:kind[:key=value,...], for example
// "lastfm:429:retry_after=2,count=3" or "spotify:hang:path=/v1/me/player".
func ParseFault(s string) (Fault, error) {
	parts := strings.SplitN(s, ":", 3)
	if len(parts) < 2 {
		return Fault{}, fmt.Errorf("fault %q: want api:kind[:key=value,...]", s)
	}
	f := Fault{API: parts[0], Kind: FaultKind(parts[1])}
	if len(parts) == 3 {
		for _, kv := range strings.Split(parts[2], ",") {
			if err := f.setOption(kv); err != nil {
				return Fault{}, fmt.Errorf("fault %q: %w", s, err)
			}
		}
	}
	return f, f.validate()
}

func (f *Fault) setOption(kv string) error {
	k, v, ok := strings.Cut(kv, "=")
	if !ok {
		return fmt.Errorf("option %q: want key=value", kv)
	}
	if k == "path" {
		f.Path = v
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return fmt.Errorf("option %q: %w", kv, err)
	}
	switch k {
	case "count":
		f.Count = n
	case "retry_after":
		f.RetryAfter = n
	case "code":
		f.Code = n
	case "after":
		f.After = n
	default:
		return fmt.Errorf("unknown option %q", k)
	}
	return nil
}

// faultSet holds the active rules; the first matching rule fires.
type faultSet struct {
	mu    sync.Mutex
	rules []*Fault
}

func (fs *faultSet) add(f Fault) error {
	if err := f.validate(); err != nil {
		return err
	}
	f.Hits = 0
	fs.mu.Lock()
	fs.rules = append(fs.rules, &f)
	fs.mu.Unlock()
	return nil
}

func (fs *faultSet) clear() {
	fs.mu.Lock()
	fs.rules = nil
	fs.mu.Unlock()
}

func (fs *faultSet) list() []Fault {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	out := make([]Fault, 0, len(fs.rules))
	for _, f := range fs.rules {
		out = append(out, *f)
	}
	return out
}

// take returns the rule that fires for this request, consuming one of its
// hits; rules whose count is spent are removed.
func (fs *faultSet) take(api string, r *http.Request, subpath string) (Fault, bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for i, f := range fs.rules {
		if f.API != api || !f.matches(r, subpath) {
			continue
		}
		f.Hits++
		fired := *f
		if f.Count > 0 && f.Hits >= f.Count {
			fs.rules = append(fs.rules[:i], fs.rules[i+1:]...)
		}
		return fired, true
	}
	return Fault{}, false
}

func (f *Fault) matches(r *http.Request, subpath string) bool {
	if f.Path == "" || strings.HasPrefix(subpath, f.Path) {
		return true
	}
	return f.API == "lastfm" && strings.EqualFold(r.URL.Query().Get("method"), f.Path)
}

type faultKey struct{}

// faultFrom returns the stream fault the framework handed to a handler.
func faultFrom(ctx context.Context) (Fault, bool) {
	f, ok := ctx.Value(faultKey{}).(Fault)
	return f, ok
}

// injectedStatus is the HTTP status a generic fault kind answers with.
func injectedStatus(k FaultKind) int {
	switch k {
	case Fault429:
		return http.StatusTooManyRequests
	case Fault401:
		return http.StatusUnauthorized
	case Fault502:
		return http.StatusBadGateway
	case Fault503:
		return http.StatusServiceUnavailable
	case Fault529:
		return 529
	case FaultError200:
		return http.StatusOK
	default:
		return http.StatusInternalServerError
	}
}

// resetConnection closes the client's connection with an RST and no
// response, the way a crashing upstream or a middlebox does.
func resetConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
