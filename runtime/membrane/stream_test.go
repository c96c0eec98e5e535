package membrane

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"testing"
	"time"

	"capnproto.org/go/capnp/v3"

	"github.com/wetware/ww/capnp/stem"
	"github.com/wetware/ww/capnp/system"
	"github.com/wetware/ww/runtime/epoch"
)

func readOnce(ctx context.Context, bs system.ByteStream, max uint32) ([]byte, error) {
	f, release := bs.Read(ctx, func(p system.ByteStream_read_Params) error {
		p.SetMaxBytes(max)
		return nil
	})
	defer release()
	res, err := f.Struct()
	if err != nil {
		return nil, err
	}
	d, err := res.Data()
	return bytes.Clone(d), err
}

// TestByteStreamReadDeadline: a read that times out is retryable and
// loses nothing; reads are capped at maxBytes and ChunkSize; empty is EOF.
func TestByteStreamReadDeadline(t *testing.T) {
	m := New(epoch.NewCell(epoch.Epoch{}), Services{}, Options{CallTimeout: 100 * time.Millisecond})
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	ctx := testContext(t)
	bs := system.ByteStream(connect(t, transports[1], capnp.Client(m.ReadStream(r))))

	if _, err := readOnce(ctx, bs, 10); wireReason(err) != "deadlineExceeded: ByteStream.read after 100ms" {
		t.Fatalf("idle read: %v", err)
	}
	big := bytes.Repeat([]byte("x"), 3*ChunkSize)
	go func() {
		w.Write([]byte("hello"))
		time.Sleep(150 * time.Millisecond) // the next read times out once
		w.Write(big)
		w.Close()
	}()
	if d, err := readOnce(ctx, bs, 3); err != nil || string(d) != "hel" {
		t.Fatalf("read 3 = %q, %v", d, err)
	}
	if d, err := readOnce(ctx, bs, 100); err != nil || string(d) != "lo" {
		t.Fatalf("read rest = %q, %v", d, err)
	}
	// The adapter retries the deadline and reassembles everything.
	rd := NewStreamReader(ctx, bs.AddRef())
	defer rd.Close()
	got, err := io.ReadAll(rd)
	if err != nil || !bytes.Equal(got, big) {
		t.Fatalf("ReadAll: %d bytes, %v", len(got), err)
	}
	if d, err := readOnce(ctx, bs, 10); err != nil || len(d) != 0 {
		t.Fatalf("read at EOF = %q, %v", d, err)
	}
}

// TestByteStreamWriteOrder: many writes issued without waiting arrive in
// order; close is EOF; write after close fails; close is idempotent.
func TestByteStreamWriteOrder(t *testing.T) {
	m := New(epoch.NewCell(epoch.Epoch{}), Services{}, Options{})
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ctx := testContext(t)
	bs := system.ByteStream(connect(t, transports[2], capnp.Client(m.WriteStream(w))))

	var want bytes.Buffer
	var releases []capnp.ReleaseFunc
	var futures []system.ByteStream_write_Results_Future
	for i := range 50 {
		chunk := fmt.Sprintf("chunk-%02d;", i)
		want.WriteString(chunk)
		f, release := bs.Write(ctx, func(p system.ByteStream_write_Params) error { return p.SetData([]byte(chunk)) })
		futures = append(futures, f)
		releases = append(releases, release)
	}
	cf, crel := bs.Close(ctx, nil)
	got, err := io.ReadAll(r)
	if err != nil || got == nil || !bytes.Equal(got, want.Bytes()) {
		t.Fatalf("pipe got %q", got)
	}
	for i, f := range futures {
		if _, err := f.Struct(); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
		releases[i]()
	}
	if _, err := cf.Struct(); err != nil {
		t.Fatal(err)
	}
	crel()
	if err := result(bs.Write(ctx, func(p system.ByteStream_write_Params) error { return p.SetData([]byte("late")) })); wireReason(err) != "invalidArgument: write after close" {
		t.Fatalf("write after close: %v", err)
	}
	if err := result(bs.Close(ctx, nil)); err != nil {
		t.Fatalf("second close: %v", err)
	}
	if err := result(bs.Read(ctx, func(p system.ByteStream_read_Params) error { p.SetMaxBytes(1); return nil })); wireReason(err) != "invalidArgument: stream is write-only" {
		t.Fatalf("read on write-only: %v", err)
	}
}

// TestProcessReleaseKills: dropping the last Process reference kills the
// child; stderr is readable; wait is idempotent.
func TestProcessReleaseKills(t *testing.T) {
	n := newNode(t, Options{})
	ctx := testContext(t)
	mem := connectMembrane(t, n)
	c := graftOver(t, ctx, mem)

	pf, prel := c.exec.RunBytes(ctx, func(p system.Executor_runBytes_Params) error { return p.SetWasm([]byte("wasm")) })
	proc := pf.Process().AddRef()
	if _, err := pf.Struct(); err != nil {
		t.Fatal(err)
	}
	prel()

	errOut := NewStreamReader(ctx, pipelineStream(ctx, proc, "stderr"))
	if d, err := io.ReadAll(errOut); err != nil || string(d) != "cat: started\n" {
		t.Fatalf("stderr = %q, %v", d, err)
	}
	errOut.Close()

	n.exec.mu.Lock()
	count := len(n.exec.reqs)
	n.exec.mu.Unlock()
	if count != 1 {
		t.Fatalf("%d runs", count)
	}
	// The fake keeps the child alive until stdin closes or it is killed.
	waitDone := make(chan error, 1)
	go func() {
		f, release := proc.Wait(ctx, nil)
		defer release()
		_, err := f.Struct()
		waitDone <- err
	}()
	select {
	case err := <-waitDone:
		t.Fatalf("wait returned before the kill: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	kf, krel := proc.Kill(ctx, nil)
	if _, err := kf.Struct(); err != nil {
		t.Fatal(err)
	}
	krel()
	if err := <-waitDone; err != nil {
		t.Fatalf("wait: %v", err)
	}
	for range 2 { // idempotent
		if err := result(proc.Wait(ctx, nil)); err != nil {
			t.Fatal(err)
		}
	}
	if err := result(proc.Bootstrap(ctx, nil)); wireReason(err) != "notFound: no exported capability" {
		t.Fatalf("bootstrap after exit: %v", err)
	}
	proc.Release()

	// A second process is killed by releasing it.
	pf2, prel2 := c.exec.RunBytes(ctx, func(p system.Executor_runBytes_Params) error { return p.SetWasm([]byte("wasm")) })
	if _, err := pf2.Struct(); err != nil {
		t.Fatal(err)
	}
	prel2() // the only reference
	deadline := time.Now().Add(5 * time.Second)
	for {
		n.exec.mu.Lock()
		count = len(n.exec.reqs)
		n.exec.mu.Unlock()
		if count == 2 && n.exec.live.Load() == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("released process not killed (%d live)", n.exec.live.Load())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func connectMembrane(t *testing.T, n *node) stem.Membrane {
	return stem.Membrane(connect(t, transports[0], capnp.Client(n.m.Client())))
}
