package actors

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"

	"dj/mix"
	djproto "dj/proto"
	"dj/store"
)

// Conversions between the session actor's messages and the protobuf
// messages of proto/session.proto, which is what crosses nodes in cluster
// mode. Domain values travel as their canonical JSON (what the store
// writes); a zero value travels as no bytes. On the way back a session is
// validated like any value read from the store. Request arguments are not
// validated here: the session grain applies them exactly as a local
// session actor would, so a bad argument fails the same way on any node.

// sessionRequestToProto converts a request for a session grain. Only the
// requests Mixes sends are known; anything else is an error.
func sessionRequestToProto(req sessionRequest) (*djproto.SessionRequest, error) {
	out := &djproto.SessionRequest{RequestId: req.requestID()}
	var err error
	switch r := req.(type) {
	case *getSession:
		out.Op = &djproto.SessionRequest_Get{Get: &djproto.GetSession{}}
	case *createSession:
		c := &djproto.CreateSession{SessionId: r.id, FallbackPool: r.pool, Restart: r.restart}
		if r.prefs != nil {
			c.PreferencesJson, err = domainJSON(*r.prefs, true)
		}
		if err == nil {
			c.VibeJson, err = domainJSON(r.vibe, false)
		}
		out.Op = &djproto.SessionRequest_Create{Create: c}
	case *endSession:
		out.Op = &djproto.SessionRequest_End{End: &djproto.EndSession{}}
	case *insertTrack:
		in := &djproto.InsertTrack{}
		in.TrackJson, err = domainJSON(r.track, true)
		if r.position != nil {
			p := int64(*r.position)
			in.Position = &p
		}
		out.Op = &djproto.SessionRequest_InsertTrack{InsertTrack: in}
	case *removeTrack:
		out.Op = &djproto.SessionRequest_RemoveTrack{RemoveTrack: &djproto.RemoveTrack{Position: int64(r.position)}}
	case *moveTrack:
		out.Op = &djproto.SessionRequest_MoveTrack{MoveTrack: &djproto.MoveTrack{From: int64(r.from), To: int64(r.to)}}
	case *setVibe:
		sv := &djproto.SetVibe{}
		sv.PatchJson, err = domainJSON(r.patch, true)
		out.Op = &djproto.SessionRequest_SetVibe{SetVibe: sv}
	case *steerVibe:
		sv := &djproto.SteerVibe{}
		sv.AdjustmentJson, err = domainJSON(r.adj, true)
		out.Op = &djproto.SessionRequest_SteerVibe{SteerVibe: sv}
	case *applyFill:
		af := &djproto.ApplyFill{SessionId: r.sessionID}
		af.SuggestionsJson, err = domainList(r.suggestions)
		out.Op = &djproto.SessionRequest_ApplyFill{ApplyFill: af}
	case *takeFallback:
		out.Op = &djproto.SessionRequest_TakeFallback{TakeFallback: &djproto.TakeFallback{SessionId: r.sessionID, N: int64(r.n)}}
	case *recordPlay:
		rp := &djproto.RecordPlay{}
		rp.PlayedJson, err = domainJSON(r.played, true)
		out.Op = &djproto.SessionRequest_RecordPlay{RecordPlay: rp}
	case *setPreferences:
		var sp *djproto.SetPreferences
		sp, err = preferencesPatchToProto(r.patch)
		out.Op = &djproto.SessionRequest_SetPreferences{SetPreferences: sp}
	case *recordSignal:
		rs := &djproto.RecordSignal{Artist: r.artist}
		rs.SignalJson, err = domainJSON(r.sig, true)
		out.Op = &djproto.SessionRequest_RecordSignal{RecordSignal: rs}
	default:
		return nil, fmt.Errorf("session request %T has no protobuf form", req)
	}
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", messageName(req), err)
	}
	return out, nil
}

