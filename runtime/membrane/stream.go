package membrane

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"time"

	"github.com/wetware/ww/capnp/system"
)

// ChunkSize is the most a ByteStream.read returns and the size in which
// the stream adapters move data (64 KiB).
const ChunkSize = 64 << 10

// ReadStream serves r as a read-only ByteStream (write fails with
// "invalidArgument: stream is read-only"; close is a no-op). r is closed
// when the capability is released. The caller releases the result.
func (m *Membrane) ReadStream(r io.ReadCloser) system.ByteStream {
	return system.ByteStream_ServerToClient(newByteStream(m.opts.CallTimeout, r, nil, nil, r.Close))
}

// WriteStream serves w as a write-only ByteStream (read fails with
// "invalidArgument: stream is write-only"; close closes w). w is closed
// when the capability is released. The caller releases the result.
func (m *Membrane) WriteStream(w io.WriteCloser) system.ByteStream {
	return system.ByteStream_ServerToClient(newByteStream(m.opts.CallTimeout, nil, w, w.Close, w.Close))
}

// DuplexStream serves st as a ByteStream; close half-closes it, and it is
// closed when the capability is released. The caller releases the result.
func (m *Membrane) DuplexStream(st Stream) system.ByteStream {
	return system.ByteStream_ServerToClient(newByteStream(m.opts.CallTimeout, st, st, st.CloseWrite, st.Close))
}

// byteStream serves system.ByteStream over Go readers and writers. Not
// guarded. Reads are served from a pump goroutine so that a read can give
// up at its deadline without losing data; writes and close run in arrival
// order on a chain of goroutines so that a blocked write never holds up a
// read.
type byteStream struct {
	timeout time.Duration

	r       io.Reader
	rsem    chan struct{} // serializes reads; guards pending and eof
	pending []byte
	eof     bool
	pump    sync.Once
	chunks  chan []byte // from the pump; closed at EOF or error
	rerr    error       // set by the pump before it closes chunks

	w          io.Writer
	closeWrite func() error
	wmu        sync.Mutex
	tail       chan struct{} // closed when the last queued write op is done
	wclosed    bool

	closeAll func() error
	stop     chan struct{}
	shutdown sync.Once
}

func newByteStream(timeout time.Duration, r io.Reader, w io.Writer, closeWrite, closeAll func() error) *byteStream {
	tail := make(chan struct{})
	close(tail)
	return &byteStream{
		timeout:    timeout,
		r:          r,
		rsem:       make(chan struct{}, 1),
		chunks:     make(chan []byte),
		w:          w,
		closeWrite: closeWrite,
		tail:       tail,
		closeAll:   closeAll,
		stop:       make(chan struct{}),
	}
}

// Shutdown runs when the last reference is released: it stops the pump
// and closes the underlying stream, which unblocks pending I/O.
func (s *byteStream) Shutdown() {
	s.shutdown.Do(func() {
		close(s.stop)
		if s.closeAll != nil {
			_ = s.closeAll()
		}
	})
}

func (s *byteStream) callContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if s.timeout < 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, s.timeout)
}

// ctxErr reports why ctx ended: the call timeout (retryable
// deadlineExceeded) or the caller going away.
func (s *byteStream) ctxErr(ctx context.Context, method string) error {
	if ctx.Err() == context.DeadlineExceeded {
		return deadline(method, s.timeout)
	}
	return ctx.Err()
}

func (s *byteStream) runPump() {
	defer close(s.chunks)
	for {
		buf := make([]byte, ChunkSize)
		n, err := s.r.Read(buf)
		if n > 0 {
			select {
			case s.chunks <- buf[:n]:
			case <-s.stop:
				return
			}
		}
		if err != nil {
			if !isEOF(err) {
				s.rerr = err
			}
			return
		}
	}
}

// isEOF treats a closed pipe or file like the end of the stream: that is
// how a killed process's output ends.
func isEOF(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, os.ErrClosed) ||
		errors.Is(err, io.ErrClosedPipe) || errors.Is(err, net.ErrClosed)
}

func (s *byteStream) Read(ctx context.Context, call system.ByteStream_read) error {
	if s.r == nil {
		return Errorf(CodeInvalidArgument, "stream is write-only")
	}
	max := int(call.Args().MaxBytes())
	if max == 0 {
		return Errorf(CodeInvalidArgument, "maxBytes must be > 0")
	}
	call.Go()
	ctx, cancel := s.callContext(ctx)
	defer cancel()

	select {
	case s.rsem <- struct{}{}:
	case <-ctx.Done():
		return s.ctxErr(ctx, "ByteStream.read")
	}
	defer func() { <-s.rsem }()

	if len(s.pending) == 0 && !s.eof {
		s.pump.Do(func() { go s.runPump() })
		select {
		case c, ok := <-s.chunks:
			if ok {
				s.pending = c
			} else {
				s.eof = true
			}
		case <-ctx.Done():
			return s.ctxErr(ctx, "ByteStream.read")
		}
	}
	if len(s.pending) == 0 && s.rerr != nil {
		return Errorf(CodeUnavailable, "read: %v", s.rerr)
	}
	n := min(max, ChunkSize, len(s.pending))
	res, err := call.AllocResults()
	if err != nil {
		return err
	}
	if err := res.SetData(s.pending[:n]); err != nil {
		return err
	}
	s.pending = s.pending[n:]
	return nil
}

