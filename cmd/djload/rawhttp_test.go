package main

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

func TestRawConnKeepsAlive(t *testing.T) {
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok" || r.URL.Path != "/api/mix/queue" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"queue":[]}`))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	rc, err := newRawConn(srv.URL+"/api/mix/queue", "Bearer tok")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.close()
	for range 5 {
		code, err := rc.get(context.Background())
		if err != nil || code != http.StatusOK {
			t.Fatalf("get: %d, %v", code, err)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("%d connections for 5 requests, want 1 (keep-alive)", n)
	}
	bad, _ := newRawConn(srv.URL+"/other", "Bearer tok")
	if code, err := bad.get(context.Background()); err != nil || code != http.StatusUnauthorized {
		t.Errorf("other path: %d, %v", code, err)
	}
}
