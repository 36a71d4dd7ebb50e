package actors

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"dj/mix"
	djproto "dj/proto"
	"dj/store"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
)

// wireRequest converts req to protobuf, through its wire bytes, and back.
func wireRequest(t *testing.T, req sessionRequest) sessionRequest {
	t.Helper()
	pb, err := sessionRequestToProto(req)
	require.NoError(t, err)
	b, err := proto.Marshal(pb)
	require.NoError(t, err)
	var back djproto.SessionRequest
	require.NoError(t, proto.Unmarshal(b, &back))
	got, err := sessionRequestFromProto(&back)
	require.NoError(t, err)
	return got
}

// wireReply converts r to protobuf, through its wire bytes, and back.
func wireReply(t *testing.T, r *sessionReply) *sessionReply {
	t.Helper()
	b, err := proto.Marshal(sessionReplyToProto(r))
	require.NoError(t, err)
	var back djproto.SessionReply
	require.NoError(t, proto.Unmarshal(b, &back))
	got, err := sessionReplyFromProto(&back)
	require.NoError(t, err)
	return got
}

func protoPtr[T any](v T) *T { return &v }

var protoTestTime = time.Date(2025, 3, 14, 15, 9, 26, 535_000_000, time.UTC)

func protoTestTrack(n int, by mix.AddedBy) mix.QueuedTrack {
	return mix.QueuedTrack{
		AddedBy: by, AlbumArt: "https://img.example/a.jpg", Artist: "Artist", Name: "Track",
		Position: n, Reason: "fits", TrackID: fmt.Sprintf("t%d", n), TrackURI: fmt.Sprintf("spotify:track:t%d", n), VibeScore: 70 + n,
	}
}

func protoTestVibe() mix.Vibe {
	return mix.Vibe{
		BPMRange: mix.BPMRange{Min: 118.5, Max: 128}, EnergyDirection: mix.Building, EnergyLevel: 7,
		Era: mix.Era{Start: 1990, End: 2005}, Genres: []string{"house", "disco"}, Mood: []string{"euphoric"},
	}
}

// protoTestSession is a valid session with a queue, a history and a taste
// model, built through the mix package's own operations.
func protoTestSession(t *testing.T) *mix.Session {
	t.Helper()
	s, err := mix.NewSession("6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5", "alice", nil, protoTestTime)
	require.NoError(t, err)
	s.Vibe = protoTestVibe()
	for i := range 3 {
		require.NoError(t, s.Enqueue(protoTestTrack(i, mix.AddedByAI)))
	}
	_, err = s.AdvanceTo(mix.PlayedTrack{Artist: "Artist", Name: "Played", BPM: protoPtr(124.0), Energy: protoPtr(0.75),
		PlayedAt: protoTestTime.Add(time.Minute), TrackID: "p1", TrackURI: "spotify:track:p1"})
	require.NoError(t, err)
	_, err = s.RecordSignal(mix.ListenerSignal{ListenDuration: 200_000, Timestamp: protoTestTime.UnixMilli(),
		TrackDuration: 210_000, TrackID: "p1", Type: mix.SignalCompleted}, "Artist", protoTestTime)
	require.NoError(t, err)
	s.FallbackPool = []string{"spotify:track:f1", "spotify:track:f2"}
	s.Touch(protoTestTime.Add(2 * time.Minute))
	require.NoError(t, s.Validate())
	return s
}

