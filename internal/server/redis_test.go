package server_test

import (
	"context"
	"testing"
	"time"

	"dj/internal/djtest"
	"dj/internal/redistest"
	"dj/internal/server"
)

// TestSingleNodeOnRedis runs the whole server with its store in Redis
// (-redis-addr without a cluster): a login and a mix edit made on one
// server are there for a second server started on the same Redis after
// the first has stopped — the session token included.
func TestSingleNodeOnRedis(t *testing.T) {
	rds := redistest.Start(t)
	onRedis := func(c *server.Config) { c.RedisAddr = rds.Addr() }

	first := djtest.Start(t, onRedis)
	token := first.Login("alice")
	var started struct {
		Session struct {
			ID string `json:"id"`
		} `json:"session"`
	}
	body := map[string]any{"preferences": map[string]any{"autoFill": false}}
	if st := first.JSON("POST", "/api/mix/start", token, body, &started); st != 200 || started.Session.ID == "" {
		t.Fatalf("mix start: status %d, %+v", st, started)
	}
	if st := first.JSON("PATCH", "/api/mix/preferences", token, map[string]any{"avoidGenres": []string{"polka"}}, nil); st != 200 {
		t.Fatalf("preferences: status %d", st)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := first.Server.Shutdown(ctx); err != nil {
		t.Fatalf("first server shutdown: %v", err)
	}

	second := djtest.Start(t, onRedis)
	var cur struct {
		Session *struct {
			ID          string `json:"id"`
			Preferences struct {
				AvoidGenres []string `json:"avoidGenres"`
			} `json:"preferences"`
		} `json:"session"`
	}
	if st := second.JSON("GET", "/api/mix/current", token, nil, &cur); st != 200 {
		t.Fatalf("the session token from the first server: status %d on the second", st)
	}
	if cur.Session == nil || cur.Session.ID != started.Session.ID || len(cur.Session.Preferences.AvoidGenres) != 1 || cur.Session.Preferences.AvoidGenres[0] != "polka" {
		t.Fatalf("mix on the second server %+v, want %s avoiding polka", cur.Session, started.Session.ID)
	}
}
