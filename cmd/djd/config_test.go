package main

import (
	"io"
	"testing"
	"time"
)

func envOf(m map[string]string) envLookup {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestParseConfig(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		check   func(t *testing.T, c config)
		wantErr bool
	}{
		{name: "defaults", check: func(t *testing.T, c config) {
			if c.Addr != "127.0.0.1:8080" || c.DataDir != "./data" || c.Upstream != "sim" || c.ShutdownTimeout != 10*time.Second {
				t.Fatalf("defaults wrong: %+v", c)
			}
		}},
		{name: "env overrides default", env: map[string]string{"DJ_ADDR": "127.0.0.1:9999", "DJ_DATA_DIR": "/tmp/x"}, check: func(t *testing.T, c config) {
			if c.Addr != "127.0.0.1:9999" || c.DataDir != "/tmp/x" {
				t.Fatalf("env not applied: %+v", c)
			}
		}},
		{name: "flag overrides env", args: []string{"-addr", "127.0.0.1:7000"}, env: map[string]string{"DJ_ADDR": "127.0.0.1:9999"}, check: func(t *testing.T, c config) {
			if c.Addr != "127.0.0.1:7000" {
				t.Fatalf("flag did not win: %s", c.Addr)
			}
		}},
		{name: "spotify key switches default to real", env: map[string]string{"SPOTIFY_CLIENT_ID": "abc"}, check: func(t *testing.T, c config) {
			if c.Upstream != "real" || c.SpotifyClientID != "abc" {
				t.Fatalf("want real mode, got %+v", c)
			}
		}},
		{name: "sim forced with a key", args: []string{"-upstream", "sim"}, env: map[string]string{"SPOTIFY_CLIENT_ID": "abc"}, check: func(t *testing.T, c config) {
			if c.Upstream != "sim" {
				t.Fatalf("want sim, got %s", c.Upstream)
			}
		}},
		{name: "cors list", env: map[string]string{"DJ_CORS_ORIGINS": "https://a.example, https://b.example"}, check: func(t *testing.T, c config) {
			if len(c.CORSOrigins) != 2 || c.CORSOrigins[1] != "https://b.example" {
				t.Fatalf("cors origins %v", c.CORSOrigins)
			}
		}},
		{name: "real without key", args: []string{"-upstream", "real"}, wantErr: true},
		{name: "unknown mode", args: []string{"-upstream", "mock"}, wantErr: true},
		{name: "bad log level", args: []string{"-log-level", "loud"}, wantErr: true},
		{name: "bad shutdown timeout", args: []string{"-shutdown-timeout", "soon"}, wantErr: true},
		{name: "tiny body limit", args: []string{"-body-limit", "10"}, wantErr: true},
		{name: "bad sim latency", args: []string{"-sim-latency", "slow"}, wantErr: true},
		{name: "unknown flag", args: []string{"-nope"}, wantErr: true},
		{name: "cluster from the environment", env: map[string]string{
			"DJ_CLUSTER_NAME": "dj", "DJ_REDIS_ADDR": "127.0.0.1:6379", "DJ_CLUSTER_DISCOVERY_PORT": "16330",
			"DJ_CLUSTER_SEEDS": "127.0.0.1:16330, 127.0.0.1:16331", "DJ_REDIS_PASSWORD": "s3cret",
		}, check: func(t *testing.T, c config) {
			cl := c.Cluster
			if cl.Name != "dj" || cl.DiscoveryPort != 16330 || len(cl.Seeds) != 2 || cl.Seeds[1] != "127.0.0.1:16331" ||
				cl.Addr != "127.0.0.1:0" || c.RedisAddr != "127.0.0.1:6379" || c.RedisPassword != "s3cret" {
				t.Fatalf("cluster settings %+v, redis %q", cl, c.RedisAddr)
			}
		}},
		{name: "redis alone is a single node", args: []string{"-redis-addr", "127.0.0.1:6379"}, check: func(t *testing.T, c config) {
			if c.Cluster.Name != "" || c.RedisAddr != "127.0.0.1:6379" {
				t.Fatalf("want a single node on Redis, got %+v", c)
			}
		}},
		{name: "mix idle timeout", args: []string{"-mix-idle-timeout", "90s"}, check: func(t *testing.T, c config) {
			if c.MixIdleTimeout != 90*time.Second {
				t.Fatalf("mix idle timeout %v", c.MixIdleTimeout)
			}
		}},
		{name: "bad mix idle timeout", env: map[string]string{"DJ_MIX_IDLE_TIMEOUT": "forever"}, wantErr: true},
		{name: "cluster without redis", args: []string{"-cluster-name", "dj", "-cluster-discovery-port", "16330", "-cluster-seeds", "127.0.0.1:16330"}, wantErr: true},
		{name: "cluster without discovery port", args: []string{"-cluster-name", "dj", "-redis-addr", "127.0.0.1:6379", "-cluster-seeds", "127.0.0.1:16330"}, wantErr: true},
		{name: "cluster without seeds", args: []string{"-cluster-name", "dj", "-redis-addr", "127.0.0.1:6379", "-cluster-discovery-port", "16330"}, wantErr: true},
		{name: "seed without port", args: []string{"-cluster-seeds", "127.0.0.1"}, wantErr: true},
		{name: "bad cluster addr", args: []string{"-cluster-name", "dj", "-redis-addr", "r:6379", "-cluster-discovery-port", "1", "-cluster-seeds", "a:1", "-cluster-addr", "nohost"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parseConfig(tt.args, envOf(tt.env), io.Discard)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("want error, got %+v", c)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c)
		})
	}
}
