package store

import (
	"bufio"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestMemoryFootprint measures peak RSS with three on-disk databases under
// write and read load. It is opt-in (DJ_STORE_MEMTEST=1) because it writes
// 600 000 records; run it without -race for meaningful numbers:
//
//	DJ_STORE_MEMTEST=1 go test -run TestMemoryFootprint -v ./store/
func TestMemoryFootprint(t *testing.T) {
	if os.Getenv("DJ_STORE_MEMTEST") == "" {
		t.Skip("set DJ_STORE_MEMTEST=1 to measure memory")
	}
	const perNS = 200_000
	s, err := Open(Config{Dir: t.TempDir(), Logger: quietLogger()}, nil)
	require.NoError(t, err)
	defer func() { require.NoError(t, s.Close()) }()
	ctx := testCtx(t)
	sessions, mixes, features := Sessions[rec](s), Mixes[rec](s), Features[rec](s)
	pad := strings.Repeat("x", 480) // ~512 B stored per value
	start := time.Now()
	for i := range perNS {
		k := "k" + strconv.Itoa(i)
		v := rec{ID: k + pad, N: i}
		require.NoError(t, sessions.Put(ctx, k, v))
		require.NoError(t, mixes.Put(ctx, k, v))
		require.NoError(t, features.PutHit(ctx, k, v))
	}
	t.Logf("wrote %d records in %v; %s", 3*perNS, time.Since(start), memSummary(t))
	start = time.Now()
	for i := range perNS {
		k := "k" + strconv.Itoa(i)
		_, found, err := sessions.Get(ctx, k)
		require.NoError(t, err)
		require.True(t, found)
		_, found, err = mixes.Get(ctx, k)
		require.NoError(t, err)
		require.True(t, found)
		_, l, err := features.Get(ctx, k)
		require.NoError(t, err)
		require.Equal(t, LookupHit, l)
	}
	t.Logf("read %d records in %v; %s", 3*perNS, time.Since(start), memSummary(t))
}

// memSummary reports RSS split into anonymous memory (Go heap, Badger's
// caches) and file-backed pages (mmapped tables: page cache the kernel can
// reclaim), the peak so far, and the live Go heap (measured after a GC).
func memSummary(t *testing.T) string {
	t.Helper()
	rss := "RSS " + procStatus(t, "VmRSS") + " (anon " + procStatus(t, "RssAnon") + ", file " +
		procStatus(t, "RssFile") + "), peak " + procStatus(t, "VmHWM")
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return rss + ", live Go heap " + strconv.FormatUint(ms.HeapInuse>>20, 10) + " MiB"
}

// procStatus returns one field of /proc/self/status (Linux only).
func procStatus(t *testing.T, field string) string {
	t.Helper()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return "n/a"
	}
	defer func() { _ = f.Close() }()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if name, val, ok := strings.Cut(sc.Text(), ":"); ok && name == field {
			return strings.TrimSpace(val)
		}
	}
	return "n/a"
}
