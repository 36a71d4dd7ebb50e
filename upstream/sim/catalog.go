package sim

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
)

// CatalogConfig sizes the synthetic catalog. Zero fields take defaults.
type CatalogConfig struct {
	Tracks  int // default 6000 (at least 5000 for the full app)
	Artists int // default 900
}

// Tag is a Last.fm tag with its weight (0–100).
type Tag struct {
	Name  string
	Count int
}

// SimilarTrack is a Last.fm similarity edge.
type SimilarTrack struct {
	Track int // index into Catalog.Tracks
	Match float64
}

// Artist is one performer, seen the same way by every API.
type Artist struct {
	Index      int
	ID         string // Spotify base-62 id
	Name       string
	Genres     []string
	MBID       string // "" for some, as on Last.fm
	Popularity int    // 0–100
	Followers  int
	Listeners  int64
	Playcount  int64
	DeezerID   int64
	Similar    []int // artist indices
	InLastfm   bool
	Albums     []int // album indices
	StartYear  int
}

// Album is a release holding some of an artist's tracks.
type Album struct {
	Index       int
	ID          string
	Name        string
	Artist      int
	Year        int
	ReleaseDate string // YYYY-MM-DD
	DeezerID    int64
	Tracks      []int
}

// Track is one recording. The ISRC joins Spotify and Deezer; artist and
// title join Last.fm; every figure is fixed by the seed.
type Track struct {
	Index       int
	ID          string // Spotify base-62 id
	Name        string
	Artist      int   // primary artist index
	Featured    []int // featured artist indices
	Album       int
	TrackNumber int
	ISRC        string
	DurationMs  int
	Year        int
	Genre       string
	BPM         float64 // 60–180, the true tempo
	Energy      float64 // 0–1
	Gain        float64 // dB, negative; louder tracks are closer to 0
	Popularity  int     // 0–100 (Spotify)
	Rank        int     // Deezer rank, higher is more popular
	Explicit    bool
	// InDeezer is false for tracks Deezer does not have (negative caching
	// matters for those). DeezerBPMKnown is false where Deezer says bpm 0.
	InDeezer       bool
	DeezerBPMKnown bool
	DeezerID       int64
	// DeezerAltID is a second Deezer edition with the same ISRC (a
	// remaster), 0 when there is none.
	DeezerAltID int64
	// InLastfm is false for tracks Last.fm does not know.
	InLastfm  bool
	MBID      string
	Listeners int64
	Playcount int64
	Tags      []Tag
	Similar   []SimilarTrack
}

// Catalog is the seeded world every simulated API projects. It is built
// once and never changed, so it is safe to share between goroutines.
type Catalog struct {
	Seed    uint64
	Artists []Artist
	Albums  []Album
	Tracks  []Track
	Users   []User

	byTrackID    map[string]int
	byAlbumID    map[string]int
	byArtistID   map[string]int
	byArtistName map[string]int
	byISRC       map[string]int
	byDeezerID   map[int64]int
	byName       map[string]int // normKey(artist, title) -> track
	byGenre      map[string][]int
}

// Genres are the catalog's genres with tempo range, typical energy and the
// first year the genre existed.
var genreSpecs = []struct {
	name             string
	minBPM, maxBPM   float64
	energy           float64
	fromYear, toYear int
}{
	{"rock", 100, 150, 0.70, 1960, 2025},
	{"pop", 90, 130, 0.65, 1960, 2025},
	{"hip hop", 80, 100, 0.60, 1979, 2025},
	{"electronic", 110, 135, 0.72, 1975, 2025},
	{"house", 118, 128, 0.80, 1985, 2025},
	{"techno", 125, 145, 0.85, 1988, 2025},
	{"drum and bass", 160, 178, 0.90, 1993, 2025},
	{"jazz", 70, 150, 0.35, 1960, 2025},
	{"soul", 70, 110, 0.45, 1960, 2025},
	{"funk", 95, 120, 0.70, 1965, 2025},
	{"disco", 110, 130, 0.75, 1972, 1990},
	{"r&b", 65, 100, 0.50, 1960, 2025},
	{"indie", 90, 140, 0.55, 1985, 2025},
	{"metal", 100, 180, 0.95, 1970, 2025},
	{"punk", 150, 180, 0.90, 1975, 2025},
	{"folk", 70, 120, 0.30, 1960, 2025},
	{"country", 80, 130, 0.50, 1960, 2025},
	{"reggae", 60, 90, 0.45, 1968, 2025},
	{"latin", 90, 130, 0.70, 1960, 2025},
	{"ambient", 60, 90, 0.10, 1978, 2025},
	{"classical", 60, 120, 0.20, 1960, 2025},
	{"synthwave", 80, 120, 0.60, 2008, 2025},
}

