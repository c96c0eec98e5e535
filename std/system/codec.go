package system

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"sync"

	"capnproto.org/go/capnp/v3"
	"capnproto.org/go/capnp/v3/rpc"
)

// Sizes of the channel codec's buffers. Every fd_read and fd_write of a
// guest is a host call, so the codec reads through a buffer and writes a
// message of up to maxCoalesce bytes with one Write.
const (
	readBufSize = 16 << 10
	maxCoalesce = 64 << 10
)

// newTransport is rpc.NewStreamTransport(rw), with the same standard
// Cap'n Proto stream framing, for the channel: where capnp.Encoder writes
// the framing header and each segment with separate Writes and
// capnp.Decoder reads the header and the body separately, it writes a
// message with one Write and reads through a buffer. A no-op call
// served by a guest thus takes one fd_write instead of two and about two
// fd_reads instead of five (runtime/wasm BenchmarkRPCNop).
func newTransport(rw io.ReadWriteCloser) rpc.Transport {
	return rpc.NewTransport(newCodec(rw))
}

func newCodec(rw io.ReadWriteCloser) *streamCodec {
	return &streamCodec{
		rw:  rw,
		dec: capnp.NewDecoder(bufio.NewReaderSize(rw, readBufSize)),
	}
}

// streamCodec is an rpc.Codec over a byte stream.
type streamCodec struct {
	rw  io.ReadWriteCloser
	dec *capnp.Decoder // used by the receiving goroutine only

	mu   sync.Mutex // serializes Encode; guards buf and segs
	buf  []byte
	segs net.Buffers
}

func (c *streamCodec) Decode() (*capnp.Message, error) { return c.dec.Decode() }

func (c *streamCodec) Close() error { return c.rw.Close() }

// Encode writes m's framing header (the segment count minus one, then
// each segment's size in words, padded to a whole word) and its segments:
// copied after the header and written at once if the whole is at most
// maxCoalesce bytes, else written in turn.
func (c *streamCodec) Encode(m *capnp.Message) error {
	nsegs := m.NumSegments()
	if nsegs == 0 {
		return errors.New("system: encode: message has no segments")
	}
	if nsegs > 1<<32 {
		return errors.New("system: encode: too many segments")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	b := binary.LittleEndian.AppendUint32(c.buf[:0], uint32(nsegs-1))
	segs := c.segs[:0]
	size := 0
	for i := range nsegs {
		s, err := m.Segment(capnp.SegmentID(i))
		if err != nil {
			return err
		}
		data := s.Data()
		b = binary.LittleEndian.AppendUint32(b, uint32(len(data)/8))
		segs = append(segs, data)
		size += len(data)
	}
	if len(b)%8 != 0 {
		b = binary.LittleEndian.AppendUint32(b, 0)
	}
	defer func() {
		clear(segs) // the segments belong to m
		c.buf, c.segs = b[:0], segs[:0]
	}()
	if len(b)+size > maxCoalesce {
		bufs := append(net.Buffers{b}, segs...)
		_, err := bufs.WriteTo(c.rw)
		return err
	}
	for _, s := range segs {
		b = append(b, s...)
	}
	_, err := c.rw.Write(b)
	return err
}
