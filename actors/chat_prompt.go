package actors

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"

	sdk "github.com/anthropics/anthropic-sdk-go/v2"
)

// playlistContextRE is the reference's single-line convention for naming
// the playlist a message is about: "[Playlist ID: <id>] <text>".
var playlistContextRE = regexp.MustCompile(`^\[Playlist ID: ([^\]\n]+)\] (.+)$`)

// splitPlaylistContext returns the text for the model and the playlist
// id the message named ("" when none).
func splitPlaylistContext(message string) (text, playlistID string) {
	if m := playlistContextRE.FindStringSubmatch(message); m != nil {
		return m[2], strings.TrimSpace(m[1])
	}
	return message, ""
}

// historyMessages turns the earlier turns and the new message into the
// model's messages. Blank turns are dropped (the API refuses empty text)
// and so are assistant turns before the first user turn (a conversation
// starts with the user).
func historyMessages(history []ChatTurn, text string) []sdk.MessageParam {
	out := make([]sdk.MessageParam, 0, len(history)+1)
	for _, t := range history {
		content := strings.TrimSpace(t.Content)
		switch {
		case content == "":
		case t.Role == "user":
			out = append(out, sdk.NewUserMessage(sdk.NewTextBlock(content)))
		case t.Role == "assistant" && len(out) > 0:
			out = append(out, sdk.NewAssistantMessage(sdk.NewTextBlock(content)))
		}
	}
	return append(out, sdk.NewUserMessage(sdk.NewTextBlock(text)))
}

// systemBlocks is the system prompt as one cached block (§3.2).
func systemBlocks(system string) []sdk.TextBlockParam {
	return []sdk.TextBlockParam{{Text: system, CacheControl: sdk.NewCacheControlEphemeralParam()}}
}

// finalAsk is the user turn that asks for the forced answer (§3.3 step 4).
const finalAsk = "Please answer me now from what your tools returned so far. Do not call any more tools."

// systemPrompt builds the prompt for the chat's mode. In dj mode it
// first reads what plays and how long Spotify's queue is (in parallel,
// bounded; unknown on failure).
func (c *Chat) systemPrompt(ctx context.Context, env *toolEnv) string {
	if env.mode == ChatDJ {
		return djPrompt(c.djContext(ctx, env.userID))
	}
	return standardPrompt(env.playlistID)
}

// djState is what dj mode tells the model about the player.
type djState struct {
	track, artist, progress string
	queueDepth              int // -1: unknown
}

func (c *Chat) djContext(ctx context.Context, userID string) djState {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.contextTimeout)
	defer cancel()
	st := djState{queueDepth: -1}
	var wg sync.WaitGroup
	wg.Go(func() {
		p, err := c.music.PlayerState(ctx, userID)
		if err != nil || p.Item == nil {
			return
		}
		t := toolTrackOf(*p.Item)
		st.track, st.artist = t.Name, t.Artists
		progress := 0
		if p.ProgressMs != nil {
			progress = *p.ProgressMs
		}
		st.progress = fmt.Sprintf("%ds / %ds", progress/1000, t.DurationMs/1000)
	})
	depth := -1
	wg.Go(func() {
		if q, err := c.music.Queue(ctx, userID); err == nil {
			depth = len(q.Queue)
		}
	})
	wg.Wait()
	st.queueDepth = depth
	return st
}

func djPrompt(s djState) string {
	now := "Nothing is playing right now."
	if s.track != "" {
		now = fmt.Sprintf("Now playing: %s by %s (%s).", s.track, s.artist, s.progress)
	}
	depth := "unknown"
	if s.queueDepth >= 0 {
		depth = fmt.Sprint(s.queueDepth)
	}
	return `You are a live DJ running the listener's Spotify session while the music plays.

Current state:
- ` + now + `
- Tracks in Spotify's queue: ` + depth + `

How you work:
- Keep 5 to 10 tracks queued. When fewer than 5 are queued, suggest additions.
- To queue music, search first (search_spotify_tracks), then add_to_queue with a URI from the results. Check get_queue before adding, to avoid duplicates.
- "skip" or "next" means control_playback with action next, then a short acknowledgement.
- "what's playing" means get_now_playing.
- Change the vibe gradually, bridging with 3 to 5 tracks rather than jumping.
- Remember styles the listener skipped and avoid them.

Style: short and conversational. Confirm what you queued naturally, by title and artist. Do not narrate your tool use. Never invent tracks: queue only URIs your tools returned.`
}

func standardPrompt(playlistID string) string {
	var b strings.Builder
	b.WriteString(`You are an AI DJ assistant with access to the listener's Spotify account, plus Deezer (tempo, loudness) and Last.fm (crowd tags, listeners, similar tracks) data through your tools.

Data strategy:
- For a playlist, call analyze_playlist first: it returns a compact summary with the track ids.
- Call get_playlist_tracks (pages of 20 to 50) only when the listener wants track names; get_track_details only for specific tracks.
- Answer analysis questions from the summary. When BPM is missing, infer tempo from tags and say so. Never guess at data you have not fetched.

Recommendations:
1. Analyse: analyze_playlist, and a sample of 10 to 20 tracks if names matter.
2. Discover: recommend_from_similar with Last.fm's similar tracks, recommend_from_tags with the crowd tags, and a few creative search_spotify_tracks queries (genre:, year: filters).
3. Curate: pick tracks that fit the vibe and the request, balance popular and lesser-known ones, vary the artists, and explain why each fits.
- To play something, add_to_queue with a URI your tools returned; create_playlist saves a set.

Reasoning: reflect after each tool result, say which sources you used, admit when data is sparse, and never invent data.
Be concise, and describe music by its vibe, era and sound.`)
	if playlistID != "" {
		fmt.Fprintf(&b, "\n\nThe listener has selected the playlist with id %q. Use it as playlist_id when a tool asks for one.", playlistID)
	}
	return b.String()
}

// chatFailure is why a chat ended early: a client-safe message and the
// cause, which is only logged.
type chatFailure struct {
	msg   string
	cause error
}

// Client-safe texts for a chat that could not finish. Upstream error
// text, log lines and stacks never reach the stream (defect #26).
const (
	chatFailedText    = "The AI DJ ran into a problem. Please try again."
	chatModelLostText = "The AI DJ lost its connection to the model. Please try again."
	chatBusyText      = "The AI DJ is busy right now. Please try again in a moment."
	chatBudgetText    = "That request needed too many service calls. Please try a simpler one."
	chatRestartText   = "The server is restarting. Please try again shortly."
)

// modelFailure classifies a failed model turn. used names the tools that
// already ran (their effects stand; the message says so).
func modelFailure(err error, used []string) *chatFailure {
	msg := chatModelLostText
	switch {
	case errors.Is(err, ErrUpstreamRateLimited), errors.Is(err, ErrQueueFull), errors.Is(err, ErrWaitTimeout),
		errors.Is(err, ErrBreakerOpen):
		msg = chatBusyText
	case errors.Is(err, ErrBudgetExhausted):
		msg = chatBudgetText
	case errors.Is(err, ErrShuttingDown), errors.Is(err, ErrLimiterDown):
		msg = chatRestartText
	}
	if len(used) > 0 {
		msg += " (Done before that: " + strings.Join(distinct(used), ", ") + ".)"
	}
	return &chatFailure{msg: msg, cause: err}
}