// tagExtras are mood and era tags Last.fm users add beside the genre.
var moodTags = []string{"chill", "upbeat", "party", "dance", "melancholy", "energetic", "mellow", "happy", "sad", "romantic", "dark", "summer", "workout", "night", "groovy"}

var (
	nameAdjectives = []string{"Velvet", "Electric", "Golden", "Silent", "Crimson", "Neon", "Broken", "Wild", "Lonely", "Cosmic", "Midnight", "Silver", "Burning", "Frozen", "Hidden", "Lucky", "Restless", "Sacred", "Savage", "Gentle", "Hollow", "Endless", "Purple", "Paper", "Iron", "Secret", "Distant", "Sweet", "Bitter", "Electric Blue", "Northern", "Southern", "Digital", "Analog", "Tender", "Fading", "Rising", "Falling", "Glass", "Stone"}
	nameNouns      = []string{"Foxes", "Rivers", "Echoes", "Hearts", "Machines", "Shadows", "Wolves", "Lights", "Dreams", "Tigers", "Ghosts", "Horizons", "Satellites", "Roses", "Kings", "Waves", "Sparrows", "Mirrors", "Engines", "Orchids", "Comets", "Lanterns", "Strangers", "Pilots", "Saints", "Thieves", "Prophets", "Drifters", "Giants", "Rebels"}
	firstNames     = []string{"Mara", "Jonah", "Lena", "Theo", "Iris", "Omar", "Nina", "Felix", "Ada", "Luca", "Zoe", "Malik", "Clara", "Ravi", "Elsa", "Hugo", "Maya", "Ezra", "Sofia", "Kai", "Aria", "Leon", "Noor", "Otis", "Vera", "Jude", "Lila", "Milo", "Rosa", "Sami"}
	lastNames      = []string{"Quinn", "Hart", "Vale", "Moreno", "Okafor", "Lindqvist", "Castillo", "Reyes", "Novak", "Bishop", "Fontaine", "Sato", "Brennan", "Kowalski", "Adeyemi", "Laurent", "Petrov", "Haddad", "Mendes", "Fischer", "Nakamura", "Olsen", "Carter", "Silva", "Rossi"}
	titleWords     = []string{"Midnight", "Summer", "River", "Fire", "Heart", "Rain", "City", "Stars", "Dance", "Love", "Night", "Highway", "Ocean", "Dream", "Gold", "Thunder", "Moon", "Sun", "Paradise", "Shadow", "Echo", "Signal", "Static", "Tides", "Motion", "Sugar", "Desert", "Neon", "Velvet", "Storm", "Angel", "Satellite", "Mirror", "Gravity", "Fever", "Winter", "Horizon", "Avenue", "Harbor", "Wildfire"}
	titleShapes    = []string{"%s %s", "%s of %s", "%s in the %s", "The %s %s", "%s %s Blues", "Lost in %s %s", "%s & %s", "Under the %s %s", "%s Ride", "Chasing %s %s"}
	countryCodes   = []string{"US", "GB", "DE", "FR", "SE", "NL", "JP", "BR", "CA", "AU"}
)

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// NewCatalog builds the catalog for seed. The same seed and config always
// give the same catalog, byte for byte.
func NewCatalog(seed uint64, cfg CatalogConfig) (*Catalog, error) {
	if cfg.Tracks == 0 {
		cfg.Tracks = 6000
	}
	if cfg.Artists == 0 {
		cfg.Artists = 900
	}
	if cfg.Artists < 10 || cfg.Tracks < cfg.Artists {
		return nil, errors.New("catalog needs at least 10 artists and at least one track per artist")
	}
	g := &generator{rng: rand.New(rand.NewPCG(seed, seed*0x2545f4914f6cdd1d+1)), ids: map[string]bool{}}
	c := &Catalog{Seed: seed}
	g.artists(c, cfg.Artists)
	g.albumsAndTracks(c, cfg.Tracks)
	g.similarity(c)
	c.index()
	g.users(c)
	return c, nil
}

