package reliability

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"slices"
	"sync"
)

// ledger is one user's record of mix edits while a storm runs against a
// server that is then killed or stopped: the state every acknowledged
// (2xx) edit led to, and the edit of each kind still waiting for its
// answer when the server went away. After a restart, the stored mix must
// be the acknowledged state, or that state with the waiting edit applied
// (it may have been stored before the answer was lost). Anything else
// means an acknowledged edit was lost, or a state nobody asked for
// appeared.
type ledger struct {
	user   string
	tracks []string // track URIs the editor queues

	mu       sync.Mutex
	token    string
	acked    mixState
	pendingQ *edit // queue edit sent, not answered
	pendingM *edit // preferences edit sent, not answered
	acks     int   // acknowledged edits, all time
	seq      int   // markers issued
	applied  int   // waiting edits found stored after a restart
	lost     int   // waiting edits found not stored (allowed: never acknowledged)
}

// newLedger logs user in, reads tracks from their first playlist and
// starts a fresh mix without auto-fill, so nothing but the storm edits
// the queue.
func newLedger(ctx context.Context, c *client, simURL, user string) (*ledger, error) {
	token, err := c.login(ctx, user)
	if err != nil {
		return nil, err
	}
	l := &ledger{user: user, token: token}
	if l.tracks, err = playlistTracks(ctx, c, simURL, user, token); err != nil {
		return nil, err
	}
	var started struct{ Session *wireSession }
	body := map[string]any{"restart": true, "preferences": map[string]any{"autoFill": false}}
	if err := c.json(ctx, "POST", "/api/mix/start", token, body, &started); err != nil {
		return nil, err
	}
	if started.Session == nil || started.Session.Preferences.AutoFill {
		return nil, fmt.Errorf("%s: start without auto-fill gave %+v", user, started.Session)
	}
	l.acked = started.Session.state()
	return l, nil
}

// playlistTracks reads the track URIs of the user's first playlist.
func playlistTracks(ctx context.Context, c *client, simURL, user, token string) ([]string, error) {
	playlist, err := firstPlaylist(ctx, c, simURL, user)
	if err != nil {
		return nil, err
	}
	var page struct {
		Items []struct {
			Track *struct {
				URI string `json:"uri"`
			} `json:"track"`
		} `json:"items"`
	}
	if err := c.json(ctx, "GET", "/api/spotify/playlists/"+url.PathEscape(playlist)+"/tracks?limit=50", token, nil, &page); err != nil {
		return nil, err
	}
	var out []string
	for _, it := range page.Items {
		if it.Track != nil && it.Track.URI != "" {
			out = append(out, it.Track.URI)
		}
	}
	if len(out) < 5 {
		return nil, fmt.Errorf("%s: only %d tracks in playlist %s", user, len(out), playlist)
	}
	return out, nil
}

// newLedgers sets up a ledger per user, all at once.
func newLedgers(ctx context.Context, c *client, simURL string, users []string) ([]*ledger, error) {
	out := make([]*ledger, len(users))
	errs := make([]error, len(users))
	var wg sync.WaitGroup
	for i, u := range users {
		wg.Go(func() { out[i], errs[i] = newLedger(ctx, c, simURL, u) })
	}
	wg.Wait()
	return out, errors.Join(errs...)
}

// firstPlaylist is the id of the user's first playlist in the
// simulator's catalog.
func firstPlaylist(ctx context.Context, c *client, simURL, user string) (string, error) {
	var cat struct {
		Users []struct {
			ID        string   `json:"id"`
			Playlists []string `json:"playlists"`
		} `json:"users"`
	}
	sim := newClient(simURL)
	defer sim.close()
	if err := sim.json(ctx, "GET", "/_sim/catalog", "", nil, &cat); err != nil {
		return "", err
	}
	for _, u := range cat.Users {
		if u.ID == user && len(u.Playlists) > 0 {
			return u.Playlists[0], nil
		}
	}
	return "", fmt.Errorf("no playlist for %s in the simulator's catalog", user)
}

// session returns the token the ledger's requests use.
func (l *ledger) session() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.token
}

// setSession switches to a new session token (after a re-login).
func (l *ledger) setSession(token string) {
	l.mu.Lock()
	l.token = token
	l.mu.Unlock()
}

