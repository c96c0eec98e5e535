package node

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"

	"capnproto.org/go/capnp/v3/exc"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/peerstore"
	"github.com/libp2p/go-libp2p/core/protocol"

	"github.com/wetware/ww/capnp/system"
	"github.com/wetware/ww/runtime/membrane"
)

// ProtocolID is the Cap'n Proto protocol of a node (Terminal); stream
// subprotocols are ProtocolID/<name> (§9).
const ProtocolID protocol.ID = "/ww/0.1.0"

// DefaultMaxHandlers is the number of handler processes one stream
// protocol runs at once; further streams are reset.
const DefaultMaxHandlers = 32

// SubprotocolID is /ww/0.1.0/<name>.
func SubprotocolID(name string) protocol.ID { return ProtocolID + "/" + protocol.ID(name) }

// streamNetwork is the NetworkBackend: Listener registrations served as
// libp2p stream handlers, and Dialer streams.
type streamNetwork struct {
	n   *Node
	max int
	log *slog.Logger

	mu     sync.Mutex
	regs   map[string]*registration
	closed bool
}

var _ membrane.NetworkBackend = (*streamNetwork)(nil)

func newStreamNetwork(n *Node, max int, log *slog.Logger) *streamNetwork {
	if max <= 0 {
		max = DefaultMaxHandlers
	}
	return &streamNetwork{n: n, max: max, log: log, regs: map[string]*registration{}}
}

// registration is one Listener.listen: a protocol, its handler module and
// the executor that runs it.
type registration struct {
	net     *streamNetwork
	name    string
	handler []byte
	exec    system.Executor
	slots   chan struct{}
	cancel  context.CancelFunc

	mu     sync.Mutex
	ended  bool
	active int // streams being served; the executor outlives them
}

// Listen compiles the handler and registers /ww/0.1.0/<req.Protocol>.
// The registration ends when the epoch moves past req.Epoch, when the
// executor becomes unreachable or when the node stops.
func (sn *streamNetwork) Listen(ctx context.Context, req membrane.ListenRequest) error {
	// The handler is compiled at registration (§6.1): a bad module fails
	// here, and the first stream does not wait for the compiler.
	if _, err := sn.n.engine.Compile(ctx, req.Handler); err != nil {
		return err
	}
	sn.mu.Lock()
	defer sn.mu.Unlock()
	if sn.closed {
		return membrane.Errorf(membrane.CodeUnavailable, "node stopping")
	}
	if _, dup := sn.regs[req.Protocol]; dup {
		return membrane.Errorf(membrane.CodeAlreadyExists, "protocol already registered: %s", req.Protocol)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &registration{
		net:     sn,
		name:    req.Protocol,
		handler: req.Handler,
		exec:    req.Executor,
		slots:   make(chan struct{}, sn.max),
		cancel:  cancel,
	}
	sn.regs[req.Protocol] = r
	sn.n.host.SetStreamHandler(SubprotocolID(req.Protocol), r.serve)
	go func() {
		if _, err := sn.n.cell.Wait(ctx, req.Epoch); err == nil {
			sn.log.Debug("stream protocol ends with its epoch", "protocol", req.Protocol, "epoch", req.Epoch)
		}
		r.end()
	}()
	sn.log.Debug("stream protocol registered", "protocol", req.Protocol)
	return nil
}

// end unregisters r; open streams continue. The executor is released once
// they are done.
func (r *registration) end() {
	r.mu.Lock()
	if r.ended {
		r.mu.Unlock()
		return
	}
	r.ended = true
	idle := r.active == 0
	r.mu.Unlock()
	sn := r.net
	sn.mu.Lock()
	if sn.regs[r.name] == r {
		delete(sn.regs, r.name)
		sn.n.host.RemoveStreamHandler(SubprotocolID(r.name))
	}
	sn.mu.Unlock()
	r.cancel()
	if idle {
		r.exec.Release()
	}
}

// enter admits one stream unless r has ended.
func (r *registration) enter() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ended {
		return false
	}
	r.active++
	return true
}

// leave ends a stream admitted by enter; the last one after end releases
// the executor.
func (r *registration) leave() {
	r.mu.Lock()
	r.active--
	last := r.ended && r.active == 0
	r.mu.Unlock()
	if last {
		r.exec.Release()
	}
}

// close ends every registration (node shutdown).
func (sn *streamNetwork) close() {
	sn.mu.Lock()
	sn.closed = true
	regs := make([]*registration, 0, len(sn.regs))
	for _, r := range sn.regs {
		regs = append(regs, r)
	}
	sn.mu.Unlock()
	for _, r := range regs {
		r.end()
	}
}

// serve runs the handler for one inbound stream, or resets the stream if
// the protocol already runs its maximum of handlers.
func (r *registration) serve(s network.Stream) {
	select {
	case r.slots <- struct{}{}:
	default:
		r.net.log.Debug("stream reset: handler limit", "protocol", r.name, "limit", cap(r.slots))
		s.Reset()
		return
	}
	defer func() { <-r.slots }()
	if !r.enter() {
		s.Reset() // unregistered meanwhile
		return
	}
	defer r.leave()
	if err := r.run(s); err != nil {
		r.net.log.Debug("stream handler", "protocol", r.name, "peer", s.Conn().RemotePeer().String(), "err", err)
		s.Reset()
		if isDisconnected(err) {
			r.end() // the executor's owner is gone
		}
		return
	}
	s.Close()
}