func TestSessionRequestRoundTrip(t *testing.T) {
	prefs := mix.Preferences{AutoFill: false, AvoidGenres: []string{"metal"}, FavoriteArtists: []string{"Daft Punk"},
		BPMLock: &mix.BPMRange{Min: 120, Max: 126}}
	level, change := 8.0, -1.5
	dir := mix.WindingDown
	cases := []struct {
		name string
		in   sessionRequest
		want sessionRequest // nil: in
	}{
		{name: "get", in: &getSession{reqID: "r1"}},
		{name: "create with defaults", in: &createSession{reqID: "r2", id: "6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5"}},
		{name: "create seeded", in: &createSession{reqID: "r3", id: "6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5",
			prefs: &prefs, vibe: protoTestVibe(), pool: []string{"spotify:track:a", "spotify:track:b"}, restart: true}},
		{name: "create with an empty pool", in: &createSession{reqID: "r3b", id: "x", pool: []string{}},
			want: &createSession{reqID: "r3b", id: "x"}},
		{name: "end", in: &endSession{reqID: "r4"}},
		{name: "insert at end", in: &insertTrack{reqID: "r5", track: protoTestTrack(0, mix.AddedByUser)}},
		{name: "insert next", in: &insertTrack{reqID: "r6", track: protoTestTrack(2, mix.AddedByUser), position: protoPtr(0)}},
		{name: "insert at a bad position", in: &insertTrack{reqID: "r7", track: protoTestTrack(1, mix.AddedByUser), position: protoPtr(-3)}},
		{name: "remove", in: &removeTrack{reqID: "r8", position: 4}},
		{name: "remove negative", in: &removeTrack{reqID: "r9", position: -1}},
		{name: "move", in: &moveTrack{reqID: "r10", from: 9, to: 0}},
		{name: "set vibe", in: &setVibe{reqID: "r11", patch: mix.VibePatch{
			BPMRange: &mix.BPMRange{Min: 90, Max: 100}, EnergyDirection: &dir, EnergyLevel: &level,
			Era: &mix.Era{Start: 1970, End: 1979}, Genres: []string{"funk"}, Mood: []string{"warm"}}}},
		{name: "set vibe, energy only", in: &setVibe{reqID: "r12", patch: mix.VibePatch{EnergyLevel: &level}}},
		{name: "steer", in: &steerVibe{reqID: "r13", adj: mix.Adjustment{EnergyChange: &change, EnergyDirection: mix.Building,
			Genres: []string{"techno"}, Mood: []string{"dark"}, Era: &mix.Era{Start: 1988, End: 1995}}}},
		{name: "steer, absolute level", in: &steerVibe{reqID: "r14", adj: mix.Adjustment{EnergyLevel: &level, BPMRange: &mix.BPMRange{Min: 70, Max: 90}}}},
		{name: "apply fill", in: &applyFill{reqID: "r15", sessionID: "s1", suggestions: []mix.Suggestion{
			{Artist: "A", BPM: protoPtr(121.0), Name: "One", Reason: "energy match", TrackID: "a1", TrackURI: "spotify:track:a1", VibeScore: 88},
			{AlbumArt: "https://img.example/b.jpg", Artist: "B", Name: "Two", Reason: "genre", TrackID: "b2", TrackURI: "spotify:track:b2", VibeScore: 61},
		}}},
		{name: "apply fill, nothing", in: &applyFill{reqID: "r16", sessionID: "s1"}},
		{name: "apply fill, empty list", in: &applyFill{reqID: "r16b", sessionID: "s1", suggestions: []mix.Suggestion{}},
			want: &applyFill{reqID: "r16b", sessionID: "s1"}},
		{name: "take fallback", in: &takeFallback{reqID: "r17", sessionID: "s1", n: 3}},
		{name: "record play", in: &recordPlay{reqID: "r18", played: mix.PlayedTrack{Artist: "A", BPM: protoPtr(99.5), Energy: protoPtr(0.4),
			Name: "N", PlayedAt: protoTestTime, TrackID: "a1", TrackURI: "spotify:track:a1"}}},
		{name: "record play without features", in: &recordPlay{reqID: "r19", played: mix.PlayedTrack{Artist: "A", Name: "N",
			PlayedAt: protoTestTime, TrackID: "a1", TrackURI: "spotify:track:a1"}}},
		{name: "preferences, nothing", in: &setPreferences{reqID: "r20"}},
		{name: "preferences, everything", in: &setPreferences{reqID: "r21", patch: PreferencesPatch{AutoFill: protoPtr(false),
			AvoidGenres: []string{"metal", "ska"}, FavoriteArtists: []string{"Air"}, BPMLock: &mix.BPMRange{Min: 100, Max: 110}}}},
		{name: "preferences, cleared lists", in: &setPreferences{reqID: "r22", patch: PreferencesPatch{AutoFill: protoPtr(true),
			AvoidGenres: []string{}, FavoriteArtists: []string{}}}},
		{name: "preferences, clear the lock", in: &setPreferences{reqID: "r23", patch: PreferencesPatch{ClearBPMLock: true}}},
		{name: "record signal", in: &recordSignal{reqID: "r24", artist: "Air", sig: mix.ListenerSignal{ListenDuration: 12_000,
			Timestamp: protoTestTime.UnixMilli(), TrackDuration: 240_000, TrackID: "a1", Type: mix.SignalSkipped}}},
	}
	ops := map[string]bool{}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want := tc.want
			if want == nil {
				want = tc.in
			}
			require.Equal(t, want, wireRequest(t, tc.in))
			pb, err := sessionRequestToProto(tc.in)
			require.NoError(t, err)
			ops[string(pb.ProtoReflect().WhichOneof(pb.ProtoReflect().Descriptor().Oneofs().ByName("op")).Name())] = true
		})
	}
	oneof := (&djproto.SessionRequest{}).ProtoReflect().Descriptor().Oneofs().ByName("op")
	for i := range oneof.Fields().Len() {
		name := string(oneof.Fields().Get(i).Name())
		assert.True(t, ops[name], "no round-trip case for operation %q", name)
	}
}

// otherRequest is a session request with no protobuf form.
type otherRequest struct{}

func (otherRequest) requestID() string { return "x" }

