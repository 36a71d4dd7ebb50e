package actors

import (
	"log/slog"
	"time"

	"dj/store"
)

// Deps are what the request-serving services (login, mixes, music,
// streams) share: the actor system with its limiter, the store, the
// upstream clients and the login flow that owns users' Spotify tokens.
type Deps struct {
	System    *System
	Store     *store.Store
	Upstreams Upstreams
	Login     *Login
	Log       *slog.Logger
	Now       func() time.Time
}

func (d *Deps) defaults() {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = d.System.log
	}
}
