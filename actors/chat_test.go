package actors

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	sdk "github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/stretchr/testify/require"
)

func searchCall(q string) scriptedCall {
	return scriptedCall{name: "search_spotify_tracks", input: fmt.Sprintf(`{"query":%q,"limit":3}`, q)}
}

// A model that never stops calling tools gets five tool turns, then one
// forced answer whose tool calls are ignored: seven model calls in all.
func TestChatStopsAfterFiveToolTurns(t *testing.T) {
	env := newChatEnv(t, func(n int, p sdk.MessageNewParams) (modelReply, error) {
		return modelReply{text: fmt.Sprintf("Turn %d. ", n), tools: []scriptedCall{searchCall(fmt.Sprintf("genre:house %d", n))}}, nil
	})
	frames := env.run(t, "keep searching")
	reqs := env.model.requests()
	require.Len(t, reqs, 7, "first turn, five follow-ups, the forced answer")
	ends := toolEnds(t, frames)
	require.Len(t, ends, 5)
	for _, e := range ends {
		require.False(t, e.Error, e.Result)
		require.True(t, strings.HasPrefix(e.Result, "Found "), e.Result)
	}
	k := frameKinds(frames)
	require.Equal(t, "done", k[len(k)-1])
	require.Equal(t, 1, slices.Index(k, "thinking:"+chatAnalyzing), k)
	require.Contains(t, k, "thinking:"+chatPreparingFinal)
	require.Equal(t, 5, countOf(k, "thinking:"+chatUsingTools))

	// Thinking only on the first turn; the forced answer asks in words and
	// follows the fifth turn's results (the sixth turn's calls dropped).
	require.NotNil(t, reqs[0].Thinking.OfEnabled)
	for _, p := range reqs[1:] {
		require.Nil(t, p.Thinking.OfEnabled)
	}
	final := reqs[6]
	last := final.Messages[len(final.Messages)-1]
	require.Equal(t, finalAsk, msgBlocks(last)[0].OfText.Text)
	require.Len(t, toolResults(sdk.MessageNewParams{Messages: final.Messages[:len(final.Messages)-1]}), 1)
	require.Len(t, final.Messages, 1+2*5+1)
}

// The same calls three turns in a row end the loop (§3.3 step 3.2).
func TestChatStopsRepeatedCalls(t *testing.T) {
	env := newChatEnv(t, func(n int, p sdk.MessageNewParams) (modelReply, error) {
		if last := msgBlocks(p.Messages[len(p.Messages)-1]); last[0].OfText != nil && last[0].OfText.Text == finalAsk {
			return modelReply{text: "Here is what I found."}, nil
		}
		return modelReply{tools: []scriptedCall{searchCall("genre:jazz")}}, nil
	})
	frames := env.run(t, "jazz")
	require.Len(t, env.model.requests(), 4, "three identical turns, then the forced answer")
	require.Len(t, toolEnds(t, frames), 2)
	k := frameKinds(frames)
	require.Contains(t, k, "thinking:"+chatRepetitive)
	require.Equal(t, []string{"content", "content", "content", "content", "done"}, k[len(k)-5:])
}

// A failing tool still ends with tool_end (error true, a safe text), the
// model gets an error result, and the chat goes on. A panicking tool is
// the same.
func TestChatToolFailuresEndTheirTool(t *testing.T) {
	env := newChatEnv(t, func(n int, p sdk.MessageNewParams) (modelReply, error) {
		if n == 0 {
			return modelReply{tools: []scriptedCall{
				{name: "control_playback", input: `{"action":"dance"}`},
				{name: "add_to_queue", input: `{"uri":"spotify:track:not/valid"}`},
				{name: "boom", input: `{}`},
				{name: "no_such_tool", input: `{}`},
			}}, nil
		}
		return modelReply{text: "Sorry, that did not work."}, nil
	})
	env.chat.tools["boom"] = &toolSpec{name: "boom", run: func(ctx context.Context, env *toolEnv, _ json.RawMessage) (any, string, error) {
		panic("tool bug")
	}}
	frames := env.run(t, "do things")
	ends := toolEnds(t, frames)
	require.Len(t, ends, 4)
	want := []string{
		"Failed: invalid input: action must be play, pause, next or previous",
		"Failed: invalid input: uri is not a spotify:track: URI",
		"Failed: the tool failed",
		"Failed: Tool no_such_tool not found",
	}
	for i, e := range ends {
		require.True(t, e.Error)
		require.Equal(t, want[i], e.Result)
	}
	results := toolResults(env.model.requests()[1])
	require.Len(t, results, 4)
	for i, r := range results {
		require.True(t, r.IsError.Value)
		require.Equal(t, "Error: "+strings.TrimPrefix(want[i], "Failed: "), r.Content[0].OfText.Text)
	}
	require.Equal(t, "done", frames[len(frames)-1].Type)
}