func TestSessionRequestProtoRejects(t *testing.T) {
	_, err := sessionRequestToProto(otherRequest{})
	require.Error(t, err, "a request without a wire form must not be sent")

	bad := []struct {
		name string
		in   *djproto.SessionRequest
	}{
		{"no operation", &djproto.SessionRequest{RequestId: "r"}},
		{"track not JSON", &djproto.SessionRequest{Op: &djproto.SessionRequest_InsertTrack{InsertTrack: &djproto.InsertTrack{TrackJson: []byte("{")}}}},
		{"patch of the wrong shape", &djproto.SessionRequest{Op: &djproto.SessionRequest_SetVibe{SetVibe: &djproto.SetVibe{PatchJson: []byte(`{"energyLevel":"high"}`)}}}},
		{"suggestion not JSON", &djproto.SessionRequest{Op: &djproto.SessionRequest_ApplyFill{ApplyFill: &djproto.ApplyFill{SuggestionsJson: [][]byte{[]byte("[")}}}}},
		{"bpm lock not JSON", &djproto.SessionRequest{Op: &djproto.SessionRequest_SetPreferences{SetPreferences: &djproto.SetPreferences{BpmLockJson: []byte("x")}}}},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := sessionRequestFromProto(tc.in)
			require.Error(t, err)
		})
	}
}

func TestSessionReplyRoundTrip(t *testing.T) {
	sess := protoTestSession(t)
	cases := []struct {
		name string
		in   *sessionReply
		want *sessionReply // nil: in
	}{
		{name: "no mix", in: &sessionReply{}},
		{name: "session", in: &sessionReply{sess: sess}},
		{name: "created", in: &sessionReply{sess: sess, created: true}},
		{name: "fill", in: &sessionReply{sess: sess, added: []mix.QueuedTrack{protoTestTrack(1, mix.AddedByAI), protoTestTrack(2, mix.AddedByAI)}}},
		{name: "fill, none added", in: &sessionReply{sess: sess, added: []mix.QueuedTrack{}}, want: &sessionReply{sess: sess}},
		{name: "played", in: &sessionReply{sess: sess, advance: mix.AdvanceResult{Moved: true, FromQueue: true}}},
		{name: "played, history only", in: &sessionReply{sess: sess, advance: mix.AdvanceResult{Moved: true}}},
		{name: "steered", in: &sessionReply{sess: sess, before: protoTestVibe()}},
		{name: "ended", in: &sessionReply{stats: mix.SessionStats{SessionDuration: 3600, TracksPlayed: 12}}},
		{name: "fallback", in: &sessionReply{sess: sess, uris: []string{"spotify:track:f1"}}},
		{name: "fallback, none", in: &sessionReply{sess: sess, uris: []string{}}, want: &sessionReply{sess: sess}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want := tc.want
			if want == nil {
				want = tc.in
			}
			require.Equal(t, want, wireReply(t, tc.in))
		})
	}
}

func TestSessionReplyProtoRejects(t *testing.T) {
	invalid, err := mix.NewSession("6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5", "alice", nil, protoTestTime)
	require.NoError(t, err)
	invalid.UserID = ""
	bad := []struct {
		name string
		in   *djproto.SessionReply
	}{
		{"session not JSON", &djproto.SessionReply{SessionJson: []byte("{")}},
		{"invalid session", &djproto.SessionReply{SessionJson: protoJSON(t, invalid)}},
		{"added not JSON", &djproto.SessionReply{AddedJson: [][]byte{[]byte("1")}}},
		{"stats of the wrong shape", &djproto.SessionReply{StatsJson: []byte(`{"tracksPlayed":"many"}`)}},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := sessionReplyFromProto(tc.in)
			require.Error(t, err)
		})
	}
	// A reply that cannot be encoded is answered as an error, not dropped.
	r := sessionReplyToProto(&sessionReply{before: mix.Vibe{EnergyLevel: protoNaN()}})
	require.NotNil(t, r.GetError())
	require.Equal(t, djproto.ErrorCode_ERROR_CODE_INTERNAL, r.GetError().GetCode())
}

func protoNaN() float64 {
	zero := 0.0
	return zero / zero
}

