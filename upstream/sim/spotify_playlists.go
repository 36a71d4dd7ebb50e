package sim

import (
	"net/http"
	"net/url"
	"time"
)

// spPlaylistSummary is the {href,total} a simplified playlist carries for
// its items (keyed "items" in development mode, "tracks" before).
type spPlaylistSummary struct {
	Href  string `json:"href"`
	Total int    `json:"total"`
}

// spPlaylistBase holds the fields simplified and full playlists share.
type spPlaylistBase struct {
	Collaborative bool           `json:"collaborative"`
	Description   string         `json:"description"`
	ExternalURLs  spExternalURLs `json:"external_urls"`
	Href          string         `json:"href"`
	ID            string         `json:"id"`
	Images        []spImage      `json:"images"`
	Name          string         `json:"name"`
	Owner         spPublicUser   `json:"owner"`
	PrimaryColor  *string        `json:"primary_color"`
	Public        bool           `json:"public"`
	SnapshotID    string         `json:"snapshot_id"`
	Type          string         `json:"type"`
	URI           string         `json:"uri"`
}

type spSimplePlaylist struct {
	spPlaylistBase
	Items  spPlaylistSummary  `json:"items"`
	Tracks *spPlaylistSummary `json:"tracks,omitempty"`
}

// spFullPlaylist embeds the first page of entries for playlists the
// caller may read, and only the {href,total} summary for the others.
type spFullPlaylist struct {
	spPlaylistBase
	Followers spFollowers `json:"followers"`
	Items     any         `json:"items"`
	Tracks    any         `json:"tracks,omitempty"`
}

// spPlaylistEntry is one item of /items. Development mode keys the track
// "item" and still sends the deprecated "track" beside it.
type spPlaylistEntry struct {
	AddedAt string       `json:"added_at"`
	AddedBy spPublicUser `json:"added_by"`
	IsLocal bool         `json:"is_local"`
	Item    *spTrack     `json:"item"`
	Track   *spTrack     `json:"track"`
}

func (s *Server) mountSpotifyPlaylists(h func(string, func(*spCall) spResult, ...string)) {
	h("GET /v1/me/playlists", s.spMyPlaylists)
	h("POST /v1/me/playlists", s.spCreatePlaylist, spScopeModifyPublic, spScopeModifyPrivate)
	h("GET /v1/playlists/{id}", s.spGetPlaylist)
	h("GET /v1/playlists/{id}/items", s.spGetItems)
	h("POST /v1/playlists/{id}/items", s.spAddItems, spScopeModifyPublic, spScopeModifyPrivate)
	h("DELETE /v1/playlists/{id}/items", s.spRemoveItems, spScopeModifyPublic, spScopeModifyPrivate)
	h("PUT /v1/playlists/{id}/items", s.spPutItems, spScopeModifyPublic, spScopeModifyPrivate)
}

func (v spView) playlistBase(pl *spPlaylist) spPlaylistBase {
	images := []spImage{}
	if pl.seeded {
		images = []spImage{{URL: "https://mosaic.scdn.co/640/" + pl.id}}
	}
	return spPlaylistBase{
		Collaborative: pl.collaborative,
		Description:   pl.description,
		ExternalURLs:  spOpenURL("playlist", pl.id),
		Href:          v.base + "/playlists/" + pl.id,
		ID:            pl.id,
		Images:        images,
		Name:          pl.name,
		Owner:         v.publicUser(pl.owner),
		Public:        pl.public,
		SnapshotID:    pl.snapshotID(),
		Type:          "playlist",
		URI:           "spotify:playlist:" + pl.id,
	}
}

func (v spView) simplePlaylist(pl *spPlaylist) spSimplePlaylist {
	sum := spPlaylistSummary{Href: v.base + "/playlists/" + pl.id + "/items", Total: len(pl.entries)}
	out := spSimplePlaylist{spPlaylistBase: v.playlistBase(pl), Items: sum}
	if v.eqm {
		legacy := sum
		legacy.Href = v.base + "/playlists/" + pl.id + "/tracks"
		out.Tracks = &legacy
	}
	return out
}