// generator carries the random source and the uniqueness sets while the
// catalog is built.
type generator struct {
	rng      *rand.Rand
	ids      map[string]bool
	isrcSeq  int
	deezerID int64
}

func (g *generator) pick(list []string) string { return list[g.rng.IntN(len(list))] }

// spotifyID returns a fresh 22-character base-62 id.
func (g *generator) spotifyID() string {
	for {
		var b [22]byte
		for i := range b {
			b[i] = base62[g.rng.IntN(len(base62))]
		}
		if id := string(b[:]); !g.ids[id] {
			g.ids[id] = true
			return id
		}
	}
}

func (g *generator) nextDeezerID() int64 {
	g.deezerID += 1 + int64(g.rng.IntN(9973))
	return 100000000 + g.deezerID
}

func (g *generator) mbid() string {
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", g.rng.Uint32(), g.rng.IntN(1<<16), g.rng.IntN(1<<12), 0x8000|g.rng.IntN(1<<14), g.rng.Uint64()&(1<<48-1))
}

func (g *generator) artistName(taken map[string]bool) string {
	for {
		var n string
		switch g.rng.IntN(5) {
		case 0, 1:
			n = "The " + g.pick(nameAdjectives) + " " + g.pick(nameNouns)
		case 2, 3:
			n = g.pick(firstNames) + " " + g.pick(lastNames)
		default:
			n = "DJ " + g.pick(titleWords)
		}
		if !taken[strings.ToLower(n)] {
			taken[strings.ToLower(n)] = true
			return n
		}
	}
}

func (g *generator) artists(c *Catalog, n int) {
	taken := map[string]bool{}
	c.Artists = make([]Artist, n)
	for i := range c.Artists {
		gi := g.rng.IntN(len(genreSpecs))
		spec := genreSpecs[gi]
		genres := []string{spec.name}
		if g.rng.IntN(3) == 0 {
			if other := genreSpecs[g.rng.IntN(len(genreSpecs))].name; other != spec.name {
				genres = append(genres, other)
			}
		}
		pop := int(math.Min(100, 100*math.Pow(g.rng.Float64(), 1.6)+5))
		a := Artist{
			Index:      i,
			ID:         g.spotifyID(),
			Name:       g.artistName(taken),
			Genres:     genres,
			Popularity: pop,
			Followers:  int(math.Exp(float64(pop)/9)) * (50 + g.rng.IntN(50)),
			DeezerID:   int64(1000 + i*7 + g.rng.IntN(7)),
			InLastfm:   g.rng.IntN(50) != 0,
			StartYear:  spec.fromYear + g.rng.IntN(max(1, spec.toYear-spec.fromYear-2)),
		}
		if g.rng.IntN(4) != 0 {
			a.MBID = g.mbid()
		}
		a.Listeners = int64(math.Exp(float64(pop)/8.5)) * int64(200+g.rng.IntN(800))
		a.Playcount = a.Listeners * int64(5+g.rng.IntN(30))
		c.Artists[i] = a
	}
}

func (g *generator) albumsAndTracks(c *Catalog, nTracks int) {
	perArtist := make([]int, len(c.Artists))
	for i := range perArtist {
		perArtist[i] = 1
	}
	for k := len(c.Artists); k < nTracks; k++ {
		// Popular artists get more tracks.
		a := g.rng.IntN(len(c.Artists))
		if b := g.rng.IntN(len(c.Artists)); c.Artists[b].Popularity > c.Artists[a].Popularity {
			a = b
		}
		perArtist[a]++
	}
	for ai := range c.Artists {
		titles := map[string]bool{}
		remaining := perArtist[ai]
		for remaining > 0 {
			size := min(remaining, 1+g.rng.IntN(12))
			g.album(c, ai, size, titles)
			remaining -= size
		}
	}
}

