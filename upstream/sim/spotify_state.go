package sim

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"sync"
	"time"
)

// spotifyState is everything the Spotify Accounts and Web API simulators
// change at run time: OAuth codes and tokens, the playlists users create
// and edit, and one player per demo user. The catalog stays immutable. One
// mutex guards it all; simulator request rates make finer locking moot.
type spotifyState struct {
	mu sync.Mutex
	// eqm switches the Web API from 2026 development-mode behaviour to
	// Extended Quota Mode (removed fields come back, search limit 50).
	eqm       bool
	codes     map[string]*spAuthCode
	access    map[string]*spAccessToken
	refresh   map[string]*spRefreshToken
	lastSweep time.Time
	users     map[string]*spUser
	playlists map[string]*spPlaylist
	created   uint64 // playlists created so far, seeds their ids

	// search is built once from the catalog and only read afterwards.
	search []spSearchEntry
}

// spUser is one demo account's mutable side.
type spUser struct {
	cat       *User
	premium   bool
	playlists []string // ids in the order GET /me/playlists lists them
	player    spPlayer
}

// spPlaylist is a playlist as it is now: seeded from the catalog, then
// edited through the API.
type spPlaylist struct {
	id            string
	name          string
	description   string
	owner         string
	public        bool
	collaborative bool
	seeded        bool // seeded playlists have cover images
	followers     int
	version       int
	entries       []spEntry
}

// spEntry is one item of a playlist.
type spEntry struct {
	track   int
	addedAt time.Time
	addedBy string
}

// initSpotify builds the Spotify state once; both mountAccounts and
// mountSpotify need it and New calls them in a fixed order.
func (s *Server) initSpotify() {
	if s.spotify != nil {
		return
	}
	now := s.now()
	st := &spotifyState{
		codes:     map[string]*spAuthCode{},
		access:    map[string]*spAccessToken{},
		refresh:   map[string]*spRefreshToken{},
		lastSweep: now,
		users:     map[string]*spUser{},
		playlists: map[string]*spPlaylist{},
		search:    spBuildSearchIndex(s.catalog),
	}
	c := s.catalog
	for ui := range c.Users {
		cu := &c.Users[ui]
		u := &spUser{cat: cu, premium: cu.Product == "premium"}
		for _, p := range cu.Playlists {
			pl := &spPlaylist{
				id: p.ID, name: p.Name, description: p.Description, owner: p.Owner,
				public: p.Public, collaborative: p.Collaborative, seeded: true,
				followers: 3 + int(spHash(p.ID)%500),
			}
			for i, t := range p.Tracks {
				// Seeded items were added one day apart, the last yesterday.
				at := now.Add(-time.Duration(len(p.Tracks)-i) * 24 * time.Hour).Truncate(time.Second)
				pl.entries = append(pl.entries, spEntry{track: t, addedAt: at, addedBy: p.Owner})
			}
			st.playlists[p.ID] = pl
			u.playlists = append(u.playlists, p.ID)
		}
		st.users[cu.ID] = u
	}
	// Every user follows the first playlist of the next user: a playlist
	// that shows up in /me/playlists but whose items dev mode refuses.
	for ui := range c.Users {
		next := c.Users[(ui+1)%len(c.Users)]
		if len(next.Playlists) > 0 && len(c.Users) > 1 {
			u := st.users[c.Users[ui].ID]
			u.playlists = append(u.playlists, next.Playlists[0].ID)
		}
	}
	for _, u := range st.users {
		u.player = s.newSpPlayer(st, u, now)
	}
	s.spotify = st
}

// canEdit reports whether user may read the items of pl and change it.
func (pl *spPlaylist) canEdit(user string) bool {
	return pl.owner == user || pl.collaborative
}

// snapshotID changes with every mutation of the playlist.
func (pl *spPlaylist) snapshotID() string {
	var b [16]byte
	binary.BigEndian.PutUint32(b[:4], uint32(pl.version+1))
	sum := sha256.Sum256([]byte(pl.id))
	copy(b[4:], sum[:12])
	return base64.StdEncoding.EncodeToString(b[:])
}

// trackIndices lists the catalog indices of the playlist's items.
func (pl *spPlaylist) trackIndices() []int {
	out := make([]int, len(pl.entries))
	for i, e := range pl.entries {
		out[i] = e.track
	}
	return out
}

// newPlaylistID derives a fresh 22-character base-62 id from the seed and
// a counter, so runs with the same seed create the same ids.
func (st *spotifyState) newPlaylistID(seed uint64, c *Catalog) string {
	for {
		st.created++
		var in [16]byte
		binary.BigEndian.PutUint64(in[:8], seed)
		binary.BigEndian.PutUint64(in[8:], st.created)
		sum := sha256.Sum256(in[:])
		var id [22]byte
		for i := range id {
			id[i] = base62[int(sum[i])%len(base62)]
		}
		s := string(id[:])
		_, taken := st.playlists[s]
		_, isTrack := c.TrackByID(s)
		if !taken && !isTrack {
			return s
		}
	}
}

// spHash is a small stable hash for deriving figures from ids.
func spHash(s string) uint64 {
	sum := sha256.Sum256([]byte(s))
	return binary.BigEndian.Uint64(sum[:8])
}
