package sim

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"
)

// spMaxHistory is how many plays recently-played remembers, as Spotify.
const spMaxHistory = 50

// spMaxQueue bounds a user's queue so a runaway client cannot grow the
// simulator's memory without limit.
const spMaxQueue = 500

// spDevice is one Spotify Connect device of a user.
type spDevice struct {
	id, name, kind string
	volume         int
}

// spPlayContext is what playback walks through: a playlist, an album, an
// artist, or a plain list of URIs (uri "").
type spPlayContext struct {
	uri, kind string
	tracks    []int
}

// spPlay is one entry of the listening history.
type spPlay struct {
	track   int
	at      time.Time
	context string
}

// spPlayer is a user's playback. Progress is kept as (progress at anchor)
// and advanced lazily by settle from the simulator's clock, so an
// injected clock moves playback deterministically.
type spPlayer struct {
	devices   []spDevice
	active    int // index into devices, -1 when no device is active
	playing   bool
	ctx       *spPlayContext
	pos       int // index in ctx.tracks of the current (or last) context track
	current   int // catalog track index, -1 when nothing is loaded
	fromQueue bool
	progress  time.Duration
	anchor    time.Time
	changed   time.Time
	queue     []int
	repeat    string
	shuffle   bool
	history   []spPlay // most recent first
}

// newSpPlayer starts every demo user on an active device, playing their
// first playlist part-way into its first track, with a seeded history.
func (s *Server) newSpPlayer(st *spotifyState, u *spUser, now time.Time) spPlayer {
	id := u.cat.ID
	p := spPlayer{
		devices: []spDevice{
			{id: spDeviceID(id, 0), name: "Web Player (Chrome)", kind: "Computer", volume: 65},
			{id: spDeviceID(id, 1), name: "Kitchen", kind: "Speaker", volume: 40},
		},
		active:  0,
		current: -1,
		repeat:  "off",
		anchor:  now,
		changed: now,
	}
	if len(u.cat.Playlists) > 0 {
		pl := st.playlists[u.cat.Playlists[0].ID]
		if tracks := pl.trackIndices(); len(tracks) > 0 {
			p.ctx = &spPlayContext{uri: "spotify:playlist:" + pl.id, kind: "playlist", tracks: tracks}
			p.current = tracks[0]
			p.playing = true
			p.progress = time.Duration(spHash(id)%60) * time.Second
		}
	}
	at := now.Add(-p.progress - 5*time.Second)
	for _, ti := range u.cat.Recent {
		p.history = append(p.history, spPlay{track: ti, at: at})
		at = at.Add(-time.Duration(s.catalog.Tracks[ti].DurationMs)*time.Millisecond - 5*time.Second)
	}
	return p
}

// spDeviceID is a stable 40-hex-digit device id.
func spDeviceID(user string, n int) string {
	sum := sha256.Sum256([]byte(user + "/device/" + strconv.Itoa(n)))
	return hex.EncodeToString(sum[:20])
}

func (p *spPlayer) deviceIndex(id string) int {
	for i, d := range p.devices {
		if d.id == id {
			return i
		}
	}
	return -1
}

func (p *spPlayer) duration(cat *Catalog) time.Duration {
	return time.Duration(cat.Tracks[p.current].DurationMs) * time.Millisecond
}

// settle brings playback up to now: progress grows while playing, and a
// track that ends hands over to the queue's head or the context's next
// track (or itself with repeat "track").
func (p *spPlayer) settle(cat *Catalog, now time.Time) {
	if !now.After(p.anchor) {
		return
	}
	if !p.playing || p.current < 0 {
		p.anchor = now
		return
	}
	p.progress += now.Sub(p.anchor)
	p.anchor = now
	for turns := 0; p.playing && p.progress >= p.duration(cat); turns++ {
		if turns > 1000 {
			// A clock jump of days: skip the bookkeeping, keep the shape.
			p.progress %= p.duration(cat)
			return
		}
		over := p.progress - p.duration(cat)
		ended := now.Add(-over)
		p.record(ended)
		p.changed = ended
		if p.repeat == "track" {
			p.progress = over
			continue
		}
		if !p.advance() {
			p.playing, p.progress = false, 0
			return
		}
		p.progress = over
	}
}

// record adds the current track to the history.
func (p *spPlayer) record(at time.Time) {
	ctx := ""
	if p.ctx != nil && !p.fromQueue {
		ctx = p.ctx.uri
	}
	p.history = append([]spPlay{{track: p.current, at: at, context: ctx}}, p.history...)
	if len(p.history) > spMaxHistory {
		p.history = p.history[:spMaxHistory]
	}
}

// advance moves to the next track: the queue first, then the context.
// At the end of a context without repeat it loads the first track and
// reports false (playback stops there, as on Spotify).
func (p *spPlayer) advance() bool {
	if len(p.queue) > 0 {
		p.current = p.queue[0]
		p.queue = append([]int(nil), p.queue[1:]...)
		p.fromQueue = true
		return true
	}
	if p.ctx == nil || len(p.ctx.tracks) == 0 {
		return false
	}
	next := p.pos + 1
	if next >= len(p.ctx.tracks) {
		if p.repeat != "context" {
			p.pos, p.current, p.fromQueue = 0, p.ctx.tracks[0], false
			return false
		}
		next = 0
	}
	p.pos, p.current, p.fromQueue = next, p.ctx.tracks[next], false
	return true
}

// skip is the next command (and the advance control route): a track
// heard for 30 s or more counts as played.
func (p *spPlayer) skip(now time.Time) {
	if p.current >= 0 && p.progress >= 30*time.Second {
		p.record(now)
	}
	p.playing = p.advance()
	p.progress, p.anchor, p.changed = 0, now, now
}

// back is the previous command: past the first 3 s it restarts the
// track, otherwise it goes one track back in the context.
func (p *spPlayer) back(now time.Time) {
	switch {
	case p.progress > 3*time.Second || p.ctx == nil:
	case p.fromQueue:
		p.current, p.fromQueue = p.ctx.tracks[p.pos], false
	case p.pos > 0:
		p.pos--
		p.current = p.ctx.tracks[p.pos]
	}
	p.progress, p.anchor, p.changed = 0, now, now
}

// upcoming lists what plays next: the queue, then the rest of the
// context, n items at most.
func (p *spPlayer) upcoming(n int) []int {
	out := make([]int, 0, n)
	for _, t := range p.queue {
		if len(out) == n {
			return out
		}
		out = append(out, t)
	}
	if p.ctx == nil {
		return out
	}
	for i := p.pos + 1; i < len(p.ctx.tracks) && len(out) < n; i++ {
		out = append(out, p.ctx.tracks[i])
	}
	return out
}
