package sim

import (
	"fmt"
	"sort"
)

// User is a demo Spotify account. The first four have names (alice, bob,
// carol, dave) for people; the rest (user-0005, ...) are for load tests.
type User struct {
	ID          string
	DisplayName string
	Email       string
	Country     string
	Product     string // "premium" or "free"
	Playlists   []Playlist
	Recent      []int // recently played track indices, most recent first
	Top         []int // top track indices
}

// Playlist is a demo playlist as seeded; mutations live in the Spotify
// simulator's state, never in the catalog.
type Playlist struct {
	ID            string
	Name          string
	Description   string
	Owner         string // user id
	Tracks        []int
	Public        bool
	Collaborative bool
}

// demoUserCount is how many demo users the catalog holds.
const demoUserCount = 50

var namedUsers = []struct{ id, name, country string }{
	{"alice", "Alice Demo", "US"},
	{"bob", "Bob Demo", "GB"},
	{"carol", "Carol Demo", "DE"},
	{"dave", "Dave Demo", "SE"},
}

// UserByID finds a demo user.
func (c *Catalog) UserByID(id string) (*User, bool) {
	for i := range c.Users {
		if c.Users[i].ID == id {
			return &c.Users[i], true
		}
	}
	return nil, false
}

func (g *generator) users(c *Catalog) {
	for i := 0; i < demoUserCount; i++ {
		u := User{Country: g.pick(countryCodes), Product: "premium"}
		if i < len(namedUsers) {
			u.ID, u.DisplayName, u.Country = namedUsers[i].id, namedUsers[i].name, namedUsers[i].country
		} else {
			u.ID = fmt.Sprintf("user-%04d", i+1)
			u.DisplayName = fmt.Sprintf("Load User %d", i+1)
		}
		u.Email = u.ID + "@example.com"
		u.Playlists = g.playlists(c, u.ID)
		u.Recent = g.sample(c, nil, 50)
		u.Top = g.sample(c, nil, 50)
		c.Users = append(c.Users, u)
	}
}

// playlists gives a user five themed playlists: two genres, a decade, a
// calm one and a high-energy one.
func (g *generator) playlists(c *Catalog, owner string) []Playlist {
	genres := Genres()
	g1, g2 := genres[g.rng.IntN(len(genres))], genres[g.rng.IntN(len(genres))]
	decade := 1960 + 10*g.rng.IntN(7)
	mk := func(name, desc string, keep func(*Track) bool, n int) Playlist {
		return Playlist{ID: g.spotifyID(), Name: name, Description: desc, Owner: owner, Public: true, Tracks: g.sample(c, keep, n)}
	}
	return []Playlist{
		mk("Best of "+g1, "Favourite "+g1+" tracks", func(t *Track) bool { return t.Genre == g1 }, 30+g.rng.IntN(40)),
		mk(g2+" mix", "A "+g2+" mix", func(t *Track) bool { return t.Genre == g2 }, 20+g.rng.IntN(30)),
		mk(fmt.Sprintf("%ds throwback", decade%100), fmt.Sprintf("Hits from the %ds", decade), func(t *Track) bool { return t.Year/10*10 == decade }, 40+g.rng.IntN(40)),
		mk("Chill evening", "Slow and low", func(t *Track) bool { return t.Energy < 0.4 }, 25+g.rng.IntN(25)),
		mk("Workout", "High energy", func(t *Track) bool { return t.Energy > 0.75 && t.BPM > 120 }, 100),
	}
}

// sample picks up to n distinct tracks that keep accepts (all when keep
// is nil), favouring popular ones, in a stable order.
func (g *generator) sample(c *Catalog, keep func(*Track) bool, n int) []int {
	var pool []int
	for i := range c.Tracks {
		if keep == nil || keep(&c.Tracks[i]) {
			pool = append(pool, i)
		}
	}
	sort.SliceStable(pool, func(a, b int) bool { return c.Tracks[pool[a]].Popularity > c.Tracks[pool[b]].Popularity })
	if len(pool) > 4*n {
		pool = pool[:4*n]
	}
	g.rng.Shuffle(len(pool), func(a, b int) { pool[a], pool[b] = pool[b], pool[a] })
	if len(pool) > n {
		pool = pool[:n]
	}
	return pool
}
