package redistest

import (
	"context"
	"fmt"
	"net"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"dj/internal/leakcheck"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { leakcheck.VerifyTestMain(m) }

// client opens a go-redis client on srv that honours context deadlines and
// is closed when the test ends.
func client(t *testing.T, srv *Server) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{
		Addr: srv.Addr(), ContextTimeoutEnabled: true, MaxRetries: -1,
		DialTimeout: time.Second, ReadTimeout: 2 * time.Second, WriteTimeout: 2 * time.Second,
	})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// alive reports whether a process with pid exists (and is not a zombie we
// have reaped: Server always reaps its children).
func alive(pid int) bool { return syscall.Kill(pid, 0) == nil }

func TestStartServesAndCleanupStops(t *testing.T) {
	var pid int
	t.Run("server", func(t *testing.T) {
		srv := Start(t)
		pid = srv.PID()
		require.NotZero(t, pid)
		host, _, err := net.SplitHostPort(srv.Addr())
		require.NoError(t, err)
		assert.Equal(t, "127.0.0.1", host)

		c := client(t, srv)
		ctx := testCtx(t)
		require.NoError(t, c.Set(ctx, "k", "v", time.Minute).Err())
		got, err := c.Get(ctx, "k").Result()
		require.NoError(t, err)
		assert.Equal(t, "v", got)

		// The defaults keep nothing on disk.
		cfg, err := c.ConfigGet(ctx, "*").Result()
		require.NoError(t, err)
		assert.Equal(t, "no", cfg["appendonly"])
		assert.Empty(t, cfg["save"])
		assert.Equal(t, srv.Dir(), cfg["dir"])
		assert.Contains(t, srv.Log(), "Ready to accept connections")
	})
	assert.False(t, alive(pid), "redis-server (pid %d) still running after the test's cleanup", pid)
}

func TestServersGetTheirOwnPortsAndData(t *testing.T) {
	a, b := Start(t), Start(t)
	require.NotEqual(t, a.Addr(), b.Addr())
	require.NotEqual(t, a.Dir(), b.Dir())
	ctx := testCtx(t)
	ca, cb := client(t, a), client(t, b)
	require.NoError(t, ca.Set(ctx, "k", "a", 0).Err())
	require.ErrorIs(t, cb.Get(ctx, "k").Err(), redis.Nil)
}

func TestKillAndRestart(t *testing.T) {
	for _, tc := range []struct {
		name    string
		opts    []Option
		survive bool
	}{
		{"volatile", nil, false},
		{"durable", []Option{Durable()}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := Start(t, tc.opts...)
			c := client(t, srv)
			ctx := testCtx(t)
			if tc.survive {
				cfg, err := c.ConfigGet(ctx, "append*").Result()
				require.NoError(t, err)
				assert.Equal(t, "yes", cfg["appendonly"])
				assert.Equal(t, "always", cfg["appendfsync"])
			}
			const n = 200
			for i := range n {
				require.NoError(t, c.Set(ctx, "k"+strconv.Itoa(i), i, 0).Err())
			}
			pid := srv.PID()
			srv.Kill()
			assert.Zero(t, srv.PID())
			assert.False(t, alive(pid))
			require.Error(t, c.Ping(ctx).Err(), "a killed server answers nothing")

			srv.Restart()
			require.NotEqual(t, pid, srv.PID())
			found := 0
			for i := range n {
				err := c.Get(ctx, "k"+strconv.Itoa(i)).Err()
				if err == nil {
					found++
				} else {
					require.ErrorIs(t, err, redis.Nil)
				}
			}
			if tc.survive {
				assert.Equal(t, n, found, "acknowledged writes lost despite appendfsync always")
			} else {
				assert.Zero(t, found, "the default must keep nothing across a restart")
			}
		})
	}
}

func TestRestartOfRunningServer(t *testing.T) {
	srv := Start(t)
	pid := srv.PID()
	srv.Restart()
	assert.False(t, alive(pid), "the old process is stopped first")
	require.NoError(t, client(t, srv).Ping(testCtx(t)).Err())
}