func (g *generator) album(c *Catalog, ai, size int, titles map[string]bool) {
	artist := &c.Artists[ai]
	year := min(2025, artist.StartYear+g.rng.IntN(12))
	alb := Album{
		Index:       len(c.Albums),
		ID:          g.spotifyID(),
		Name:        g.title(map[string]bool{}),
		Artist:      ai,
		Year:        year,
		ReleaseDate: fmt.Sprintf("%04d-%02d-%02d", year, 1+g.rng.IntN(12), 1+g.rng.IntN(28)),
		DeezerID:    g.nextDeezerID(),
	}
	for n := 1; n <= size; n++ {
		t := g.track(c, ai, alb, n, titles)
		alb.Tracks = append(alb.Tracks, t.Index)
		c.Tracks = append(c.Tracks, t)
	}
	artist.Albums = append(artist.Albums, alb.Index)
	c.Albums = append(c.Albums, alb)
}

func (g *generator) title(taken map[string]bool) string {
	for {
		shape := g.pick(titleShapes)
		var t string
		if strings.Count(shape, "%s") == 1 {
			t = fmt.Sprintf(shape, g.pick(titleWords))
		} else {
			t = fmt.Sprintf(shape, g.pick(titleWords), g.pick(titleWords))
		}
		if !taken[strings.ToLower(t)] {
			taken[strings.ToLower(t)] = true
			return t
		}
	}
}

func (g *generator) track(c *Catalog, ai int, alb Album, number int, titles map[string]bool) Track {
	artist := c.Artists[ai]
	genre := artist.Genres[g.rng.IntN(len(artist.Genres))]
	spec := genreSpecs[0]
	for _, s := range genreSpecs {
		if s.name == genre {
			spec = s
		}
	}
	bpm := math.Round((spec.minBPM+g.rng.Float64()*(spec.maxBPM-spec.minBPM))*10) / 10
	bpmBias := (bpm - 60) / 120 * 0.2
	energy := clamp01(spec.energy + bpmBias - 0.1 + (g.rng.Float64()-0.5)*0.3)
	pop := int(clamp(float64(artist.Popularity)+g.rng.NormFloat64()*12, 0, 100))
	g.isrcSeq++
	t := Track{
		Index:          len(c.Tracks),
		ID:             g.spotifyID(),
		Name:           g.title(titles),
		Artist:         ai,
		Album:          alb.Index,
		TrackNumber:    number,
		ISRC:           fmt.Sprintf("%s%c%c%c%02d%05d", g.pick(countryCodes), 'A'+rune(g.rng.IntN(26)), 'A'+rune(g.rng.IntN(26)), '0'+rune(g.rng.IntN(10)), alb.Year%100, g.isrcSeq%100000),
		DurationMs:     (120+g.rng.IntN(300))*1000 + g.rng.IntN(1000),
		Year:           alb.Year,
		Genre:          genre,
		BPM:            bpm,
		Energy:         math.Round(energy*1000) / 1000,
		Gain:           math.Round((-14+10*energy+(g.rng.Float64()-0.5))*10) / 10,
		Popularity:     pop,
		Rank:           pop*9000 + g.rng.IntN(9000),
		Explicit:       g.rng.IntN(6) == 0,
		InDeezer:       g.rng.IntN(12) != 0,
		DeezerBPMKnown: g.rng.IntN(20) != 0,
		InLastfm:       artist.InLastfm && g.rng.IntN(10) != 0,
	}
	if g.rng.IntN(8) == 0 && len(c.Artists) > 1 {
		if f := g.rng.IntN(len(c.Artists)); f != ai {
			t.Featured = []int{f}
		}
	}
	if t.InDeezer {
		t.DeezerID = g.nextDeezerID()
		if g.rng.IntN(30) == 0 {
			t.DeezerAltID = g.nextDeezerID()
		}
	}
	if t.InLastfm {
		t.Listeners = int64(math.Exp(float64(pop)/10)) * int64(20+g.rng.IntN(200))
		t.Playcount = t.Listeners * int64(2+g.rng.IntN(20))
		t.Tags = g.tags(t)
		if g.rng.IntN(3) != 0 {
			t.MBID = g.mbid()
		}
	}
	return t
}

