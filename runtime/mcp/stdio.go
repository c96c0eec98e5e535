package mcp

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"sync"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// Stdio is the stdio transport over r and w (newline-delimited JSON-RPC).
// Unlike the SDK's, the end of r does not drop the requests still
// running: the session ends once each has been answered, so a client
// that writes its requests and closes its end (a shell pipe) gets every
// answer.
func Stdio(r io.Reader, w io.Writer) sdk.Transport {
	return drainTransport{&sdk.IOTransport{Reader: io.NopCloser(r), Writer: nopWriteCloser{w}}}
}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }

type drainTransport struct{ sdk.Transport }

func (t drainTransport) Connect(ctx context.Context) (sdk.Connection, error) {
	c, err := t.Transport.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &drainConn{Connection: c, pending: map[any]bool{}, changed: make(chan struct{}), closed: make(chan struct{})}, nil
}

// drainConn tracks the requests read and not yet answered, and holds
// back the end of input until there are none.
type drainConn struct {
	sdk.Connection
	mu        sync.Mutex
	pending   map[any]bool // request ids
	changed   chan struct{}
	closed    chan struct{}
	closeOnce sync.Once
}

func (c *drainConn) Read(ctx context.Context) (jsonrpc.Message, error) {
	msg, err := c.Connection.Read(ctx)
	if req, ok := msg.(*jsonrpc.Request); ok && err == nil {
		switch {
		case req.ID.IsValid():
			c.update(req.ID.Raw(), true)
		case req.Method == "notifications/cancelled":
			var p struct {
				RequestID any `json:"requestId"`
			}
			if json.Unmarshal(req.Params, &p) == nil && p.RequestID != nil {
				if id, err := jsonrpc.MakeID(p.RequestID); err == nil {
					c.update(id.Raw(), false)
				}
			}
		}
	}
	if errors.Is(err, io.EOF) {
		c.drain(ctx)
	}
	return msg, err
}

func (c *drainConn) Write(ctx context.Context, msg jsonrpc.Message) error {
	err := c.Connection.Write(ctx, msg)
	if resp, ok := msg.(*jsonrpc.Response); ok {
		c.update(resp.ID.Raw(), false)
	}
	return err
}

func (c *drainConn) Close() error {
	c.closeOnce.Do(func() { close(c.closed) })
	return c.Connection.Close()
}

func (c *drainConn) update(id any, running bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if running {
		c.pending[id] = true
	} else {
		delete(c.pending, id)
	}
	close(c.changed)
	c.changed = make(chan struct{})
}

// drain waits until every request read has been answered, ctx is done or
// the connection is closed.
func (c *drainConn) drain(ctx context.Context) {
	for {
		c.mu.Lock()
		n, changed := len(c.pending), c.changed
		c.mu.Unlock()
		if n == 0 {
			return
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return
		case <-c.closed:
			return
		}
	}
}
