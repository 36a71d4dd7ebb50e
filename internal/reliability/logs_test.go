package reliability

import (
	"bufio"
	"encoding/json"
	"strings"
)

// logLine is one JSON log line of djd.
type logLine map[string]any

// logLines returns the JSON lines of logs whose "msg" is msg.
func logLines(logs, msg string) []logLine {
	var out []logLine
	sc := bufio.NewScanner(strings.NewReader(logs))
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for sc.Scan() {
		if !strings.Contains(sc.Text(), msg) {
			continue
		}
		var l logLine
		if json.Unmarshal(sc.Bytes(), &l) == nil && l["msg"] == msg {
			out = append(out, l)
		}
	}
	return out
}

// lastLog is the last line with msg, or nil.
func lastLog(logs, msg string) logLine {
	ls := logLines(logs, msg)
	if len(ls) == 0 {
		return nil
	}
	return ls[len(ls)-1]
}

// problemLines returns the WARN and ERROR lines of logs (at most n, the
// last ones), for failure messages.
func problemLines(logs string, n int) string {
	var out []string
	for _, line := range strings.Split(logs, "\n") {
		if strings.Contains(line, `"level":"WARN"`) || strings.Contains(line, `"level":"ERROR"`) {
			out = append(out, line)
		}
	}
	return strings.Join(out[max(0, len(out)-n):], "\n")
}