// sessionRequestFromProto is the inverse of sessionRequestToProto.
func sessionRequestFromProto(in *djproto.SessionRequest) (sessionRequest, error) {
	id := in.GetRequestId()
	var err error
	var out sessionRequest
	switch op := in.GetOp().(type) {
	case *djproto.SessionRequest_Get:
		out = &getSession{reqID: id}
	case *djproto.SessionRequest_Create:
		c := op.Create
		r := &createSession{reqID: id, id: c.GetSessionId(), pool: nilIfEmpty(c.GetFallbackPool()), restart: c.GetRestart()}
		if b := c.GetPreferencesJson(); len(b) > 0 {
			r.prefs = new(mix.Preferences)
			err = json.Unmarshal(b, r.prefs)
		}
		if err == nil {
			err = fromDomainJSON(c.GetVibeJson(), &r.vibe)
		}
		out = r
	case *djproto.SessionRequest_End:
		out = &endSession{reqID: id}
	case *djproto.SessionRequest_InsertTrack:
		r := &insertTrack{reqID: id}
		err = fromDomainJSON(op.InsertTrack.GetTrackJson(), &r.track)
		if op.InsertTrack.Position != nil {
			p := int(op.InsertTrack.GetPosition())
			r.position = &p
		}
		out = r
	case *djproto.SessionRequest_RemoveTrack:
		out = &removeTrack{reqID: id, position: int(op.RemoveTrack.GetPosition())}
	case *djproto.SessionRequest_MoveTrack:
		out = &moveTrack{reqID: id, from: int(op.MoveTrack.GetFrom()), to: int(op.MoveTrack.GetTo())}
	case *djproto.SessionRequest_SetVibe:
		r := &setVibe{reqID: id}
		err = fromDomainJSON(op.SetVibe.GetPatchJson(), &r.patch)
		out = r
	case *djproto.SessionRequest_SteerVibe:
		r := &steerVibe{reqID: id}
		err = fromDomainJSON(op.SteerVibe.GetAdjustmentJson(), &r.adj)
		out = r
	case *djproto.SessionRequest_ApplyFill:
		r := &applyFill{reqID: id, sessionID: op.ApplyFill.GetSessionId()}
		r.suggestions, err = fromDomainList[mix.Suggestion](op.ApplyFill.GetSuggestionsJson())
		out = r
	case *djproto.SessionRequest_TakeFallback:
		out = &takeFallback{reqID: id, sessionID: op.TakeFallback.GetSessionId(), n: int(op.TakeFallback.GetN())}
	case *djproto.SessionRequest_RecordPlay:
		r := &recordPlay{reqID: id}
		err = fromDomainJSON(op.RecordPlay.GetPlayedJson(), &r.played)
		out = r
	case *djproto.SessionRequest_SetPreferences:
		r := &setPreferences{reqID: id}
		r.patch, err = preferencesPatchFromProto(op.SetPreferences)
		out = r
	case *djproto.SessionRequest_RecordSignal:
		r := &recordSignal{reqID: id, artist: op.RecordSignal.GetArtist()}
		err = fromDomainJSON(op.RecordSignal.GetSignalJson(), &r.sig)
		out = r
	default:
		return nil, fmt.Errorf("session request %q: no known operation (%T)", id, in.GetOp())
	}
	if err != nil {
		return nil, fmt.Errorf("decode session request %s: %w", messageName(out), err)
	}
	return out, nil
}

func preferencesPatchToProto(p PreferencesPatch) (*djproto.SetPreferences, error) {
	out := &djproto.SetPreferences{AutoFill: p.AutoFill, ClearBpmLock: p.ClearBPMLock}
	if p.AvoidGenres != nil {
		out.AvoidGenres = &djproto.StringList{Values: p.AvoidGenres}
	}
	if p.FavoriteArtists != nil {
		out.FavoriteArtists = &djproto.StringList{Values: p.FavoriteArtists}
	}
	if p.BPMLock != nil {
		b, err := json.Marshal(p.BPMLock)
		if err != nil {
			return nil, err
		}
		out.BpmLockJson = b
	}
	return out, nil
}

