package actors

import (
	"encoding/json"
	"strings"
	"testing"

	sdk "github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/stretchr/testify/require"

	"dj/mix"
)

// The model's values are validated before they touch the vibe (#20): an
// out-of-range level and an unknown direction are dropped, era and BPM
// clamped into the schema's bounds, non-string genres ignored; the vibe
// stored is valid. Its reasoning is previewed, cut at 500 characters.
func TestSteerValidatesTheModelsValues(t *testing.T) {
	env := newChatEnv(t, func(int, sdk.MessageNewParams) (modelReply, error) {
		return modelReply{
			thinking: strings.Repeat("hmm ", 200),
			text: `Sure! {"energyLevel": 42, "energyDirection": "sideways", "era": {"start": 1200, "end": 3000},
				"bpmRange": {"min": 500, "max": -3}, "genres": ["house", 7, " "], "mood": "not a list"}`,
		}, nil
	})
	ctx := testCtx("start")
	before, err := env.m.Start(ctx, "alice", StartRequest{Preferences: noFill()})
	require.NoError(t, err)
	steer := NewSteer(Deps{System: env.ts.System, Store: env.st, Login: env.login}, env.m)
	steer.model = env.model

	st := openPipeStream(t, env.streams, OpenOptions{Kind: "steer", Framing: FramingEnvelope})
	st.client.start()
	require.NoError(t, steer.Start(st.Stream, "alice", "something wild"))
	var frames []chatFrame
	for _, f := range sseDataFrames(st.client.untilEOF(t)) {
		var cf chatFrame
		require.NoError(t, json.Unmarshal([]byte(strings.TrimPrefix(f, "data: ")), &cf))
		frames = append(frames, cf)
	}
	types := make([]string, len(frames))
	for i, f := range frames {
		types[i] = f.Type
	}
	require.Equal(t, []string{"ack", "progress", "thinking", "vibe_update", "progress", "progress", "suggestions", "done"}, types)

	var th SteerThinkingData
	require.NoError(t, json.Unmarshal(frames[2].Data, &th))
	require.Equal(t, 503, len([]rune(th.Preview)))
	require.True(t, strings.HasSuffix(th.Preview, "..."))

	var up SteerVibeUpdateData
	require.NoError(t, json.Unmarshal(frames[3].Data, &up))
	v := up.Vibe
	require.NoError(t, v.Validate())
	require.Equal(t, before.Vibe.EnergyLevel, v.EnergyLevel, "42 is no energy level")
	require.Equal(t, before.Vibe.EnergyDirection, v.EnergyDirection)
	require.Equal(t, mix.Era{Start: mix.MinEraYear, End: mix.MaxEraYear}, v.Era)
	require.Equal(t, mix.BPMRange{Min: mix.MinBPM, Max: mix.MaxBPM}, v.BPMRange)
	require.Contains(t, v.Genres, "house")
	require.Equal(t, before.Vibe.Mood, v.Mood)
	stored := env.stored(t, "alice")
	require.Equal(t, v.Era, stored.Vibe.Era, "stored although no track was added")
	require.NoError(t, stored.Vibe.Validate())
}
