package system

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"capnproto.org/go/capnp/v3"

	api "github.com/wetware/ww/capnp/system"
)

// pipeRWC is one end of a duplex stream made of two os.Pipe pairs.
type pipeRWC struct {
	r *os.File
	w *os.File
}

func (p pipeRWC) Read(b []byte) (int, error)  { return p.r.Read(b) }
func (p pipeRWC) Write(b []byte) (int, error) { return p.w.Write(b) }
func (p pipeRWC) Close() error                { return errors.Join(p.r.Close(), p.w.Close()) }

// echoParams returns a message whose text field holds text: one segment
// when it is short, two when it does not fit the first.
func echoParams(t *testing.T, text string) *capnp.Message {
	t.Helper()
	msg, seg := capnp.NewMultiSegmentMessage(nil)
	p, err := api.NewRootExecutor_echo_Params(seg)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.SetMessage_(text); err != nil {
		t.Fatal(err)
	}
	return msg
}

func textOf(t *testing.T, msg *capnp.Message) string {
	t.Helper()
	p, err := api.ReadRootExecutor_echo_Params(msg)
	if err != nil {
		t.Fatal(err)
	}
	s, err := p.Message_()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestStreamCodec checks that the channel codec speaks standard Cap'n
// Proto stream framing both ways, for one- and two-segment messages on
// both sides of maxCoalesce.
func TestStreamCodec(t *testing.T) {
	ar, bw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	br, aw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	// A framing mismatch leaves a decoder waiting: fail instead of hanging.
	for _, f := range []*os.File{ar, br} {
		if err := f.SetReadDeadline(time.Now().Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	ours := newCodec(pipeRWC{r: ar, w: aw})
	t.Cleanup(func() { _ = ours.Close() })
	std := pipeRWC{r: br, w: bw}
	t.Cleanup(func() { _ = std.Close() })
	stdDec := capnp.NewDecoder(std)
	stdEnc := capnp.NewEncoder(std)

	texts := []string{"", "hello", strings.Repeat("x", 1000), strings.Repeat("y", maxCoalesce+100), strings.Repeat("z", 3*maxCoalesce)}
	segs := map[int64]bool{}
	for _, text := range texts {
		msg := echoParams(t, text)
		segs[msg.NumSegments()] = true

		// Ours to the standard decoder.
		errc := make(chan error, 1)
		go func() { errc <- ours.Encode(msg) }()
		got, err := stdDec.Decode()
		if err != nil {
			t.Fatalf("standard decode of %d bytes: %v", len(text), err)
		}
		if err := <-errc; err != nil {
			t.Fatalf("encode %d bytes: %v", len(text), err)
		}
		if s := textOf(t, got); s != text {
			t.Fatalf("standard decoder got %d bytes, want %d", len(s), len(text))
		}

		// The standard encoder to ours.
		go func() { errc <- stdEnc.Encode(msg) }()
		got, err = ours.Decode()
		if err != nil {
			t.Fatalf("decode %d bytes: %v", len(text), err)
		}
		if err := <-errc; err != nil {
			t.Fatalf("standard encode of %d bytes: %v", len(text), err)
		}
		if s := textOf(t, got); s != text {
			t.Fatalf("codec got %d bytes, want %d", len(s), len(text))
		}
	}
	if !segs[1] || !segs[2] {
		t.Fatalf("segment counts covered: %v, want 1 and 2", segs)
	}
}