func preferencesPatchFromProto(in *djproto.SetPreferences) (PreferencesPatch, error) {
	p := PreferencesPatch{ClearBPMLock: in.GetClearBpmLock()}
	if in.AutoFill != nil {
		v := in.GetAutoFill()
		p.AutoFill = &v
	}
	if l := in.GetAvoidGenres(); l != nil {
		p.AvoidGenres = append([]string{}, l.GetValues()...)
	}
	if l := in.GetFavoriteArtists(); l != nil {
		p.FavoriteArtists = append([]string{}, l.GetValues()...)
	}
	if b := in.GetBpmLockJson(); len(b) > 0 {
		p.BPMLock = new(mix.BPMRange)
		if err := json.Unmarshal(b, p.BPMLock); err != nil {
			return p, fmt.Errorf("bpm lock: %w", err)
		}
	}
	return p, nil
}

// sessionReplyToProto converts a grain's reply. A reply that cannot be
// encoded becomes an internal error reply, so the caller never waits for
// its timeout.
func sessionReplyToProto(r *sessionReply) *djproto.SessionReply {
	if r.err != nil {
		return &djproto.SessionReply{Error: sessionErrorToProto(r.err)}
	}
	out := &djproto.SessionReply{Created: r.created, Uris: r.uris}
	var err error
	if r.sess != nil {
		out.SessionJson, err = json.Marshal(r.sess)
	}
	if err == nil {
		out.AddedJson, err = domainList(r.added)
	}
	if err == nil {
		out.AdvanceJson, err = domainJSON(r.advance, false)
	}
	if err == nil {
		out.VibeBeforeJson, err = domainJSON(r.before, false)
	}
	if err == nil {
		out.StatsJson, err = domainJSON(r.stats, false)
	}
	if err != nil {
		return &djproto.SessionReply{Error: sessionErrorToProto(fmt.Errorf("encode session reply: %w", err))}
	}
	return out
}

// sessionReplyFromProto is the inverse of sessionReplyToProto. A decoded
// error is in the reply's err; the returned error is for a reply that
// could not be decoded.
func sessionReplyFromProto(in *djproto.SessionReply) (*sessionReply, error) {
	if e := in.GetError(); e != nil {
		return &sessionReply{err: sessionErrorFromProto(e)}, nil
	}
	r := &sessionReply{created: in.GetCreated(), uris: nilIfEmpty(in.GetUris())}
	var err error
	if b := in.GetSessionJson(); len(b) > 0 {
		r.sess = new(mix.Session)
		if err = json.Unmarshal(b, r.sess); err == nil {
			err = r.sess.Validate()
		}
	}
	if err == nil {
		r.added, err = fromDomainList[mix.QueuedTrack](in.GetAddedJson())
	}
	if err == nil {
		err = fromDomainJSON(in.GetAdvanceJson(), &r.advance)
	}
	if err == nil {
		err = fromDomainJSON(in.GetVibeBeforeJson(), &r.before)
	}
	if err == nil {
		err = fromDomainJSON(in.GetStatsJson(), &r.stats)
	}
	if err != nil {
		return nil, fmt.Errorf("decode session reply: %w", err)
	}
	return r, nil
}

// domainJSON is v's canonical JSON; nil for a zero v unless always.
func domainJSON(v any, always bool) ([]byte, error) {
	if !always && reflect.ValueOf(v).IsZero() {
		return nil, nil
	}
	return json.Marshal(v)
}

// fromDomainJSON decodes b into v; no bytes leave v at its zero value.
func fromDomainJSON(b []byte, v any) error {
	if len(b) == 0 {
		return nil
	}
	return json.Unmarshal(b, v)
}

// domainList encodes each element; an empty list is no elements.
func domainList[T any](list []T) ([][]byte, error) {
	if len(list) == 0 {
		return nil, nil
	}
	out := make([][]byte, len(list))
	for i := range list {
		b, err := json.Marshal(list[i])
		if err != nil {
			return nil, fmt.Errorf("element %d: %w", i, err)
		}
		out[i] = b
	}
	return out, nil
}

// fromDomainList decodes each element; no elements is a nil list.
func fromDomainList[T any](in [][]byte) ([]T, error) {
	if len(in) == 0 {
		return nil, nil
	}
	out := make([]T, len(in))
	for i, b := range in {
		if err := json.Unmarshal(b, &out[i]); err != nil {
			return nil, fmt.Errorf("element %d: %w", i, err)
		}
	}
	return out, nil
}