// enqueueLocked chains op after every write op queued before it and
// returns a channel that receives op's result. s.wmu must be held.
func (s *byteStream) enqueueLocked(op func() error) <-chan error {
	prev := s.tail
	mine := make(chan struct{})
	s.tail = mine
	done := make(chan error, 1)
	go func() {
		<-prev
		err := op()
		close(mine)
		done <- err
	}()
	return done
}

func (s *byteStream) Write(ctx context.Context, call system.ByteStream_write) error {
	if s.w == nil {
		return Errorf(CodeInvalidArgument, "stream is read-only")
	}
	data, err := call.Args().Data()
	if err != nil {
		return err
	}
	if len(data) == 0 {
		return nil
	}
	data = append([]byte(nil), data...) // the arguments die with the call

	// Queue before call.Go so that writes keep their arrival order.
	s.wmu.Lock()
	if s.wclosed {
		s.wmu.Unlock()
		return Errorf(CodeInvalidArgument, "write after close")
	}
	done := s.enqueueLocked(func() error {
		_, err := s.w.Write(data)
		return err
	})
	s.wmu.Unlock()

	call.Go()
	ctx, cancel := s.callContext(ctx)
	defer cancel()
	select {
	case err := <-done:
		if err != nil {
			return Errorf(CodeUnavailable, "write: %v", err)
		}
		return nil
	case <-ctx.Done():
		return s.ctxErr(ctx, "ByteStream.write")
	}
}

func (s *byteStream) Close(ctx context.Context, call system.ByteStream_close) error {
	if s.w == nil {
		return nil
	}
	s.wmu.Lock()
	if s.wclosed {
		s.wmu.Unlock()
		return nil
	}
	s.wclosed = true
	done := s.enqueueLocked(s.closeWrite)
	s.wmu.Unlock()

	call.Go()
	ctx, cancel := s.callContext(ctx)
	defer cancel()
	select {
	case err := <-done:
		if err != nil && !isEOF(err) {
			return Errorf(CodeUnavailable, "close: %v", err)
		}
		return nil
	case <-ctx.Done():
		return s.ctxErr(ctx, "ByteStream.close")
	}
}

// NewStreamReader returns an io.ReadCloser that reads bs with
// ByteStream.read calls made under ctx, retrying reads that fail with
// deadlineExceeded. It takes ownership of bs: Close releases it.
func NewStreamReader(ctx context.Context, bs system.ByteStream) io.ReadCloser {
	return &streamReader{ctx: ctx, bs: bs}
}

type streamReader struct {
	ctx context.Context
	bs  system.ByteStream
	buf []byte
	err error
}

func (r *streamReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for len(r.buf) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		r.buf, r.err = r.fetch(min(len(p), ChunkSize))
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

// fetch performs one ByteStream.read; empty data is io.EOF.
func (r *streamReader) fetch(max int) ([]byte, error) {
	for {
		f, release := r.bs.Read(r.ctx, func(p system.ByteStream_read_Params) error {
			p.SetMaxBytes(uint32(max))
			return nil
		})
		res, err := f.Struct()
		if err != nil {
			release()
			if CodeOf(err) == CodeDeadlineExceeded && r.ctx.Err() == nil {
				continue // retryable, no side effects
			}
			return nil, err
		}
		data, err := res.Data()
		data = append([]byte(nil), data...)
		release()
		if err != nil {
			return nil, err
		}
		if len(data) == 0 {
			return nil, io.EOF
		}
		return data, nil
	}
}

func (r *streamReader) Close() error {
	r.bs.Release()
	return nil
}

// NewStreamWriter returns an io.WriteCloser that writes to bs in chunks of
// at most ChunkSize with ByteStream.write calls made under ctx. Close calls
// ByteStream.close and releases bs; it takes ownership of bs.
func NewStreamWriter(ctx context.Context, bs system.ByteStream) io.WriteCloser {
	return &streamWriter{ctx: ctx, bs: bs}
}

type streamWriter struct {
	ctx    context.Context
	bs     system.ByteStream
	closed bool
}

func (w *streamWriter) Write(p []byte) (int, error) {
	if w.closed {
		return 0, os.ErrClosed
	}
	written := 0
	for len(p) > 0 {
		chunk := p[:min(len(p), ChunkSize)]
		f, release := w.bs.Write(w.ctx, func(a system.ByteStream_write_Params) error {
			return a.SetData(chunk)
		})
		_, err := f.Struct()
		release()
		if err != nil {
			return written, err
		}
		written += len(chunk)
		p = p[len(chunk):]
	}
	return written, nil
}

func (w *streamWriter) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	f, release := w.bs.Close(w.ctx, nil)
	_, err := f.Struct()
	release()
	w.bs.Release()
	return err
}
