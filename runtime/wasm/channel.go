package wasm

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"strings"
	"sync"
	"syscall"

	"capnproto.org/go/capnp/v3"
	"capnproto.org/go/capnp/v3/rpc"
	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
	wsys "github.com/tetratelabs/wazero/sys"
	"golang.org/x/sys/unix"
)

// The guest ABI of the RPC channel (system design §5.5).
const (
	// RPCDir is the guest path of the channel's preopen, a directory
	// holding one entry, RPCName. wazero v1.12.0 only resolves paths under
	// a directory preopen and cannot read or write a preopen itself, so the
	// stream is an entry, not the preopen.
	RPCDir  = "/dev/ww"
	RPCName = "rpc"
	// RPCFD is the channel's preopen descriptor, announced as WW_RPC_FD.
	// A guest opens RPCName relative to it (openat(WW_RPC_FD, "rpc",
	// O_RDWR)) to get a descriptor that reads and writes the stream, and
	// registers that descriptor with ww.register_channel so poll_oneoff
	// can wait on it (poll.go).
	RPCFD = 3
	// ABIVersion is announced as WW_ABI.
	ABIVersion = "0"
)

// channel is a process's Cap'n Proto stream: a socketpair whose guest end
// is served to the guest through a preopen and whose host end carries an
// rpc.Conn bootstrapped with SpawnOptions.Bootstrap.
type channel struct {
	host  *os.File
	guest *os.File
	conn  *rpc.Conn
	once  sync.Once
}

// newChannel creates the socketpair and starts the host's rpc.Conn, which
// takes a reference of bootstrap.
func newChannel(bootstrap capnp.Client) (*channel, error) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err != nil {
		return nil, os.NewSyscallError("socketpair", err)
	}
	for _, fd := range fds {
		syscall.CloseOnExec(fd)
		// Both ends are non-blocking so that Go's poller owns them and a
		// Close wakes any reader.
		if err := syscall.SetNonblock(fd, true); err != nil {
			_ = syscall.Close(fds[0])
			_ = syscall.Close(fds[1])
			return nil, os.NewSyscallError("setnonblock", err)
		}
	}
	ch := &channel{
		host:  os.NewFile(uintptr(fds[0]), "ww-rpc-host"),
		guest: os.NewFile(uintptr(fds[1]), "ww-rpc-guest"),
	}
	ch.conn = rpc.NewConn(rpc.NewStreamTransport(ch.host), &rpc.Options{
		BootstrapClient: bootstrap.AddRef(),
	})
	return ch, nil
}

// closeHost ends the connection and the host end of the socketpair (a
// kill): a guest reading the channel sees EOF. The guest end stays open
// while the guest may still poll it. It is idempotent.
func (ch *channel) closeHost() {
	ch.once.Do(func() {
		// Closing the end first makes conn.Close return at once even if
		// the guest stopped reading.
		_ = ch.host.Close()
		_ = ch.conn.Close()
	})
}

// close is closeHost and the guest end, once the guest has stopped.
func (ch *channel) close() {
	ch.closeHost()
	_ = ch.guest.Close()
}

// rpcFS is the channel's preopen: a directory whose entry RPCName opens
// to the stream.
type rpcFS struct {
	experimentalsys.UnimplementedFS
	f *os.File
}

func (c *rpcFS) OpenFile(path string, flag experimentalsys.Oflag, _ fs.FileMode) (experimentalsys.File, experimentalsys.Errno) {
	switch path {
	case ".", "":
		return &rpcDir{}, 0
	case RPCName:
		if flag&experimentalsys.O_DIRECTORY != 0 {
			return nil, experimentalsys.ENOTDIR
		}
		return &rpcFile{f: c.f, nonblock: true}, 0
	}
	return nil, experimentalsys.ENOENT
}

func (c *rpcFS) Stat(path string) (wsys.Stat_t, experimentalsys.Errno) {
	switch path {
	case ".", "":
		return rpcDirStat, 0
	case RPCName:
		return rpcStat, 0
	}
	return wsys.Stat_t{}, experimentalsys.ENOENT
}

func (c *rpcFS) Lstat(path string) (wsys.Stat_t, experimentalsys.Errno) { return c.Stat(path) }

var (
	rpcStat    = wsys.Stat_t{Mode: fs.ModeSocket | 0o600, Nlink: 1}
	rpcDirStat = wsys.Stat_t{Mode: fs.ModeDir | 0o500, Nlink: 1}
)

// rpcDir is the preopen's directory; listing it shows RPCName once.
type rpcDir struct {
	experimentalsys.UnimplementedFile
	listed bool
}

func (*rpcDir) IsDir() (bool, experimentalsys.Errno)       { return true, 0 }
func (*rpcDir) Stat() (wsys.Stat_t, experimentalsys.Errno) { return rpcDirStat, 0 }
func (d *rpcDir) Readdir(n int) ([]experimentalsys.Dirent, experimentalsys.Errno) {
	if d.listed || n == 0 {
		return nil, 0
	}
	d.listed = true
	return []experimentalsys.Dirent{{Name: RPCName, Type: fs.ModeSocket}}, 0
}