func (g *generator) tags(t Track) []Tag {
	tags := []Tag{{Name: t.Genre, Count: 100}}
	decade := fmt.Sprintf("%ds", t.Year/10*10%100)
	if t.Year >= 2000 {
		decade = fmt.Sprintf("%ds", t.Year/10*10)
	}
	tags = append(tags, Tag{Name: decade, Count: 40 + g.rng.IntN(50)})
	seen := map[string]bool{t.Genre: true, decade: true}
	for n := 1 + g.rng.IntN(4); n > 0; n-- {
		m := g.pick(moodTags)
		if t.Energy > 0.7 && g.rng.IntN(2) == 0 {
			m = []string{"energetic", "upbeat", "party", "workout"}[g.rng.IntN(4)]
		} else if t.Energy < 0.35 && g.rng.IntN(2) == 0 {
			m = []string{"chill", "mellow", "melancholy"}[g.rng.IntN(3)]
		}
		if !seen[m] {
			seen[m] = true
			tags = append(tags, Tag{Name: m, Count: 5 + g.rng.IntN(60)})
		}
	}
	sort.SliceStable(tags, func(i, j int) bool { return tags[i].Count > tags[j].Count })
	return tags
}

// similarity links tracks of the same genre and near tempo, and artists
// that share a genre, with a match that falls off with distance.
func (g *generator) similarity(c *Catalog) {
	byGenre := map[string][]int{}
	for i, t := range c.Tracks {
		byGenre[t.Genre] = append(byGenre[t.Genre], i)
	}
	for i := range c.Tracks {
		t := &c.Tracks[i]
		if !t.InLastfm {
			continue
		}
		pool := byGenre[t.Genre]
		seen := map[int]bool{i: true}
		for k := 0; k < 20 && k < len(pool)-1; k++ {
			j := pool[g.rng.IntN(len(pool))]
			if seen[j] || !c.Tracks[j].InLastfm {
				continue
			}
			seen[j] = true
			match := 1 / (1 + math.Abs(c.Tracks[j].BPM-t.BPM)/20 + math.Abs(c.Tracks[j].Energy-t.Energy))
			t.Similar = append(t.Similar, SimilarTrack{Track: j, Match: math.Round(match*1e6) / 1e6})
		}
		sort.SliceStable(t.Similar, func(a, b int) bool { return t.Similar[a].Match > t.Similar[b].Match })
	}
	artistsByGenre := map[string][]int{}
	for i, a := range c.Artists {
		artistsByGenre[a.Genres[0]] = append(artistsByGenre[a.Genres[0]], i)
	}
	for i := range c.Artists {
		pool := artistsByGenre[c.Artists[i].Genres[0]]
		for k := 0; k < 10 && k < len(pool)-1; k++ {
			if j := pool[g.rng.IntN(len(pool))]; j != i && !containsInt(c.Artists[i].Similar, j) {
				c.Artists[i].Similar = append(c.Artists[i].Similar, j)
			}
		}
	}
}

func (c *Catalog) index() {
	c.byTrackID = make(map[string]int, len(c.Tracks))
	c.byISRC = make(map[string]int, len(c.Tracks))
	c.byDeezerID = make(map[int64]int, len(c.Tracks))
	c.byName = make(map[string]int, len(c.Tracks))
	c.byGenre = map[string][]int{}
	for i, t := range c.Tracks {
		c.byTrackID[t.ID] = i
		c.byISRC[t.ISRC] = i
		if t.DeezerID != 0 {
			c.byDeezerID[t.DeezerID] = i
		}
		if t.DeezerAltID != 0 {
			c.byDeezerID[t.DeezerAltID] = i
		}
		c.byName[NormKey(c.Artists[t.Artist].Name, t.Name)] = i
		c.byGenre[t.Genre] = append(c.byGenre[t.Genre], i)
	}
	c.byArtistID = make(map[string]int, len(c.Artists))
	c.byArtistName = make(map[string]int, len(c.Artists))
	for i, a := range c.Artists {
		c.byArtistID[a.ID] = i
		c.byArtistName[NormName(a.Name)] = i
	}
	c.byAlbumID = make(map[string]int, len(c.Albums))
	for i, a := range c.Albums {
		c.byAlbumID[a.ID] = i
	}
}