// nilIfEmpty keeps "no entries" one value (nil) after decoding.
func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

// maxErrorMessage caps the message an error carries to the caller's logs.
const maxErrorMessage = 1024

// sessionErrorKinds maps the sentinel errors callers branch on with
// errors.Is to their wire codes. Order matters: the first kind an error
// matches is the one sent (ErrNoMix wraps mix.ErrNotFound, so it comes
// first), and an error that matches several keeps only that one.
var sessionErrorKinds = []struct {
	code djproto.ErrorCode
	err  error
}{
	{djproto.ErrorCode_ERROR_CODE_NO_MIX, ErrNoMix},
	{djproto.ErrorCode_ERROR_CODE_NOT_FOUND, mix.ErrNotFound},
	{djproto.ErrorCode_ERROR_CODE_QUEUE_FULL, mix.ErrQueueFull},
	{djproto.ErrorCode_ERROR_CODE_INVALID_POSITION, mix.ErrInvalidPosition},
	{djproto.ErrorCode_ERROR_CODE_INVALID, mix.ErrInvalid},
	{djproto.ErrorCode_ERROR_CODE_NO_ADJUSTMENT, mix.ErrNoAdjustment},
	{djproto.ErrorCode_ERROR_CODE_SESSION_CRASHED, errSessionCrashed},
	{djproto.ErrorCode_ERROR_CODE_WAIT_TIMEOUT, ErrWaitTimeout},
	{djproto.ErrorCode_ERROR_CODE_SHUTTING_DOWN, ErrShuttingDown},
	{djproto.ErrorCode_ERROR_CODE_DEADLINE_EXCEEDED, context.DeadlineExceeded},
	{djproto.ErrorCode_ERROR_CODE_CANCELED, context.Canceled},
	{djproto.ErrorCode_ERROR_CODE_STORE_CLOSED, store.ErrClosed},
	{djproto.ErrorCode_ERROR_CODE_STORE_INVALID_KEY, store.ErrInvalidKey},
	{djproto.ErrorCode_ERROR_CODE_STORE_INVALID_VALUE, store.ErrInvalidValue},
	{djproto.ErrorCode_ERROR_CODE_UNKNOWN_TRACK, ErrUnknownTrack},
	{djproto.ErrorCode_ERROR_CODE_AI_UNAVAILABLE, ErrAIUnavailable},
	{djproto.ErrorCode_ERROR_CODE_NOTHING_TO_SAVE, ErrNothingToSave},
}

// sessionErrorToProto keeps an error's kind (see sessionErrorKinds), its
// field when it is a mix.FieldError, and its message, capped.
func sessionErrorToProto(err error) *djproto.SessionError {
	out := &djproto.SessionError{Code: djproto.ErrorCode_ERROR_CODE_INTERNAL, Message: err.Error()}
	if len(out.Message) > maxErrorMessage {
		out.Message = out.Message[:maxErrorMessage]
	}
	for _, k := range sessionErrorKinds {
		if errors.Is(err, k.err) {
			out.Code = k.code
			break
		}
	}
	var fe *mix.FieldError
	if errors.As(err, &fe) {
		out.Field, out.Reason = fe.Field, fe.Reason
	}
	return out
}

// sessionErrorFromProto rebuilds an error that errors.Is and errors.As
// treat like the original: it wraps the same sentinel (inside a
// *mix.FieldError when the original had one) and says the same thing.
func sessionErrorFromProto(e *djproto.SessionError) error {
	var kind error
	for _, k := range sessionErrorKinds {
		if k.code == e.GetCode() {
			kind = k.err
			break
		}
	}
	if e.GetField() != "" {
		kind = &mix.FieldError{Field: e.GetField(), Reason: e.GetReason(), Err: kind}
	}
	return &remoteError{msg: e.GetMessage(), kind: kind}
}

// remoteError is an error that happened on the node serving the request.
type remoteError struct {
	msg  string
	kind error // the sentinel, a *mix.FieldError, or nil (internal)
}

func (e *remoteError) Error() string { return e.msg }

// Unwrap exposes the kind to errors.Is and errors.As.
func (e *remoteError) Unwrap() error { return e.kind }