func TestPauseAndResume(t *testing.T) {
	srv := Start(t)
	c := client(t, srv)
	require.NoError(t, c.Ping(testCtx(t)).Err())
	srv.Pause()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	require.Error(t, c.Ping(ctx).Err(), "a paused server answers nothing")
	srv.Resume()
	require.NoError(t, c.Ping(testCtx(t)).Err())
}

func TestCleanupStopsPausedServer(t *testing.T) {
	var pid int
	t.Run("server", func(t *testing.T) {
		srv := Start(t)
		pid = srv.PID()
		srv.Pause() // a stopped process ignores SIGTERM until continued
	})
	assert.False(t, alive(pid))
}

func TestRetriesWhenPortIsTaken(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer func() { _ = busy.Close() }()
	busyPort := busy.Addr().(*net.TCPAddr).Port

	var picks int
	srv := Start(t, withPorts(func() (int, error) {
		picks++
		if picks == 1 {
			return busyPort, nil
		}
		return freePort()
	}))
	assert.Equal(t, 2, picks)
	assert.NotEqual(t, strconv.Itoa(busyPort), srv.Addr()[strings.LastIndex(srv.Addr(), ":")+1:])
	assert.Contains(t, srv.Log(), "Address already in use", "the first attempt failed to bind")
	require.NoError(t, client(t, srv).Ping(testCtx(t)).Err())
}

// fatalTB records the first Fatalf and ends the calling goroutine, as
// testing.T does, while delegating everything else to the real test.
type fatalTB struct {
	testing.TB
	mu  sync.Mutex
	msg string
}

func (f *fatalTB) Fatalf(format string, args ...any) {
	f.mu.Lock()
	f.msg = fmt.Sprintf(format, args...)
	f.mu.Unlock()
	runtime.Goexit()
}

func (f *fatalTB) message() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.msg
}

// startFailing runs Start with opts on a fatalTB and returns its failure.
func startFailing(t *testing.T, opts ...Option) string {
	t.Helper()
	f := &fatalTB{TB: t}
	done := make(chan *Server)
	go func() {
		var srv *Server
		defer func() { done <- srv }()
		srv = Start(f, opts...)
	}()
	select {
	case srv := <-done:
		require.Nil(t, srv, "Start must fail")
	case <-time.After(2 * readyTimeout):
		t.Fatal("Start hung")
	}
	return f.message()
}

func TestMissingBinaryNamesTheFix(t *testing.T) {
	msg := startFailing(t, withBinary("/nonexistent/redis-server"))
	assert.Contains(t, msg, "redis-server not found: run `make redis-server` (apt-get install redis-server)")
}

func TestStartFailureShowsServerLog(t *testing.T) {
	msg := startFailing(t, Args("--no-such-directive", "x"))
	assert.Contains(t, msg, "exited before answering")
	assert.Contains(t, msg, "no-such-directive", "the server's own complaint is in the message")
}

func TestFindBinary(t *testing.T) {
	_, err := findBinary("/nonexistent/redis-server")
	require.Error(t, err)
	p, err := findBinary("")
	require.NoError(t, err)
	assert.NotEmpty(t, p)
}

func TestProbeRejectsForeignServer(t *testing.T) {
	srv := Start(t)
	err := probe(srv.Addr(), "", srv.PID()+1_000_000)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "is not process")
	require.NoError(t, probe(srv.Addr(), "", srv.PID()))
	require.Error(t, probe("127.0.0.1:1", "", 1), "nothing listens on port 1")
}

func TestPassword(t *testing.T) {
	const pw = "p w\r\n$*" // framing characters must not matter
	srv := Start(t, Password(pw))
	ctx := testCtx(t)
	err := client(t, srv).Ping(ctx).Err()
	require.ErrorContains(t, err, "NOAUTH", "the password is required")
	c := redis.NewClient(&redis.Options{Addr: srv.Addr(), Password: pw})
	defer func() { _ = c.Close() }()
	require.NoError(t, c.Ping(ctx).Err())
	err = probe(srv.Addr(), "wrong", srv.PID())
	require.ErrorContains(t, err, "AUTH answered")
}