func (v spView) fullPlaylist(pl *spPlaylist, reader string) spFullPlaylist {
	out := spFullPlaylist{spPlaylistBase: v.playlistBase(pl), Followers: spFollowers{Total: pl.followers}}
	if pl.canEdit(reader) {
		out.Items = v.entryPage(pl, 0, 100, nil)
	} else {
		out.Items = spPlaylistSummary{Href: v.base + "/playlists/" + pl.id + "/items", Total: len(pl.entries)}
	}
	if v.eqm {
		out.Tracks = out.Items
	}
	return out
}

func (v spView) entryPage(pl *spPlaylist, offset, limit int, q url.Values) spPage[spPlaylistEntry] {
	window := spWindow(pl.entries, offset, limit)
	items := make([]spPlaylistEntry, len(window))
	for i, e := range window {
		t := v.track(e.track)
		items[i] = spPlaylistEntry{
			AddedAt: e.addedAt.UTC().Format(time.RFC3339),
			AddedBy: v.publicUser(e.addedBy),
			Item:    &t,
			Track:   &t,
		}
	}
	return spPageWindow(v.base, "/playlists/"+pl.id+"/items", q, offset, limit, len(pl.entries), items)
}

// playlist finds the playlist named by the {id} path value.
func (c *spCall) playlist(s *Server) (*spPlaylist, *spResult) {
	id := c.r.PathValue("id")
	if !spValidID(id) {
		r := spErr(http.StatusBadRequest, "Invalid base62 id")
		return nil, &r
	}
	pl, ok := s.spotify.playlists[id]
	if !ok {
		r := spErr(http.StatusNotFound, "Resource not found")
		return nil, &r
	}
	return pl, nil
}

// spMyPlaylists is GET /me/playlists: owned playlists (newest created
// first) and the followed ones.
func (s *Server) spMyPlaylists(c *spCall) spResult {
	q := c.r.URL.Query()
	limit, offset, bad := spLimitOffset(q, 20, 50, 100000)
	if bad != nil {
		return *bad
	}
	ids := spWindow(c.user.playlists, offset, limit)
	items := make([]spSimplePlaylist, len(ids))
	for i, id := range ids {
		items[i] = c.simplePlaylist(s.spotify.playlists[id])
	}
	return spJSON(http.StatusOK, spPageWindow(c.base, "/me/playlists", nil, offset, limit, len(c.user.playlists), items))
}

func (s *Server) spGetPlaylist(c *spCall) spResult {
	pl, bad := c.playlist(s)
	if bad != nil {
		return *bad
	}
	return spProjected(c, c.fullPlaylist(pl, c.user.cat.ID))
}

// spGetItems is GET /playlists/{id}/items: limit 1–50 (default 20), and
// 403 for playlists the caller neither owns nor collaborates on.
func (s *Server) spGetItems(c *spCall) spResult {
	pl, bad := c.playlist(s)
	if bad != nil {
		return *bad
	}
	if !pl.canEdit(c.user.cat.ID) {
		return spErr(http.StatusForbidden, "Forbidden")
	}
	q := c.r.URL.Query()
	limit, offset, bad := spLimitOffset(q, 20, 50, 100000)
	if bad != nil {
		return *bad
	}
	keep := url.Values{}
	for _, k := range []string{"fields", "market", "additional_types"} {
		if v := q.Get(k); v != "" {
			keep.Set(k, v)
		}
	}
	return spProjected(c, c.entryPage(pl, offset, limit, keep))
}

// spProjected applies the ?fields= projection when one is given.
func spProjected(c *spCall, body any) spResult {
	spec := c.r.URL.Query().Get("fields")
	if spec == "" {
		return spJSON(http.StatusOK, body)
	}
	out, err := spProject(body, spec)
	if err != nil {
		return spErr(http.StatusBadRequest, "Invalid fields parameter")
	}
	return spJSON(http.StatusOK, out)
}
