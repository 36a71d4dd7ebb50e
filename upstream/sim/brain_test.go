package sim

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestBrainConversations drives the brain turn by turn, the way dj's agent
// loop does, and checks what it answers; want is "text:<prefix>" or
// "tool:<name><input>" per block.
func TestBrainConversations(t *testing.T) {
	cat, err := NewCatalog(1, CatalogConfig{Tracks: 800, Artists: 120})
	if err != nil {
		t.Fatal(err)
	}
	b := &brain{cat: cat}
	tr := &cat.Tracks[cat.TracksInGenre("house")[0]]
	uri := "spotify:track:" + tr.ID
	artist := cat.Artists[tr.Artist].Name
	found := `[{"uri":"` + uri + `","name":"` + tr.Name + `","artists":[{"name":"` + artist + `"}],"album":{"uri":"spotify:album:x"}}]`

	tool := func(name, schema string) string {
		return `{"name":"` + name + `","input_schema":{"type":"object","properties":` + schema + `}}`
	}
	search := tool(toolSearch, `{"query":{"type":"string"},"limit":{"type":"number"}}`)
	queue := tool(toolQueue, `{"uri":{"type":"string"}}`)
	nowPlaying := tool(toolNowPlaying, `{}`)
	playback := tool(toolPlayback, `{"action":{"type":"string"}}`)
	user := func(text string) string { return `{"role":"user","content":` + jsonQuote(text) + `}` }
	used := func(name, input string) string {
		return `{"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"` + name + `","input":` + input + `}]}`
	}
	result := func(content string, isErr bool) string {
		e := ""
		if isErr {
			e = `,"is_error":true`
		}
		return `{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":` + jsonQuote(content) + e + `}]}`
	}
	searched := used(toolSearch, `{"query":"genre:house","limit":5}`)

	tests := []struct {
		name     string
		tools    []string
		messages []string
		extra    string
		want     []string
	}{
		{"play request searches", []string{search, queue}, []string{user("play something upbeat")}, "",
			[]string{"text:Digging for some upbeat house", `tool:search_spotify_tracks{"query":"genre:house","limit":5}`}},
		{"no search tool", []string{queue}, []string{user("play something upbeat")}, "",
			[]string{"text:I'd go for some upbeat house, but I can't search"}},
		{"tool_choice none", []string{search, queue}, []string{user("play something upbeat")}, `"tool_choice":{"type":"none"}`,
			[]string{"text:I'd go for"}},
		{"skip", []string{playback}, []string{user("skip please")}, "", []string{`tool:control_playback{"action":"next"}`}},
		{"what's playing", []string{nowPlaying}, []string{user("what's playing?")}, "", []string{`tool:get_now_playing{}`}},
		{"question", []string{search, queue}, []string{user("why did you pick this?")}, "", []string{"text:It fits the current vibe"}},
		{"search result is queued", []string{search, queue}, []string{user("play something upbeat"), searched, result(found, false)}, "",
			[]string{`tool:add_to_queue{"uri":"` + uri + `"}`}},
		{"search result without queue tool", []string{search}, []string{user("play something upbeat"), searched, result(found, false)}, "",
			[]string{"text:Found " + tr.Name + " by " + artist + " — "}},
		{"final-answer nudge after results", []string{search, queue}, []string{user("play something upbeat"), searched, result(found, false), user("Answer from what your tools returned.")}, "",
			[]string{"text:Found " + tr.Name}},
		{"empty search", []string{search, queue}, []string{user("play something upbeat"), searched, result(`[]`, false)}, "",
			[]string{`text:I couldn't find anything for "genre:house"`}},
		{"queued", []string{search, queue}, []string{user("play something upbeat"), searched, result(found, false),
			used(toolQueue, `{"uri":"`+uri+`"}`), result(`{"success":true,"message":"Track added to queue","uri":"`+uri+`"}`, false)}, "",
			[]string{"text:Queued " + tr.Name + " by " + artist + " — house at "}},
		{"tool error", []string{search, queue}, []string{user("play something upbeat"), searched, result("Error: no active device", true)}, "",
			[]string{"text:That didn't work (no active device)"}},
		{"now playing result", []string{nowPlaying}, []string{user("what's playing?"), used(toolNowPlaying, `{}`),
			result(`{"track_name":"Song","artists":"Band","is_playing":true}`, false)}, "", []string{"text:Now playing: Song by Band."}},
		{"tool-less text job", nil, []string{user("Write one short progress line. The listener asked: play some 90s house. Event: search")}, "",
			[]string{"text:Cueing up some house from the 1990s…"}},
		{"steer marker", []string{search}, []string{user("STEER: more energy")}, "", []string{`text:{"energyLevel":7,"energyDirection":"building"}`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := `{"model":"m","max_tokens":1000,"tools":[` + strings.Join(tc.tools, ",") + `],"messages":[` + strings.Join(tc.messages, ",") + `]`
			if tc.extra != "" {
				body += "," + tc.extra
			}
			p, apiErr := parseRequest([]byte(body+"}"), anthropicV1)
			if apiErr != nil {
				t.Fatalf("request rejected: %v", apiErr)
			}
			r := b.answer(newConversation(p))
			if len(r.blocks) != len(tc.want) {
				t.Fatalf("got %d blocks %+v, want %v", len(r.blocks), r.blocks, tc.want)
			}
			for i, blk := range r.blocks {
				got := "text:" + blk.Text
				if blk.Type == "tool_use" {
					got = "tool:" + blk.Name + string(blk.Input)
				}
				if !strings.HasPrefix(got, tc.want[i]) {
					t.Fatalf("block %d = %q, want prefix %q", i, got, tc.want[i])
				}
			}
		})
	}
}

func TestBrainSuggestions(t *testing.T) {
	cat, err := NewCatalog(1, CatalogConfig{Tracks: 800, Artists: 120})
	if err != nil {
		t.Fatal(err)
	}
	b := &brain{cat: cat}
	prompt := "You are an expert DJ. Suggest 4 real tracks for this vibe: genres house, techno; era 1990-2010; BPM 100-140.\n" +
		`Respond with JSON only: {"tracks":[{"artist":"...","name":"...","reason":"..."}]}`
	p, apiErr := parseRequest([]byte(`{"model":"m","max_tokens":2000,"messages":[{"role":"user","content":`+jsonQuote(prompt)+`}]}`), anthropicV1)
	if apiErr != nil {
		t.Fatal(apiErr)
	}
	r := b.answer(newConversation(p))
	var out struct {
		Tracks []suggestedTrack `json:"tracks"`
	}
	if err := json.Unmarshal([]byte(r.blocks[0].Text), &out); err != nil {
		t.Fatalf("not JSON: %q", r.blocks[0].Text)
	}
	if len(out.Tracks) != 4 {
		t.Fatalf("want 4 tracks, got %+v", out.Tracks)
	}
	for _, s := range out.Tracks {
		tr, ok := cat.TrackByName(s.Artist, s.Name)
		if !ok || (tr.Genre != "house" && tr.Genre != "techno") || s.Reason == "" {
			t.Fatalf("suggestion %+v does not resolve to a house/techno catalog track", s)
		}
	}
	if again := b.answer(newConversation(p)); again.blocks[0].Text != r.blocks[0].Text {
		t.Fatal("same prompt, different suggestions")
	}
}

func jsonQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