// A failed model call ends the chat with a fixed error text, then done;
// the upstream's words never reach the stream.
func TestChatModelFailureIsSafe(t *testing.T) {
	env := newChatEnv(t, func(n int, p sdk.MessageNewParams) (modelReply, error) {
		if n == 0 {
			return modelReply{text: "Let me look. ", tools: []scriptedCall{searchCall("genre:pop")}}, nil
		}
		return modelReply{}, errScripted
	})
	frames := env.run(t, "pop please")
	k := frameKinds(frames)
	require.Equal(t, []string{"error", "done"}, k[len(k)-2:])
	var msg string
	require.NoError(t, json.Unmarshal(frames[len(frames)-2].Data, &msg))
	require.Equal(t, chatModelLostText+" (Done before that: search_spotify_tracks.)", msg)
	for _, f := range frames {
		require.NotContains(t, string(f.Data), "overloaded")
		require.NotContains(t, string(f.Data), "req_")
	}
}

// add_to_queue goes to the front of the mix (through the session actor)
// and into Spotify's queue, as tracked work the request's end reports.
func TestChatQueuesThroughTheMix(t *testing.T) {
	var uri string
	env := newChatEnv(t, func(n int, p sdk.MessageNewParams) (modelReply, error) {
		if n == 0 {
			return modelReply{tools: []scriptedCall{{name: "add_to_queue", input: fmt.Sprintf(`{"uri":%q}`, uri)}}}, nil
		}
		return modelReply{text: "Queued it."}, nil
	})
	ctx := testCtx("start")
	_, err := env.m.Start(ctx, "alice", StartRequest{Preferences: noFill()})
	require.NoError(t, err)
	uri = env.trackURIs(1, nil)[0]
	frames := env.run(t, "queue that one")
	ends := toolEnds(t, frames)
	require.Len(t, ends, 1)
	require.False(t, ends[0].Error, ends[0].Result)
	q, err := env.m.Queue(ctx, "alice")
	require.NoError(t, err)
	require.Equal(t, uri, q[0].TrackURI, "first in the mix")
	require.Contains(t, env.simQueue(t, "alice"), uri)
	require.Eventually(t, func() bool {
		for _, l := range env.ts.logs.lines(t) {
			if l["msg"] == "request work status" && l["request_id"] == "req-1" && strings.Contains(fmt.Sprint(l["work"]), "chat.queue.spotify") {
				return true
			}
		}
		return false
	}, 5e9, 1e7, "tracker status with the queue work logged at the chat's end")
}

func countOf(list []string, s string) int {
	n := 0
	for _, x := range list {
		if x == s {
			n++
		}
	}
	return n
}

// Every tool against the simulator: each one turn, in one batch, none
// failing, each result what the model is told it gets.
func TestChatToolsAgainstTheSimulator(t *testing.T) {
	var playlist, track string
	env := newChatEnv(t, func(n int, p sdk.MessageNewParams) (modelReply, error) {
		if n > 0 {
			return modelReply{text: "All done."}, nil
		}
		return modelReply{tools: []scriptedCall{
			{name: "analyze_playlist", input: fmt.Sprintf(`{"playlist_id":%q}`, playlist)},
			{name: "get_playlist_tracks", input: fmt.Sprintf(`{"playlist_id":%q,"limit":5,"offset":0}`, playlist)},
			{name: "get_track_details", input: fmt.Sprintf(`{"track_ids":[%q]}`, track)},
			{name: "recommend_from_tags", input: `{"tags":["rock","pop"],"limit":5}`},
			{name: "recommend_from_similar", input: `{"similar_tracks":["Nobody - Nothing","no dash here"],"limit_per_track":1}`},
			{name: "get_now_playing", input: `{}`},
			{name: "get_queue", input: `{}`},
			{name: "create_playlist", input: fmt.Sprintf(`{"name":"From the DJ","track_uris":[%q]}`, track)},
			{name: "control_playback", input: `{"action":"pause"}`},
		}}, nil
	})
	playlist = env.playlist(t, "alice")
	track = env.trackURIs(1, nil)[0]
	frames := env.run(t, "[Playlist ID: "+playlist+"] tell me everything")
	ends := toolEnds(t, frames)
	require.Len(t, ends, 9)
	for _, e := range ends {
		require.False(t, e.Error, "%s: %s", e.Tool, e.Result)
	}
	results := toolResults(env.model.requests()[1])
	var analysis playlistAnalysis
	require.NoError(t, json.Unmarshal([]byte(results[0].Content[0].OfText.Text), &analysis))
	require.Positive(t, analysis.TotalTracks)
	require.Len(t, analysis.TrackIDs, analysis.TotalTracks)
	t.Logf("analysis: %s", results[0].Content[0].OfText.Text)
	require.Positive(t, analysis.Metadata.AvgDurationMs)
	var similar struct {
		QueriesTotal int `json:"queries_total"`
	}
	require.NoError(t, json.Unmarshal([]byte(results[4].Content[0].OfText.Text), &similar))
	require.Equal(t, 1, similar.QueriesTotal, "entries without \" - \" are skipped")
	// The system prompt names the selected playlist.
	require.Contains(t, env.model.requests()[0].System[0].Text, playlist)
	t.Logf("tool summaries: %v", ends)
}
