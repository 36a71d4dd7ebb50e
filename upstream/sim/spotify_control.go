package sim

import (
	"encoding/json"
	"net/http"
	"strings"
)

// spControlClientID is the client id tokens from the control route are
// bound to unless ?client_id= names another (refreshing them later needs
// the same id).
const spControlClientID = "dj-sim"

// mountSpotifyControl registers the /_sim/spotify routes tests and djload
// use to skip the browser login and to steer and inspect a user's state.
// They are not upstream calls: not counted, delayed or faulted.
func (s *Server) mountSpotifyControl() {
	s.mux.HandleFunc("POST /_sim/spotify/token", s.spCtlToken)
	s.mux.HandleFunc("GET /_sim/spotify/users/{id}", s.spCtlUser(func(c *spCall) any { return s.spDump(c) }))
	s.mux.HandleFunc("POST /_sim/spotify/users/{id}/advance", s.spCtlUser(func(c *spCall) any {
		p := &c.user.player
		p.settle(c.cat, c.now)
		p.skip(c.now)
		return s.spDump(c)
	}))
	s.mux.HandleFunc("POST /_sim/spotify/users/{id}/player", s.spCtlPlayer)
	s.mux.HandleFunc("GET /_sim/spotify/mode", s.spCtlMode)
	s.mux.HandleFunc("PUT /_sim/spotify/mode", s.spCtlMode)
}

// spCtlToken issues a token response for ?user= (default alice) as if
// the user had logged in; ?scope= narrows the default of every scope.
func (s *Server) spCtlToken(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	user := q.Get("user")
	if user == "" {
		user = acctDefaultUser
	}
	if _, ok := s.catalog.UserByID(user); !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "unknown user " + user})
		return
	}
	clientID := q.Get("client_id")
	if clientID == "" {
		clientID = spControlClientID
	}
	if !acctValidClientID(clientID) {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid client_id"})
		return
	}
	scope, ok := acctNormScope(q.Get("scope"))
	if q.Get("scope") == "" {
		scope = strings.Join(acctScopes(), " ")
	}
	if !ok {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid scope"})
		return
	}
	st := s.spotify
	st.mu.Lock()
	resp := s.acctIssueLocked(user, clientID, scope)
	st.mu.Unlock()
	writeJSON(w, http.StatusOK, resp)
}

// spCtlUser runs f on the user named by {id} under the state lock.
func (s *Server) spCtlUser(f func(*spCall) any) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		st := s.spotify
		st.mu.Lock()
		u, ok := st.users[r.PathValue("id")]
		var out any
		if ok {
			out = f(&spCall{spView: s.spViewFor(r), r: r, user: u, now: s.now()})
		}
		st.mu.Unlock()
		if !ok {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "unknown user"})
			return
		}
		writeJSON(w, http.StatusOK, out)
	}
}

// spCtlPlayer changes what tests need to reach the player's error paths:
// {"active": false} leaves the user without an active device (GET
// /me/player answers 204, commands NO_ACTIVE_DEVICE); {"premium": false}
// makes commands answer PREMIUM_REQUIRED.
func (s *Server) spCtlPlayer(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Active  *bool `json:"active"`
		Premium *bool `json:"premium"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<12)).Decode(&body); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "body must be {\"active\":bool,\"premium\":bool}"})
		return
	}
	s.spCtlUser(func(c *spCall) any {
		p := &c.user.player
		p.settle(c.cat, c.now)
		if body.Active != nil {
			p.active = -1
			if *body.Active {
				p.active = 0
			}
		}
		if body.Premium != nil {
			c.user.premium = *body.Premium
		}
		return s.spDump(c)
	})(w, r)
}

// spCtlMode reads or sets the Web API mode: "dev" (default, the 2026
// development-mode API) or "eqm" (Extended Quota Mode fields and limits).
func (s *Server) spCtlMode(w http.ResponseWriter, r *http.Request) {
	st := s.spotify
	if r.Method == http.MethodPut {
		var body struct {
			Mode string `json:"mode"`
		}
		err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<12)).Decode(&body)
		if err != nil || body.Mode != "dev" && body.Mode != "eqm" {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": `body must be {"mode":"dev"|"eqm"}`})
			return
		}
		st.mu.Lock()
		st.eqm = body.Mode == "eqm"
		st.mu.Unlock()
	}
	st.mu.Lock()
	mode := "dev"
	if st.eqm {
		mode = "eqm"
	}
	st.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]string{"mode": mode})
}

// spUserDump is GET /_sim/spotify/users/{id}.
type spUserDump struct {
	ID             string           `json:"id"`
	Premium        bool             `json:"premium"`
	Playback       *spPlayback      `json:"playback"`
	Devices        []spDeviceJSON   `json:"devices"`
	Queue          []string         `json:"queue"`
	Playlists      []spPlaylistDump `json:"playlists"`
	RecentlyPlayed []string         `json:"recently_played"`
}

type spPlaylistDump struct {
	ID            string   `json:"id"`
	Name          string   `json:"name"`
	Description   string   `json:"description"`
	Owner         string   `json:"owner"`
	Public        bool     `json:"public"`
	Collaborative bool     `json:"collaborative"`
	SnapshotID    string   `json:"snapshot_id"`
	URIs          []string `json:"uris"`
}

func (s *Server) spDump(c *spCall) spUserDump {
	p := &c.user.player
	p.settle(c.cat, c.now)
	uri := func(ti int) string { return "spotify:track:" + c.cat.Tracks[ti].ID }
	d := spUserDump{ID: c.user.cat.ID, Premium: c.user.premium, Queue: []string{}, RecentlyPlayed: []string{}}
	if p.active >= 0 {
		pb := c.playback(p, true)
		d.Playback = &pb
	}
	for i := range p.devices {
		d.Devices = append(d.Devices, c.device(p, i))
	}
	for _, t := range p.queue {
		d.Queue = append(d.Queue, uri(t))
	}
	for _, h := range p.history {
		d.RecentlyPlayed = append(d.RecentlyPlayed, uri(h.track))
	}
	for _, id := range c.user.playlists {
		pl := s.spotify.playlists[id]
		pd := spPlaylistDump{
			ID: pl.id, Name: pl.name, Description: pl.description, Owner: pl.owner,
			Public: pl.public, Collaborative: pl.collaborative, SnapshotID: pl.snapshotID(), URIs: []string{},
		}
		for _, e := range pl.entries {
			pd.URIs = append(pd.URIs, uri(e.track))
		}
		d.Playlists = append(d.Playlists, pd)
	}
	return d
}
