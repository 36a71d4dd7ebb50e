package store

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// crashDirEnv tells the re-executed test binary to act as the crash child and
// where its data directory is.
const crashDirEnv = "DJ_STORE_CRASH_CHILD_DIR"

// crashKey and crashRec derive key and record of write i, so the parent can
// check contents without the child telling it more than the index.
func crashKey(i int) string { return "key-" + strconv.Itoa(i) }

func crashRec(i int) rec { return rec{ID: crashKey(i), N: i} }

// TestCrashChild is not a test on its own: TestAcknowledgedWritesSurviveKill9
// runs the test binary again with only this test selected and crashDirEnv
// set. It writes records to all three namespaces in turn and prints
// "ack <ns> <i>" after each write has returned, until it is killed.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		t.Skip("only runs as the child of TestAcknowledgedWritesSurviveKill9")
	}
	s, err := Open(Config{Dir: dir, Logger: quietLogger()}, nil)
	if err != nil {
		fmt.Printf("error %v\n", err)
		os.Exit(2)
	}
	ctx := context.Background()
	sessions, mixes, features := Sessions[rec](s), Mixes[rec](s), Features[rec](s)
	out := bufio.NewWriter(os.Stdout)
	for i := 0; ; i++ { // runs until the parent's SIGKILL
		var (
			ns  string
			err error
		)
		switch i % 4 {
		case 0:
			ns, err = NSSessions, sessions.Put(ctx, crashKey(i), crashRec(i))
		case 1:
			ns, err = NSMixSessions, mixes.Put(ctx, crashKey(i), crashRec(i))
		case 2:
			ns, err = NSAudioFeatures, features.PutHit(ctx, crashKey(i), crashRec(i))
		default:
			ns, err = "negative", features.PutMiss(ctx, crashKey(i))
		}
		if err != nil {
			fmt.Fprintf(out, "error %v\n", err)
			_ = out.Flush()
			os.Exit(2)
		}
		// The ack is written (and flushed) only after Put has returned.
		fmt.Fprintf(out, "ack %s %d\n", ns, i)
		if err := out.Flush(); err != nil {
			os.Exit(3)
		}
	}
}

func TestAcknowledgedWritesSurviveKill9(t *testing.T) {
	if os.Getenv(crashDirEnv) != "" {
		t.Skip("this is the child")
	}
	if testing.Short() {
		t.Skip("spawns a child process")
	}
	const killAfter = 3000 // acks seen before SIGKILL
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashDirEnv+"="+dir)
	cmd.Stderr = os.Stderr
	cmd.WaitDelay = 5 * time.Second
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())

	type ack struct {
		ns string
		i  int
	}
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()

	var acks []ack
	killed := false
	for line := range lines { // ends at EOF: the child is dead and the pipe drained
		f := strings.Fields(line)
		if len(f) != 3 || f[0] != "ack" {
			// The child reports its own failures as lines; drain before failing.
			for range lines {
			}
			_ = cmd.Wait()
			t.Fatalf("child: %q", line)
		}
		i, err := strconv.Atoi(f[2])
		require.NoError(t, err)
		acks = append(acks, ack{f[1], i})
		if len(acks) == killAfter && !killed {
			require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
			killed = true
		}
	}
	err = cmd.Wait()
	require.Error(t, err, "the child must die by SIGKILL, not finish")
	status, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
	require.True(t, ok)
	require.True(t, status.Signaled(), "child exit: %v", err)
	require.Equal(t, syscall.SIGKILL, status.Signal())
	require.GreaterOrEqual(t, len(acks), killAfter)
	t.Logf("child acknowledged %d writes before SIGKILL took effect", len(acks))

	// Reopen the databases the killed process left behind.
	s, err := Open(Config{Dir: dir, Logger: quietLogger()}, nil)
	require.NoError(t, err)
	defer func() { require.NoError(t, s.Close()) }()
	sessions, mixes, features := Sessions[rec](s), Mixes[rec](s), Features[rec](s)
	missing := 0
	for _, a := range acks {
		key := crashKey(a.i)
		switch a.ns {
		case NSSessions, NSMixSessions:
			tbl := sessions
			if a.ns == NSMixSessions {
				tbl = mixes
			}
			v, found, err := tbl.Get(ctx, key)
			require.NoError(t, err)
			if !assert.True(t, found, "%s %s lost", a.ns, key) {
				missing++
				continue
			}
			assert.Equal(t, crashRec(a.i), v)
		case NSAudioFeatures:
			v, l, err := features.Get(ctx, key)
			require.NoError(t, err)
			if !assert.Equal(t, LookupHit, l, "%s %s lost", a.ns, key) {
				missing++
				continue
			}
			assert.Equal(t, crashRec(a.i), v)
		case "negative":
			_, l, err := features.Get(ctx, key)
			require.NoError(t, err)
			if !assert.Equal(t, LookupNegative, l, "negative %s lost", key) {
				missing++
			}
		default:
			t.Fatalf("unknown namespace in ack %v", a)
		}
	}
	require.Zero(t, missing, "acknowledged writes lost")
	for ns, st := range s.Stats() {
		assert.Zero(t, st.Invalid, "%s: invalid values after crash", ns)
	}
}