func TestSessionErrorRoundTrip(t *testing.T) {
	queueErr := (&mix.Session{}).InsertQueue(protoTestTrack(0, mix.AddedByUser), -1)
	require.Error(t, queueErr)
	vibeErr := mix.Vibe{}.Validate()
	require.Error(t, vibeErr)
	cases := []struct {
		name   string
		err    error
		code   djproto.ErrorCode
		is     []error // errors.Is must hold for each
		isNot  []error // and must not hold for these
		field  string  // the FieldError's field, when there is one
		reason string
	}{
		{name: "no mix", err: ErrNoMix, code: djproto.ErrorCode_ERROR_CODE_NO_MIX, is: []error{ErrNoMix, mix.ErrNotFound}},
		{name: "not found", err: fmt.Errorf("track: %w", mix.ErrNotFound), code: djproto.ErrorCode_ERROR_CODE_NOT_FOUND,
			is: []error{mix.ErrNotFound}, isNot: []error{ErrNoMix}},
		{name: "queue full", err: mix.ErrQueueFull, code: djproto.ErrorCode_ERROR_CODE_QUEUE_FULL, is: []error{mix.ErrQueueFull}},
		{name: "bad position", err: queueErr, code: djproto.ErrorCode_ERROR_CODE_INVALID_POSITION,
			is: []error{mix.ErrInvalidPosition}, isNot: []error{mix.ErrInvalid}, field: "position", reason: "must be ≥ 0"},
		{name: "bad position, wrapped", err: fmt.Errorf("move: %w", &mix.FieldError{Field: "to", Reason: "outside the queue", Err: mix.ErrInvalidPosition}),
			code: djproto.ErrorCode_ERROR_CODE_INVALID_POSITION, is: []error{mix.ErrInvalidPosition}, field: "to", reason: "outside the queue"},
		{name: "invalid vibe", err: vibeErr, code: djproto.ErrorCode_ERROR_CODE_INVALID, is: []error{mix.ErrInvalid},
			field: "bpmRange.min", reason: vibeErr.(*mix.FieldError).Reason},
		{name: "no adjustment", err: mix.ErrNoAdjustment, code: djproto.ErrorCode_ERROR_CODE_NO_ADJUSTMENT, is: []error{mix.ErrNoAdjustment}},
		{name: "crashed", err: errSessionCrashed, code: djproto.ErrorCode_ERROR_CODE_SESSION_CRASHED, is: []error{errSessionCrashed}},
		{name: "wait timeout", err: fmt.Errorf("x: %w", ErrWaitTimeout), code: djproto.ErrorCode_ERROR_CODE_WAIT_TIMEOUT, is: []error{ErrWaitTimeout}},
		{name: "shutting down", err: ErrShuttingDown, code: djproto.ErrorCode_ERROR_CODE_SHUTTING_DOWN, is: []error{ErrShuttingDown}},
		{name: "store deadline", err: fmt.Errorf("save mix session: %w", context.DeadlineExceeded),
			code: djproto.ErrorCode_ERROR_CODE_DEADLINE_EXCEEDED, is: []error{context.DeadlineExceeded}},
		{name: "canceled", err: context.Canceled, code: djproto.ErrorCode_ERROR_CODE_CANCELED, is: []error{context.Canceled}},
		{name: "store closed", err: fmt.Errorf("load mix session: %w", store.ErrClosed), code: djproto.ErrorCode_ERROR_CODE_STORE_CLOSED, is: []error{store.ErrClosed}},
		{name: "internal", err: errors.New("disk on fire"), code: djproto.ErrorCode_ERROR_CODE_INTERNAL, isNot: []error{ErrNoMix, mix.ErrInvalid, ErrWaitTimeout}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pb := sessionErrorToProto(tc.err)
			require.Equal(t, tc.code, pb.GetCode())
			got := wireReply(t, &sessionReply{err: tc.err, sess: protoTestSession(t)})
			require.Nil(t, got.sess, "an error reply carries nothing else")
			require.Error(t, got.err)
			require.Equal(t, tc.err.Error(), got.err.Error())
			for _, e := range tc.is {
				require.ErrorIs(t, got.err, e)
			}
			for _, e := range tc.isNot {
				require.NotErrorIs(t, got.err, e)
			}
			var fe *mix.FieldError
			if tc.field == "" {
				require.False(t, errors.As(got.err, &fe))
				return
			}
			require.ErrorAs(t, got.err, &fe)
			require.Equal(t, tc.field, fe.Field)
			require.Equal(t, tc.reason, fe.Reason)
		})
	}

	// Every code has a kind, and every kind survives the trip.
	for _, k := range sessionErrorKinds {
		got := sessionErrorFromProto(sessionErrorToProto(fmt.Errorf("wrapped: %w", k.err)))
		require.ErrorIs(t, got, k.err, "code %s", k.code)
	}
	for v, name := range djproto.ErrorCode_name {
		if djproto.ErrorCode(v) == djproto.ErrorCode_ERROR_CODE_INTERNAL {
			continue
		}
		found := false
		for _, k := range sessionErrorKinds {
			found = found || k.code == djproto.ErrorCode(v)
		}
		require.True(t, found, "%s has no error kind", name)
	}

	long := errors.New(strings.Repeat("x", 5000))
	require.Len(t, sessionErrorToProto(long).GetMessage(), maxErrorMessage)
}

func protoJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := domainJSON(v, true)
	require.NoError(t, err)
	return b
}