// rpcFile is a guest descriptor of the channel. It starts non-blocking,
// so that a Go guest reading it parks the goroutine and waits in the
// engine's poll_oneoff (once the descriptor is registered with
// ww.register_channel) instead of blocking every goroutine in fd_read.
// Closing it leaves the socket to the host, which closes it with the
// process.
type rpcFile struct {
	experimentalsys.UnimplementedFile
	f *os.File

	mu       sync.Mutex
	nonblock bool
	closed   bool
}

var _ experimentalsys.PollableFile = (*rpcFile)(nil)

func (r *rpcFile) state() (nonblock, closed bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.nonblock, r.closed
}

func (r *rpcFile) IsDir() (bool, experimentalsys.Errno) { return false, 0 }

func (r *rpcFile) Stat() (wsys.Stat_t, experimentalsys.Errno) { return rpcStat, 0 }

func (r *rpcFile) IsNonblock() bool {
	nb, _ := r.state()
	return nb
}

func (r *rpcFile) SetNonblock(enable bool) experimentalsys.Errno {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return experimentalsys.EBADF
	}
	r.nonblock = enable
	return 0
}

// Poll waits up to timeoutMillis (negative: without limit) for the socket
// to be ready. The engine's poll_oneoff polls the socket itself; this
// serves other callers of the PollableFile interface.
func (r *rpcFile) Poll(flag experimentalsys.Pflag, timeoutMillis int32) (bool, experimentalsys.Errno) {
	ev := int16(unix.POLLIN)
	if flag == experimentalsys.POLLOUT {
		ev = unix.POLLOUT
	}
	fds := []unix.PollFd{{Fd: int32(osFD(r.f)), Events: ev}}
	for {
		n, err := unix.Poll(fds, int(timeoutMillis))
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return false, toErrno(err)
		}
		return n > 0, 0
	}
}

func (r *rpcFile) Read(p []byte) (int, experimentalsys.Errno) {
	if len(p) == 0 {
		return 0, 0
	}
	nb, closed := r.state()
	if closed {
		return 0, experimentalsys.EBADF
	}
	rc, err := r.f.SyscallConn()
	if err != nil {
		return 0, toErrno(err)
	}
	var n int
	var rerr error
	err = rc.Read(func(fd uintptr) bool {
		n, rerr = syscall.Read(int(fd), p)
		return nb || rerr != syscall.EAGAIN
	})
	if err != nil {
		return 0, toErrno(err)
	}
	if rerr != nil {
		return 0, toErrno(rerr)
	}
	if n < 0 {
		n = 0
	}
	return n, 0 // 0 bytes is EOF
}

func (r *rpcFile) Write(p []byte) (int, experimentalsys.Errno) {
	nb, closed := r.state()
	if closed {
		return 0, experimentalsys.EBADF
	}
	if !nb {
		n, err := r.f.Write(p)
		if err != nil && n == 0 {
			return 0, toErrno(err)
		}
		return n, 0
	}
	rc, err := r.f.SyscallConn()
	if err != nil {
		return 0, toErrno(err)
	}
	var n int
	var werr error
	err = rc.Write(func(fd uintptr) bool {
		n, werr = syscall.Write(int(fd), p)
		return true
	})
	if err != nil {
		return 0, toErrno(err)
	}
	if werr != nil {
		return 0, toErrno(werr)
	}
	return n, 0
}

func (r *rpcFile) Close() experimentalsys.Errno {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	return 0
}

// toErrno maps an error of the socket to a WASI errno; a closed socket is
// EBADF.
func toErrno(err error) experimentalsys.Errno {
	if errors.Is(err, os.ErrClosed) {
		return experimentalsys.EBADF
	}
	return experimentalsys.UnwrapOSError(err)
}

// Bootstrap returns the capability the guest exports on its channel (its
// rpc.Options.BootstrapClient, system.Serve in the SDK), resolved. It
// fails if the process has no channel, the guest exports nothing, or ctx
// ends first. The caller releases the client.
func (p *Process) Bootstrap(ctx context.Context) (capnp.Client, error) {
	if p.ch == nil {
		return capnp.Client{}, errorf(CodeNotFound, "no RPC channel")
	}
	c := p.ch.conn.Bootstrap(ctx)
	if err := c.Resolve(ctx); err != nil {
		c.Release()
		return capnp.Client{}, err
	}
	// A failed bootstrap resolves to an error client, whose brand is the
	// error.
	snap := c.Snapshot()
	brand := snap.Brand()
	snap.Release()
	if err, ok := brand.Value.(error); ok {
		c.Release()
		if strings.Contains(err.Error(), "does not expose a public/bootstrap interface") {
			return capnp.Client{}, errorf(CodeNotFound, "no exported capability")
		}
		return capnp.Client{}, errorf(CodeUnavailable, "bootstrap: %v", err)
	}
	if !c.IsValid() {
		return capnp.Client{}, errorf(CodeNotFound, "no exported capability")
	}
	return c, nil
}
