package sim

import (
	"encoding/json"
	"fmt"
	"strings"
)

// The reference app's tool names (anchor-domain.md §3.4) the brain uses.
const (
	toolSearch     = "search_spotify_tracks"
	toolQueue      = "add_to_queue"
	toolNowPlaying = "get_now_playing"
	toolGetQueue   = "get_queue"
	toolPlayback   = "control_playback"
	searchLimit    = 5
)

// brain is the simulated model: a deterministic function from a request
// to an answer, so dj's agent loop, steering and suggestions run end to
// end offline and tests can predict every turn. Its vocabulary is in
// brain_rules.go. It holds no mutable state.
type brain struct {
	cat *Catalog
}

// reply is the brain's answer before ids, usage and limits are applied.
type brainReply struct {
	thinking string
	blocks   []replyBlock
}

// replyBlock is a text or tool_use block of a reply.
type replyBlock struct {
	Type  string // "text" or "tool_use"
	Text  string
	Name  string
	Input json.RawMessage
}

func textReply(thinking, text string) brainReply {
	return brainReply{thinking: thinking, blocks: []replyBlock{{Type: "text", Text: text}}}
}

func (r brainReply) withTool(name string, input any) brainReply {
	r.blocks = append(r.blocks, replyBlock{Type: "tool_use", Name: name, Input: marshalCompact(input)})
	return r
}

// conversation is the brain's view of a validated request.
type conversation struct {
	system  string
	last    msgTurn         // the last user turn
	prev    msgTurn         // the assistant turn before it, if any
	all     []msgTurn       // every turn, merged
	offered map[string]bool // tools the model may call now
	noTools bool            // the request defines no tools at all
}

func newConversation(p *parsedRequest) conversation {
	c := conversation{system: p.system, all: p.turns, offered: map[string]bool{}, noTools: len(p.tools) == 0}
	if tc := p.req.ToolChoice; tc == nil || tc.Type != "none" {
		for _, t := range p.tools {
			c.offered[t.Name] = true
		}
	}
	for i := len(p.turns) - 1; i >= 0; i-- {
		if p.turns[i].Role == "user" {
			c.last = p.turns[i]
			if i > 0 {
				c.prev = p.turns[i-1]
			}
			break
		}
	}
	return c
}

// answer picks the reply: prompts that want JSON (suggestions, steering)
// first, then the follow-up to tool results, then the user's request.
func (b *brain) answer(c conversation) brainReply {
	text := c.last.text()
	both := c.system + "\n" + text
	anyTools := len(c.offered) > 0
	switch {
	case isSuggestPrompt(both, anyTools):
		return textReply("Picking tracks from the catalog that fit the vibe.", b.suggest(both))
	case isSteerPrompt(both, anyTools):
		dir := steerDirection(text, c.system)
		out := marshalCompact(steerChange(dir, currentEnergy(both)))
		return textReply(fmt.Sprintf("The listener wants %q; translating that into vibe changes.", dir), string(out))
	}
	if results := c.last.toolResults(); len(results) > 0 {
		// Text after the results is the loop asking for a final answer.
		return b.afterTool(c, results[0], strings.TrimSpace(text) != "")
	}
	return b.fromRequest(c, text)
}

// fromRequest answers a user message that holds no tool results.
func (b *brain) fromRequest(c conversation, text string) brainReply {
	in := classify(text)
	think := fmt.Sprintf("The listener said %q.", oneLine(text))
	if c.noTools && in.kind != intentChat {
		// A tool-less request is a text job (a progress line, a DJ quip):
		// answer with one short line rather than about missing tools.
		return textReply(think, shortLine(in.vibe))
	}
	switch in.kind {
	case intentControl:
		if c.offered[toolPlayback] {
			return textReply(think+" That is a playback command.", "").withTool(toolPlayback, map[string]string{"action": in.action}).dropEmpty()
		}
		return textReply(think, "I can't control playback from here, sorry.")
	case intentNowPlaying:
		if c.offered[toolNowPlaying] {
			return textReply(think+" Check what is playing.", "").withTool(toolNowPlaying, struct{}{}).dropEmpty()
		}
		return textReply(think, "I can't see the player right now.")
	case intentQueue:
		if c.offered[toolGetQueue] {
			return textReply(think+" Look at the queue.", "").withTool(toolGetQueue, struct{}{}).dropEmpty()
		}
		return textReply(think, "I can't see the queue right now.")
	case intentPlay:
		q := searchQuery(in.vibe)
		if !c.offered[toolSearch] {
			return textReply(think, fmt.Sprintf("I'd go for %s, but I can't search the catalog right now.", describeVibe(in.vibe)))
		}
		input := struct {
			Query string `json:"query"`
			Limit int    `json:"limit"`
		}{q, searchLimit}
		return textReply(think+" Search Spotify for "+q+".", "Digging for "+describeVibe(in.vibe)+"…").withTool(toolSearch, input)
	}
	return textReply(think+" No action needed.", chatAnswer(text))
}