// NormName folds a name for matching the way Last.fm's lookups do: case,
// surrounding space and runs of inner space do not matter.
func NormName(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), " ") }

// NormKey is the lookup key of a track by artist and title.
func NormKey(artist, title string) string { return NormName(artist) + "\x00" + NormName(title) }

// TrackByID finds a track by its Spotify id.
func (c *Catalog) TrackByID(id string) (*Track, bool) { return lookup(c.Tracks, c.byTrackID, id) }

// TrackByISRC finds the recording with this ISRC (case-insensitive).
func (c *Catalog) TrackByISRC(isrc string) (*Track, bool) {
	return lookup(c.Tracks, c.byISRC, strings.ToUpper(isrc))
}

// TrackByDeezerID finds a track by either of its Deezer ids; alt reports
// that the id is the remastered edition.
func (c *Catalog) TrackByDeezerID(id int64) (t *Track, alt bool, ok bool) {
	t, ok = lookup(c.Tracks, c.byDeezerID, id)
	return t, ok && t.DeezerAltID == id, ok
}

// TrackByName finds a track by artist and title, folded by NormName.
func (c *Catalog) TrackByName(artist, title string) (*Track, bool) {
	return lookup(c.Tracks, c.byName, NormKey(artist, title))
}

// ArtistByID finds an artist by Spotify id.
func (c *Catalog) ArtistByID(id string) (*Artist, bool) { return lookup(c.Artists, c.byArtistID, id) }

// ArtistByName finds an artist by name, folded by NormName.
func (c *Catalog) ArtistByName(name string) (*Artist, bool) {
	return lookup(c.Artists, c.byArtistName, NormName(name))
}

// AlbumByID finds an album by Spotify id.
func (c *Catalog) AlbumByID(id string) (*Album, bool) { return lookup(c.Albums, c.byAlbumID, id) }

// TracksInGenre lists the tracks of a genre in catalog order.
func (c *Catalog) TracksInGenre(genre string) []int { return c.byGenre[genre] }

// Genres lists the catalog's genre names.
func Genres() []string {
	out := make([]string, len(genreSpecs))
	for i, s := range genreSpecs {
		out[i] = s.name
	}
	return out
}

// ArtistNames gives the primary and featured artist names of a track.
func (c *Catalog) ArtistNames(t *Track) []string {
	names := []string{c.Artists[t.Artist].Name}
	for _, f := range t.Featured {
		names = append(names, c.Artists[f].Name)
	}
	return names
}

func lookup[K comparable, T any](items []T, idx map[K]int, key K) (*T, bool) {
	i, ok := idx[key]
	if !ok {
		return nil, false
	}
	return &items[i], true
}

// CatalogSummary is what GET /_sim/catalog returns: sizes and the demo
// users, enough for a load harness to log in and pick playlists.
type CatalogSummary struct {
	Seed          uint64        `json:"seed"`
	Tracks        int           `json:"tracks"`
	Artists       int           `json:"artists"`
	Albums        int           `json:"albums"`
	Genres        []string      `json:"genres"`
	MissingDeezer int           `json:"missing_deezer"`
	MissingLastfm int           `json:"missing_lastfm"`
	Users         []UserSummary `json:"users"`
}

// UserSummary names a demo user and their playlists.
type UserSummary struct {
	ID          string   `json:"id"`
	DisplayName string   `json:"display_name"`
	Playlists   []string `json:"playlists"`
}

// Summary describes the catalog.
func (c *Catalog) Summary() CatalogSummary {
	s := CatalogSummary{Seed: c.Seed, Tracks: len(c.Tracks), Artists: len(c.Artists), Albums: len(c.Albums), Genres: Genres()}
	for _, t := range c.Tracks {
		if !t.InDeezer {
			s.MissingDeezer++
		}
		if !t.InLastfm {
			s.MissingLastfm++
		}
	}
	for _, u := range c.Users {
		us := UserSummary{ID: u.ID, DisplayName: u.DisplayName}
		for _, p := range u.Playlists {
			us.Playlists = append(us.Playlists, p.ID)
		}
		s.Users = append(s.Users, us)
	}
	return s
}

func clamp(v, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, v)) }
func clamp01(v float64) float64       { return clamp(v, 0.02, 0.99) }

func containsInt(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
