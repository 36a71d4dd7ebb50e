package sim

import (
	"net/http"
	"strconv"
	"strings"
)

// spMaxURIs is how many URIs one add or replace may carry.
const spMaxURIs = 100

type spSnapshot struct {
	SnapshotID string `json:"snapshot_id"`
}

// spCreatePlaylist is POST /me/playlists, the only create endpoint left in
// development mode. It answers 201 with the full playlist.
func (s *Server) spCreatePlaylist(c *spCall) spResult {
	var body struct {
		Name          string `json:"name"`
		Description   string `json:"description"`
		Public        *bool  `json:"public"`
		Collaborative bool   `json:"collaborative"`
	}
	if !c.decodeBody(&body) {
		return spErr(http.StatusBadRequest, "Error parsing JSON.")
	}
	if strings.TrimSpace(body.Name) == "" {
		return spErr(http.StatusBadRequest, "Missing required field: name")
	}
	public := body.Public == nil || *body.Public
	if body.Collaborative && public {
		return spErr(http.StatusBadRequest, "Collaborative playlists can only be private.")
	}
	st := s.spotify
	pl := &spPlaylist{
		id:            st.newPlaylistID(s.catalog.Seed, s.catalog),
		name:          body.Name,
		description:   body.Description,
		owner:         c.user.cat.ID,
		public:        public,
		collaborative: body.Collaborative,
	}
	st.playlists[pl.id] = pl
	c.user.playlists = append([]string{pl.id}, c.user.playlists...)
	return spJSON(http.StatusCreated, c.fullPlaylist(pl, c.user.cat.ID))
}

// editable finds the playlist and checks the caller may change it.
func (c *spCall) editable(s *Server) (*spPlaylist, *spResult) {
	pl, bad := c.playlist(s)
	if bad != nil {
		return nil, bad
	}
	if !pl.canEdit(c.user.cat.ID) {
		r := spErr(http.StatusForbidden, "Forbidden")
		return nil, &r
	}
	return pl, nil
}

// resolveURIs turns track URIs into catalog indices (at most 100).
func (c *spCall) resolveURIs(uris []string) ([]int, *spResult) {
	fail := func(msg string) ([]int, *spResult) {
		r := spErr(http.StatusBadRequest, msg)
		return nil, &r
	}
	if len(uris) > spMaxURIs {
		return fail("You can add a maximum of 100 tracks per request.")
	}
	out := make([]int, 0, len(uris))
	for _, u := range uris {
		kind, _, ok := spParseURI(u)
		if !ok || kind != "track" {
			return fail("Invalid track uri: " + u)
		}
		ti, ok := c.trackURI(u)
		if !ok {
			return fail("Payload contains a non-existing ID")
		}
		out = append(out, ti)
	}
	return out, nil
}

// queryURIs reads the ?uris=a,b form some clients use instead of a body.
func (c *spCall) queryURIs() []string {
	raw := c.r.URL.Query().Get("uris")
	if raw == "" {
		return nil
	}
	return strings.Split(raw, ",")
}

// spAddItems is POST /playlists/{id}/items: body {"uris":[…],"position":n}
// or ?uris=&position=; 201 with the new snapshot id.
func (s *Server) spAddItems(c *spCall) spResult {
	pl, bad := c.editable(s)
	if bad != nil {
		return *bad
	}
	var body struct {
		URIs     []string `json:"uris"`
		Position *int     `json:"position"`
	}
	if !c.decodeBody(&body) {
		return spErr(http.StatusBadRequest, "Error parsing JSON.")
	}
	if body.URIs == nil {
		body.URIs = c.queryURIs()
	}
	if body.Position == nil {
		if raw := c.r.URL.Query().Get("position"); raw != "" {
			n, err := strconv.Atoi(raw)
			if err != nil {
				return spErr(http.StatusBadRequest, "Invalid position")
			}
			body.Position = &n
		}
	}
	if len(body.URIs) == 0 {
		return spErr(http.StatusBadRequest, "No uris provided")
	}
	tracks, bad := c.resolveURIs(body.URIs)
	if bad != nil {
		return *bad
	}
	pos := len(pl.entries)
	if body.Position != nil {
		pos = *body.Position
	}
	if pos < 0 || pos > len(pl.entries) {
		return spErr(http.StatusBadRequest, "Index out of bounds")
	}
	added := make([]spEntry, len(tracks))
	for i, t := range tracks {
		added[i] = spEntry{track: t, addedAt: c.now, addedBy: c.user.cat.ID}
	}
	pl.entries = append(pl.entries[:pos:pos], append(added, pl.entries[pos:]...)...)
	pl.version++
	return spJSON(http.StatusCreated, spSnapshot{pl.snapshotID()})
}