// afterTool answers the result of the tool the assistant called last.
// final says the loop wants words now, not another tool call.
func (b *brain) afterTool(c conversation, res wireBlock, final bool) brainReply {
	use := c.findUse(res.ToolUseID)
	body := resultText(res)
	if res.IsError {
		return textReply("The tool failed.", fmt.Sprintf("That didn't work (%s). Want me to try something else?", oneLine(strings.TrimPrefix(body, "Error: "))))
	}
	switch use.Name {
	case toolSearch:
		return b.afterSearch(c, use, body, final)
	case toolQueue:
		t := c.trackFor(toolInputString(use, "uri"), b.cat)
		return textReply("The track is queued; confirm it.", fmt.Sprintf("Queued %s by %s — %s.", t.Name, t.Artist, b.flavor(t.URI)))
	case toolNowPlaying:
		return textReply("Report what is playing.", nowPlayingText(body))
	case toolGetQueue:
		return textReply("Summarise the queue.", queueText(body))
	case toolPlayback:
		return textReply("Confirm the playback command.", playbackText(toolInputString(use, "action")))
	}
	return textReply("Summarise the tool result.", fmt.Sprintf("Done — %s finished.", orDefault(use.Name, "the tool")))
}

func (b *brain) afterSearch(c conversation, use wireBlock, body string, final bool) brainReply {
	t, ok := firstTrack(body)
	if !ok {
		return textReply("The search found nothing.", fmt.Sprintf("I couldn't find anything for %q. Try another genre, mood or era?", toolInputString(use, "query")))
	}
	if final || !c.offered[toolQueue] {
		return textReply("Offer the track found.", fmt.Sprintf("Found %s by %s — %s. Want me to queue it?", t.Name, t.Artist, b.flavor(t.URI)))
	}
	return textReply("Queue the first track found: "+t.URI+".", "").withTool(toolQueue, map[string]string{"uri": t.URI}).dropEmpty()
}

// findUse returns the tool_use a result answers (from the previous turn).
func (c conversation) findUse(id string) wireBlock {
	for _, u := range c.prev.toolUses() {
		if u.ID == id {
			return u
		}
	}
	return wireBlock{}
}

// trackFor names a queued uri from any earlier search result in the
// conversation, then from the catalog, else by its uri.
func (c conversation) trackFor(uri string, cat *Catalog) trackRef {
	for _, t := range c.all {
		for _, r := range t.toolResults() {
			if found, ok := trackWithURI(resultText(r), uri); ok {
				return found
			}
		}
	}
	if tr, ok := cat.TrackByID(strings.TrimPrefix(uri, "spotify:track:")); ok {
		return trackRef{URI: uri, Name: tr.Name, Artist: strings.Join(cat.ArtistNames(tr), ", ")}
	}
	return trackRef{URI: uri, Name: orDefault(uri, "that track"), Artist: "an unknown artist"}
}

// flavor is the DJ's one-line note on a track, from the catalog.
func (b *brain) flavor(uri string) string {
	t, ok := b.cat.TrackByID(strings.TrimPrefix(uri, "spotify:track:"))
	if !ok {
		return "should fit right in"
	}
	return fmt.Sprintf("%s at %.0f BPM from %d, right on the vibe", t.Genre, t.BPM, t.Year)
}

func (r brainReply) dropEmpty() brainReply {
	out := r.blocks[:0]
	for _, b := range r.blocks {
		if b.Type != "text" || b.Text != "" {
			out = append(out, b)
		}
	}
	r.blocks = out
	return r
}

// describe names a vibe for the listener: "some upbeat house from the 1990s".
func describeVibe(v vibe) string {
	var parts []string
	parts = append(parts, v.moods...)
	if g := firstOr(v.genres, firstOr(v.implied, "")); g != "" {
		parts = append(parts, g)
	}
	if len(parts) == 0 && len(v.words) > 0 {
		parts = append(parts, `"`+strings.Join(v.words, " ")+`"`)
	}
	if len(parts) == 0 {
		parts = append(parts, "good")
	}
	s := "some " + strings.Join(parts, " ")
	switch {
	case v.era == [2]int{}:
	case v.era[0] == v.era[1]:
		s += fmt.Sprintf(" from %d", v.era[0])
	case v.era[0]%10 == 0 && v.era[1]-v.era[0] <= 9:
		s += fmt.Sprintf(" from the %ds", v.era[0])
	default:
		s += fmt.Sprintf(" from %d–%d", v.era[0], v.era[1])
	}
	return s
}

// shortLine is a DJ-style line under 80 characters.
func shortLine(v vibe) string {
	if v.empty() {
		return "Reading the room and lining up the next track…"
	}
	line := "Cueing up " + describeVibe(v) + "…"
	if len(line) > 80 {
		return "Cueing up something that fits the vibe…"
	}
	return line
}

// chatAnswer answers a message that asks for no action.
func chatAnswer(text string) string {
	toks := wordsOf(text)
	for _, t := range toks {
		switch t {
		case "help", "who", "can":
			return "I'm your AI DJ: ask for a genre, mood or era (\"something upbeat from the 90s\"), say skip, or ask what's playing."
		case "why":
			return "It fits the current vibe — similar tempo and energy to what came before, with a little lift."
		}
	}
	if len(toks) == 0 {
		return "I'm listening — what should we play?"
	}
	return "Happy to help — tell me a genre, mood or era and I'll queue something that fits."
}

func playbackText(action string) string {
	switch action {
	case "next":
		return "Skipped — here comes the next one."
	case "previous":
		return "Going back to the previous track."
	case "pause":
		return "Paused. Say the word when you want it back."
	case "play":
		return "And we're back."
	}
	return "Done."
}

func toolInputString(use wireBlock, key string) string {
	var m map[string]any
	if json.Unmarshal(use.Input, &m) != nil {
		return ""
	}
	s, _ := m[key].(string)
	return s
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200]) + "…"
	}
	return s
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
