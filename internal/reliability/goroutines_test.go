package reliability

import (
	"bufio"
	"bytes"
	"fmt"
	"runtime"
	"sort"
	"strings"
)

// goroutineCensus counts the process's goroutines by where they were
// created ("created by" in a stack dump) and the function they sit in.
type goroutineCensus map[string]int

func takeCensus() goroutineCensus {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	c := goroutineCensus{}
	for _, block := range bytes.Split(buf, []byte("\n\n")) {
		var top, creator string
		sc := bufio.NewScanner(bytes.NewReader(block))
		sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
		for i := 0; sc.Scan(); i++ {
			line := sc.Text()
			switch {
			case i == 1:
				top = funcName(line)
			case strings.HasPrefix(line, "created by "):
				creator = funcName(strings.TrimPrefix(line, "created by "))
			}
		}
		if top != "" {
			c[top+" ← "+creator]++
		}
	}
	return c
}

// funcName cuts a stack line down to the function (no arguments, no
// "in goroutine N").
func funcName(line string) string {
	line, _, _ = strings.Cut(line, " in goroutine ")
	if i := strings.LastIndex(line, "("); i > 0 && strings.HasSuffix(line, ")") {
		line = line[:i]
	}
	return line
}

func (c goroutineCensus) total() int {
	n := 0
	for _, k := range c {
		n += k
	}
	return n
}

// pooled reports whether a goroutine belongs to a pool of kept-alive
// connections or idle workers: those may outlast a load run by design,
// bounded by the pool's size and idle timeout, and are not a leak.
func pooled(key string) bool {
	for _, p := range []string{
		// Clients' kept-alive connections (dj's to the simulator, 90 s;
		// the tests' own), by function or by creator.
		"net/http.(*persistConn).readLoop", "net/http.(*persistConn).writeLoop", "← net/http.(*Transport).dialConn",
		// The simulator's side of them.
		"net/http.(*conn).serve", "← net/http.(*Server).Serve",
		// fasthttp's idle workers (10 s).
		"github.com/valyala/fasthttp.(*workerPool)",
	} {
		if strings.Contains(key, p) {
			return true
		}
	}
	return false
}

// excess lists the groups that have more goroutines than in base, the
// pooled ones apart, as "n× key" lines.
func (c goroutineCensus) excess(base goroutineCensus) []string {
	var out []string
	for k, n := range c {
		if n > base[k] && !pooled(k) {
			out = append(out, fmt.Sprintf("%d× %s", n-base[k], k))
		}
	}
	sort.Strings(out)
	return out
}

// pooledCount is how many goroutines are in pools.
func (c goroutineCensus) pooledCount() int {
	n := 0
	for k, v := range c {
		if pooled(k) {
			n += v
		}
	}
	return n
}