// storm sends edits of one part ("queue" or "prefs") one after another
// until ctx ends, quit is closed or the server stops answering. An edit that got no
// answer stays pending; so does one refused with a status listed in
// unavailable (a server that is stopping may refuse work with 503; a
// cluster node whose peer died, with 502/503/504: the edit may or may
// not have been stored). Any other refusal, or an answer that is not the
// edit's effect on the acknowledged state, is an error.
func (l *ledger) storm(ctx context.Context, quit <-chan struct{}, c *client, rng *rand.Rand, part string, unavailable []int) error {
	token := l.session()
	for ctx.Err() == nil {
		select {
		case <-quit:
			return nil
		default:
		}
		l.mu.Lock()
		var e edit
		if part == "prefs" {
			l.seq++
			e = edit{kind: "prefs", marker: fmt.Sprintf("%s-m%d", l.user, l.seq)}
			l.pendingM = &e
		} else {
			e = nextQueueEdit(rng, l.acked.queue, l.tracks)
			l.pendingQ = &e
		}
		l.mu.Unlock()
		method, path, body := e.request()
		r, err := c.do(ctx, method, path, token, body)
		if err != nil {
			return nil // no answer: the server is gone, the edit stays pending
		}
		if slices.Contains(unavailable, r.status) {
			return nil
		}
		if r.status != 200 {
			return fmt.Errorf("%s: %s %s refused: %d %.300s", l.user, method, path, r.status, r.body)
		}
		if err := l.acknowledge(e, r.body); err != nil {
			return err
		}
	}
	return nil
}

// acknowledge records an answered edit after checking the answer is the
// edit's effect on the acknowledged state (edits of one part are sent
// one at a time, so nothing else changes that part meanwhile).
func (l *ledger) acknowledge(e edit, body []byte) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	want := e.apply(l.acked)
	got, err := stateOfReply(e.kind, body, l.acked)
	if err != nil {
		return fmt.Errorf("%s: %w", l.user, err)
	}
	if !slices.Equal(got.queue, want.queue) || got.marker != want.marker {
		return fmt.Errorf("%s: %s answered %v, want %v (from %v)", l.user, e.kind, got, want, l.acked)
	}
	l.acked = got
	if e.kind == "prefs" {
		l.pendingM = nil
	} else {
		l.pendingQ = nil
	}
	l.acks++
	return nil
}

// verify compares the mix a restarted server holds with the ledger and
// adopts it: each part must be acknowledged or acknowledged-plus-pending.
func (l *ledger) verify(got mixState) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	queueOK := slices.Equal(got.queue, l.acked.queue)
	if !queueOK && l.pendingQ != nil && slices.Equal(got.queue, l.pendingQ.apply(l.acked).queue) {
		queueOK = true
		l.applied++
	} else if l.pendingQ != nil {
		l.lost++
	}
	markerOK := got.marker == l.acked.marker
	if !markerOK && l.pendingM != nil && got.marker == l.pendingM.marker {
		markerOK = true
		l.applied++
	} else if l.pendingM != nil {
		l.lost++
	}
	if !queueOK || !markerOK {
		return fmt.Errorf("%s: stored mix %v; acknowledged %v, pending queue edit %+v, pending marker %+v",
			l.user, got, l.acked, l.pendingQ, l.pendingM)
	}
	l.acked, l.pendingQ, l.pendingM = got, nil, nil
	return nil
}

// stored reads the user's mix from the server with the given token.
func stored(ctx context.Context, c *client, token string) (mixState, error) {
	var cur struct{ Session *wireSession }
	if err := c.json(ctx, "GET", "/api/mix/current", token, nil, &cur); err != nil {
		return mixState{}, err
	}
	if cur.Session == nil {
		return mixState{}, fmt.Errorf("no mix stored")
	}
	return cur.Session.state(), nil
}

// ledgerTotals sums acknowledged edits and the fate of waiting ones.
func ledgerTotals(ls []*ledger) (acks, applied, lost int) {
	for _, l := range ls {
		l.mu.Lock()
		acks, applied, lost = acks+l.acks, applied+l.applied, lost+l.lost
		l.mu.Unlock()
	}
	return acks, applied, lost
}