// run spawns the handler with executor.runBytes and pumps the stream to
// its stdin and its stdout to the stream (§6.1). It returns when both
// directions are done and the process has exited.
func (r *registration) run(s network.Stream) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	remote := s.Conn().RemotePeer()
	f, release := r.exec.RunBytes(ctx, func(p system.Executor_runBytes_Params) error {
		if err := p.SetWasm(r.handler); err != nil {
			return err
		}
		args, err := p.NewArgs(1)
		if err != nil {
			return err
		}
		if err := args.Set(0, r.name); err != nil {
			return err
		}
		env := []string{"WW_HANDLER=1", "WW_PROTOCOL=" + r.name, "WW_REMOTE_PEER=" + remote.String(), "PATH=/bin"}
		list, err := p.NewEnv(int32(len(env)))
		if err != nil {
			return err
		}
		for i, e := range env {
			if err := list.Set(i, e); err != nil {
				return err
			}
		}
		return nil
	})
	defer release()
	proc := f.Process()
	if _, err := f.Struct(); err != nil {
		return err
	}
	inF, relIn := proc.Stdin(ctx, nil)
	defer relIn()
	outF, relOut := proc.Stdout(ctx, nil)
	defer relOut()
	stdin, stdout := inF.Stream(), outF.Stream()

	// A broken inbound stream ends everything; a handler that stops
	// reading its stdin only stops the inbound copy.
	inDone := make(chan struct{})
	go func() {
		defer close(inDone)
		if err := pumpIn(ctx, s, stdin); err != nil {
			cancel()
			s.Reset()
		}
	}()
	err := pumpOut(ctx, stdout, s)
	if err == nil {
		var code int32
		if code, err = wait(ctx, proc); err == nil && code != 0 {
			err = fmt.Errorf("handler exited with code %d", code)
		}
	}
	if err != nil {
		cancel()
		s.Reset()
		kf, relKill := proc.Kill(context.Background(), nil)
		kf.Struct()
		relKill()
		<-inDone
		return err
	}
	// The handler exited 0 with its output sent: half-close, and stop
	// reading what it did not consume.
	err = s.CloseWrite()
	cancel() // pumpIn returns quietly
	s.CloseRead()
	<-inDone
	return err
}

// wait is Process.wait, retried across call deadlines.
func wait(ctx context.Context, proc system.Process) (int32, error) {
	for {
		f, release := proc.Wait(ctx, nil)
		res, err := f.Struct()
		if err == nil {
			code := res.ExitCode()
			release()
			return code, nil
		}
		release()
		if !retryable(ctx, err) {
			return 0, err
		}
	}
}

// retryable is a call deadline (deadlineExceeded) while ctx is live.
func retryable(ctx context.Context, err error) bool {
	return strings.Contains(err.Error(), string(membrane.CodeDeadlineExceeded)+": ") && ctx.Err() == nil
}

// pumpIn copies the stream to the handler's stdin; EOF closes stdin. It
// fails only when the stream breaks; a handler that no longer reads its
// stdin ends the copy without error.
func pumpIn(ctx context.Context, s network.Stream, stdin system.ByteStream) error {
	buf := make([]byte, membrane.ChunkSize)
	for {
		n, rerr := s.Read(buf)
		if n > 0 {
			f, release := stdin.Write(ctx, func(p system.ByteStream_write_Params) error {
				return p.SetData(buf[:n])
			})
			_, err := f.Struct()
			release()
			if err != nil {
				return nil
			}
		}
		if rerr == io.EOF {
			f, release := stdin.Close(ctx, nil)
			f.Struct()
			release()
			return nil
		}
		if rerr != nil {
			if ctx.Err() != nil {
				return nil // the handler side ended first
			}
			return rerr
		}
	}
}

// pumpOut copies the handler's stdout to the stream until EOF.
func pumpOut(ctx context.Context, stdout system.ByteStream, s network.Stream) error {
	for {
		f, release := stdout.Read(ctx, func(p system.ByteStream_read_Params) error {
			p.SetMaxBytes(membrane.ChunkSize)
			return nil
		})
		res, err := f.Struct()
		if err != nil {
			release()
			if retryable(ctx, err) {
				continue // an idle handler: read again
			}
			return err
		}
		data, err := res.Data()
		if err == nil && len(data) > 0 {
			_, err = s.Write(data)
		}
		release()
		if err != nil {
			return err
		}
		if len(data) == 0 {
			return nil
		}
	}
}

// isDisconnected reports an executor whose connection is gone.
func isDisconnected(err error) bool { return exc.TypeOf(err) == exc.Disconnected }

// Dial opens /ww/0.1.0/<protocol> to id. Addresses come from the
// peerstore, else from the DHT.
func (sn *streamNetwork) Dial(ctx context.Context, id peer.ID, proto string) (membrane.Stream, error) {
	h := sn.n.host
	if id == h.ID() {
		return nil, membrane.Errorf(membrane.CodeInvalidArgument, "cannot dial self")
	}
	if h.Network().Connectedness(id) != network.Connected && len(h.Peerstore().Addrs(id)) == 0 {
		if r := sn.n.swarm.routing; r != nil {
			pi, err := r.FindPeer(ctx, id)
			if err != nil {
				return nil, membrane.Errorf(membrane.CodeUnavailable, "dial %s: peer not found: %v", id, err)
			}
			h.Peerstore().AddAddrs(pi.ID, pi.Addrs, peerstore.TempAddrTTL)
		}
	}
	s, err := h.NewStream(ctx, id, SubprotocolID(proto))
	if err != nil {
		return nil, err
	}
	return s, nil
}
