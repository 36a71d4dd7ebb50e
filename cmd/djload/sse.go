package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// sseFrame is one Server-Sent Events block: either comment lines only (a
// heartbeat) or an optional event name with its data.
type sseFrame struct {
	Comment string // text after ":" of a comment-only block, trimmed
	Event   string // "event:" field; empty for data-only frames
	Data    []byte // "data:" lines joined with "\n"
}

// heartbeat reports whether the frame is a ": heartbeat" comment.
func (f sseFrame) heartbeat() bool { return f.Event == "" && f.Data == nil && f.Comment == "heartbeat" }

// maxLine bounds one SSE line (djd caps event data at 256 KiB).
const maxLine = 1 << 20

// sseReader parses frames from a stream with a small, reused buffer, so
// tens of thousands of idle streams cost little client memory.
type sseReader struct {
	br   *bufio.Reader
	line []byte
}

func newSSEReader(r io.Reader, size int) *sseReader {
	return &sseReader{br: bufio.NewReaderSize(r, size)}
}

// next returns the next frame; io.EOF when the stream ended cleanly
// between frames.
func (s *sseReader) next() (sseFrame, error) {
	var f sseFrame
	seen := false
	for {
		line, err := s.readLine()
		if err != nil {
			if errors.Is(err, io.EOF) && seen {
				return f, io.ErrUnexpectedEOF
			}
			return f, err
		}
		if len(line) == 0 {
			if seen {
				return f, nil
			}
			continue
		}
		seen = true
		field, value, _ := bytes.Cut(line, []byte(":"))
		value = bytes.TrimPrefix(value, []byte(" "))
		switch string(field) {
		case "":
			if f.Comment == "" {
				f.Comment = string(bytes.TrimSpace(value))
			}
		case "event":
			f.Event = string(value)
		case "data":
			if f.Data == nil {
				f.Data = make([]byte, 0, len(value))
			} else {
				f.Data = append(f.Data, '\n')
			}
			f.Data = append(f.Data, value...)
		}
	}
}

// readLine returns one line without its terminator; the slice is valid
// until the next call.
func (s *sseReader) readLine() ([]byte, error) {
	s.line = s.line[:0]
	for {
		chunk, err := s.br.ReadSlice('\n')
		s.line = append(s.line, chunk...)
		if err == nil {
			break
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			if len(s.line) > maxLine {
				return nil, fmt.Errorf("sse line longer than %d bytes", maxLine)
			}
			continue
		}
		if errors.Is(err, io.EOF) && len(s.line) > 0 {
			break
		}
		return nil, err
	}
	s.line = bytes.TrimSuffix(s.line, []byte("\n"))
	s.line = bytes.TrimSuffix(s.line, []byte("\r"))
	return s.line, nil
}
