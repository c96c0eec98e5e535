package wasm

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"os"
	"sync"
)

// stderrLog drains a guest's stderr pipe. Every line is logged at debug
// level with the process's attributes, and the first max bytes are kept
// for Process.Stderr readers (the rest is dropped, with one note in the
// log). Draining never blocks on readers, so a guest cannot stall on a full
// stderr pipe.
type stderrLog struct {
	mu      sync.Mutex
	cond    *sync.Cond
	buf     []byte
	max     int
	dropped int64
	eof     bool
}

func newStderrLog(max int) *stderrLog {
	s := &stderrLog{max: max}
	s.cond = sync.NewCond(&s.mu)
	return s
}

// drain copies r into the buffer and the logger until r fails, then marks
// the end of the stream.
func (s *stderrLog) drain(r *os.File, log *slog.Logger) {
	defer s.close(log)
	var line []byte
	chunk := make([]byte, 32<<10)
	const maxLine = 4 << 10
	flush := func() {
		if len(line) > 0 {
			log.Debug("guest stderr", "line", string(line))
			line = line[:0]
		}
	}
	for {
		n, err := r.Read(chunk)
		if n > 0 {
			s.append(chunk[:n])
			rest := chunk[:n]
			for len(rest) > 0 {
				i := bytes.IndexByte(rest, '\n')
				if i < 0 {
					line = append(line, rest...)
					if len(line) >= maxLine {
						flush()
					}
					break
				}
				line = append(line, rest[:i]...)
				flush()
				rest = rest[i+1:]
			}
		}
		if err != nil {
			flush()
			return
		}
	}
}

func (s *stderrLog) append(p []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	room := s.max - len(s.buf)
	if room < len(p) {
		s.dropped += int64(len(p) - max(room, 0))
		p = p[:max(room, 0)]
	}
	s.buf = append(s.buf, p...)
	s.cond.Broadcast()
}

func (s *stderrLog) close(log *slog.Logger) {
	s.mu.Lock()
	s.eof = true
	dropped := s.dropped
	s.cond.Broadcast()
	s.mu.Unlock()
	if dropped > 0 {
		log.Debug("guest stderr truncated", "dropped_bytes", dropped)
	}
}

// reader returns a new reader over the whole retained stream; it blocks
// until more data arrives or the stream ends.
func (s *stderrLog) reader() io.ReadCloser { return &stderrReader{s: s} }

type stderrReader struct {
	s      *stderrLog
	off    int
	closed bool
}

var errReaderClosed = errors.New("stderr reader closed")

func (r *stderrReader) Read(p []byte) (int, error) {
	s := r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	for !r.closed && r.off >= len(s.buf) && !s.eof {
		s.cond.Wait()
	}
	if r.closed {
		return 0, errReaderClosed
	}
	if r.off >= len(s.buf) {
		return 0, io.EOF
	}
	n := copy(p, s.buf[r.off:])
	r.off += n
	return n, nil
}

// Close makes pending and later reads fail.
func (r *stderrReader) Close() error {
	r.s.mu.Lock()
	r.closed = true
	r.s.cond.Broadcast()
	r.s.mu.Unlock()
	return nil
}