// spRemoveItems is DELETE /playlists/{id}/items with
// {"items":[{"uri":…,"positions":[…]}]}: every occurrence of a URI, or
// only those at the given positions.
func (s *Server) spRemoveItems(c *spCall) spResult {
	pl, bad := c.editable(s)
	if bad != nil {
		return *bad
	}
	var body struct {
		Items []struct {
			URI       string `json:"uri"`
			Positions []int  `json:"positions"`
		} `json:"items"`
		SnapshotID string `json:"snapshot_id"`
	}
	if !c.decodeBody(&body) {
		return spErr(http.StatusBadRequest, "Error parsing JSON.")
	}
	if len(body.Items) == 0 {
		return spErr(http.StatusBadRequest, "Missing items")
	}
	if len(body.Items) > spMaxURIs {
		return spErr(http.StatusBadRequest, "Too many items requested")
	}
	drop := make([]bool, len(pl.entries))
	for _, it := range body.Items {
		ti, ok := c.trackURI(it.URI)
		if !ok {
			return spErr(http.StatusBadRequest, "Invalid track uri: "+it.URI)
		}
		if len(it.Positions) == 0 {
			for i, e := range pl.entries {
				drop[i] = drop[i] || e.track == ti
			}
			continue
		}
		for _, p := range it.Positions {
			if p < 0 || p >= len(pl.entries) || pl.entries[p].track != ti {
				return spErr(http.StatusBadRequest, "Could not remove tracks, please check parameters.")
			}
			drop[p] = true
		}
	}
	kept := pl.entries[:0:0]
	for i, e := range pl.entries {
		if !drop[i] {
			kept = append(kept, e)
		}
	}
	pl.entries = kept
	pl.version++
	return spJSON(http.StatusOK, spSnapshot{pl.snapshotID()})
}

// spPutItems is PUT /playlists/{id}/items: replace with {"uris":[…]} or
// reorder with {"range_start","insert_before","range_length"}.
func (s *Server) spPutItems(c *spCall) spResult {
	pl, bad := c.editable(s)
	if bad != nil {
		return *bad
	}
	var body struct {
		URIs         []string `json:"uris"`
		RangeStart   *int     `json:"range_start"`
		InsertBefore *int     `json:"insert_before"`
		RangeLength  *int     `json:"range_length"`
		SnapshotID   string   `json:"snapshot_id"`
	}
	if !c.decodeBody(&body) {
		return spErr(http.StatusBadRequest, "Error parsing JSON.")
	}
	if body.URIs == nil {
		body.URIs = c.queryURIs()
	}
	if body.URIs != nil {
		tracks, bad := c.resolveURIs(body.URIs)
		if bad != nil {
			return *bad
		}
		entries := make([]spEntry, len(tracks))
		for i, t := range tracks {
			entries[i] = spEntry{track: t, addedAt: c.now, addedBy: c.user.cat.ID}
		}
		pl.entries = entries
		pl.version++
		return spJSON(http.StatusOK, spSnapshot{pl.snapshotID()})
	}
	if body.RangeStart == nil || body.InsertBefore == nil {
		return spErr(http.StatusBadRequest, "Missing range_start or insert_before")
	}
	n := 1
	if body.RangeLength != nil {
		n = *body.RangeLength
	}
	start, before, total := *body.RangeStart, *body.InsertBefore, len(pl.entries)
	if start < 0 || n < 1 || start+n > total || before < 0 || before > total {
		return spErr(http.StatusBadRequest, "Index out of bounds")
	}
	pl.entries = spMoveRange(pl.entries, start, n, before)
	pl.version++
	return spJSON(http.StatusOK, spSnapshot{pl.snapshotID()})
}

// spMoveRange moves entries[start:start+n] to just before the entry that
// was at index before; a target inside the range changes nothing.
func spMoveRange(entries []spEntry, start, n, before int) []spEntry {
	if before >= start && before <= start+n {
		return entries
	}
	block := append([]spEntry(nil), entries[start:start+n]...)
	rest := append(append([]spEntry(nil), entries[:start]...), entries[start+n:]...)
	at := before
	if before > start {
		at = before - n
	}
	out := make([]spEntry, 0, len(entries))
	out = append(out, rest[:at]...)
	out = append(out, block...)
	return append(out, rest[at:]...)
}
