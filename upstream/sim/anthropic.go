package sim

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
)

// AnthropicStreamLatency is the Config.Latency key of the delay before
// each content_block_delta of a streamed answer (the API's 20–60 ms
// between deltas). Absent means no delay, which is what tests want.
const AnthropicStreamLatency = "anthropic.stream"

const (
	idAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	// cacheMinTokens is the shortest prefix the API caches; shorter
	// cache_control prefixes succeed without caching, silently.
	cacheMinTokens = 1024
	cacheMaxKeys   = 4096
)

// anthropicState is the Anthropic simulator's mutable part: the seeded id
// source and the prompt-cache prefixes it has seen.
type anthropicState struct {
	mu    sync.Mutex
	seed  uint64
	rng   *rand.Rand
	cache map[[32]byte]bool
	brain *brain
}

func newAnthropicState(seed uint64, cat *Catalog) *anthropicState {
	return &anthropicState{
		seed:  seed,
		rng:   rand.New(rand.NewPCG(seed, seed^0xa0761d6478bd642f)),
		cache: map[[32]byte]bool{},
		brain: &brain{cat: cat},
	}
}

// newID returns prefix + "01" + 22 base-62 characters from the seeded
// source, like msg_01XyZ…, toolu_01AbC… and req_01….
func (st *anthropicState) newID(prefix string) string {
	st.mu.Lock()
	defer st.mu.Unlock()
	b := make([]byte, 22)
	for i := range b {
		b[i] = idAlphabet[st.rng.IntN(len(idAlphabet))]
	}
	return prefix + "01" + string(b)
}

// rngFor gives a request its own generator for chunking, so the shape of
// a stream depends only on the seed and the message id.
func (st *anthropicState) rngFor(msgID string) *rand.Rand {
	h := fnv.New64a()
	_, _ = h.Write([]byte(msgID))
	return rand.New(rand.NewPCG(st.seed, h.Sum64()))
}

// cacheUse reports how many input tokens a request writes to or reads
// from the prompt cache: creation on the first sight of a prefix, reads
// after that.
func (st *anthropicState) cacheUse(p *parsedRequest) (created, read int) {
	if !usesCacheControl(p) {
		return 0, 0
	}
	prefix := tokensOf(len(p.req.Tools) + len(p.req.System))
	if prefix < cacheMinTokens {
		return 0, 0
	}
	key := sha256.Sum256([]byte(p.model + "\x00" + string(p.req.Tools) + "\x00" + string(p.req.System)))
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.cache[key] {
		return 0, prefix
	}
	if len(st.cache) >= cacheMaxKeys {
		clear(st.cache)
	}
	st.cache[key] = true
	return prefix, 0
}

func usesCacheControl(p *parsedRequest) bool {
	if len(p.req.CacheControl) > 0 {
		return true
	}
	return strings.Contains(string(p.req.System), `"cache_control"`) || strings.Contains(string(p.req.Tools), `"cache_control"`)
}

// tokensOf approximates tokens as one per four bytes.
func tokensOf(n int) int { return (n + 3) / 4 }

// signThinking is the signature the simulator gives its thinking blocks;
// an edited block no longer matches. The key is fixed so signatures
// survive restarts with another seed.
func signThinking(thinking string) string {
	sum := sha256.Sum256([]byte("dj-sim-thinking\x00" + thinking))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// mountAnthropic registers POST /anthropic/v1/messages.
func (s *Server) mountAnthropic() {
	s.anthropic = newAnthropicState(s.cfg.Seed, s.catalog)
	s.onFault("anthropic", s.renderAnthropicFault)
	s.route("anthropic", "POST /v1/messages", s.handleMessages)
}

// handleMessages checks the request like the API (credential, version,
// body), asks the brain for the answer and writes it whole or streamed.
func (s *Server) handleMessages(w http.ResponseWriter, r *http.Request) {
	st := s.anthropic
	reqID := st.newID("req_")
	w.Header().Set("Request-Id", reqID)
	if !anthropicKeyOK(anthropicKey(r)) {
		writeAnthropicError(w, http.StatusUnauthorized, "authentication_error", "invalid x-api-key", reqID)
		return
	}
	version := r.Header.Get("anthropic-version")
	switch version {
	case anthropicV1, anthropicV2026:
	case "":
		writeAnthropicError(w, http.StatusBadRequest, "invalid_request_error", "anthropic-version: header is required", reqID)
		return
	default:
		writeAnthropicError(w, http.StatusBadRequest, "invalid_request_error", "anthropic-version: "+version+" is not a valid version", reqID)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeAnthropicError(w, http.StatusRequestEntityTooLarge, "request_too_large", "Request exceeds the maximum allowed number of bytes.", reqID)
		}
		return
	}
	p, apiErr := parseRequest(body, version)
	if apiErr != nil {
		writeAnthropicError(w, apiErr.status, apiErr.typ, apiErr.msg, reqID)
		return
	}
	if beta := r.Header.Get("anthropic-beta"); beta != "" {
		s.log.Debug("anthropic beta header", "beta", beta, "request_id", reqID)
	}
	msg := st.compose(p, st.brain.answer(newConversation(p)), tokensOf(len(body)))
	fault, faulted := faultFrom(r.Context())
	switch {
	case p.req.Stream:
		s.streamMessage(w, r, msg, fault, faulted)
	case faulted:
		writeFaultedMessage(w, msg, fault, reqID)
	default:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(marshalCompact(msg.message()))
	}
}

// credential reads the key from x-api-key or Authorization: Bearer.
func anthropicKey(r *http.Request) string {
	if k := strings.TrimSpace(r.Header.Get("x-api-key")); k != "" {
		return k
	}
	if a := r.Header.Get("Authorization"); len(a) > 7 && strings.EqualFold(a[:7], "bearer ") {
		return strings.TrimSpace(a[7:])
	}
	return ""
}

// keyAccepted accepts any key except an empty one or one containing
// "invalid", so tests can provoke a 401 without configuration.
func anthropicKeyOK(k string) bool {
	return k != "" && !strings.Contains(strings.ToLower(k), "invalid")
}

// writeFaultedMessage answers a non-streaming request that drew a stream
// fault: an overloaded error for stream_error, a body cut in half for
// stream_cut.
func writeFaultedMessage(w http.ResponseWriter, msg *composed, f Fault, reqID string) {
	if f.Kind == FaultStreamError {
		writeAnthropicError(w, 529, "overloaded_error", "Overloaded", reqID)
		return
	}
	body := marshalCompact(msg.message())
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body[:len(body)/2])
}

func writeAnthropicError(w http.ResponseWriter, status int, typ, msg, reqID string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(marshalCompact(errorBody(typ, msg, reqID)))
}
