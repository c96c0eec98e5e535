package wasm

import (
	"context"
	"encoding/binary"
	"math"
	"os"
	"sync"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"golang.org/x/sys/unix"
)

// This file holds the engine's own poll_oneoff (system design §5.1, §5.5,
// mechanism A′). wazero v1.12.0's poll_oneoff truly waits on stdin only:
// any other descriptor is "ready" at once, so a Go guest's netpoller spins
// on the RPC channel, and a guest whose stdout is full spins on fd_write.
// Ours maps the guest descriptors it knows to the host's OS descriptors and
// waits for them with poll(2):
//
//   - fds 0, 1 and 2 are the guest ends of the stdio pipes;
//   - the descriptors the guest registered with ww.register_channel are
//     the guest end of the channel's socketpair;
//   - any other descriptor (a file of the image) is ready at once.
//
// It waits until one is ready, the smallest relative clock timeout passes,
// or the process is killed: a kill writes to a per-process wake pipe that
// every blocking poll includes (R4).

// The host module and function of mechanism A′: the guest opens the
// channel (openat(WW_RPC_FD, "rpc")) and hands the descriptor to
// ww.register_channel(fd i32) -> errno so that poll_oneoff can wait on it.
const (
	hostModule          = "ww"
	registerChannelName = "register_channel"
)

// WASI preview1 errno values returned by the functions of this file.
const (
	errnoSuccess = 0
	errnoBadf    = 8
	errnoFault   = 21
	errnoInval   = 28
	errnoNotsup  = 58
)

// WASI preview1 event types and flags.
const (
	eventClock       = 0
	eventFdRead      = 1
	eventFdWrite     = 2
	subclockAbstime  = 1
	eventFdHangup    = 1
	subscriptionSize = 48
	eventSize        = 32
	maxSubscriptions = math.MaxUint32 / subscriptionSize
)

var le = binary.LittleEndian

// procKey is the context key of the calling *Process in host functions:
// _start runs with the context given to InstantiateModule.
type procKey struct{}

func procOf(ctx context.Context) *Process {
	p, _ := ctx.Value(procKey{}).(*Process)
	return p
}

// exportHostFunctions adds our poll_oneoff to the wasi_snapshot_preview1
// builder (after wazero's functions: the later export wins) and builds the
// ww host module.
func exportHostFunctions(wasi, ww wazero.HostModuleBuilder) {
	i32 := api.ValueTypeI32
	wasi.NewFunctionBuilder().
		WithGoModuleFunction(api.GoModuleFunc(pollOneoff), []api.ValueType{i32, i32, i32, i32}, []api.ValueType{i32}).
		WithParameterNames("in", "out", "nsubscriptions", "result.nevents").
		WithResultNames("errno").
		Export("poll_oneoff")
	ww.NewFunctionBuilder().
		WithGoModuleFunction(api.GoModuleFunc(registerChannel), []api.ValueType{i32}, []api.ValueType{i32}).
		WithParameterNames("fd").
		WithResultNames("errno").
		Export(registerChannelName)
}

// registerChannel is ww.register_channel(fd) -> errno: fd (≥ 3) is a
// guest descriptor of the process's channel. Without a channel it is
// EBADF. Registering a descriptor the guest did not open on the channel
// only misleads the guest's own poll_oneoff.
func registerChannel(ctx context.Context, _ api.Module, stack []uint64) {
	fd := int32(stack[0])
	p := procOf(ctx)
	switch {
	case p == nil || p.ch == nil || fd <= 2:
		stack[0] = errnoBadf
	default:
		p.poll.register(fd)
		stack[0] = errnoSuccess
	}
}

// poller is the per-process state of poll_oneoff. Host functions of one
// instance run on its goroutine, so only the wake pipe is shared (with
// kill) and guarded by mu.
type poller struct {
	stdio   [3]int  // OS fds of the guest ends of stdin, stdout, stderr
	channel int     // OS fd of the guest end of the channel, or -1
	chanFDs []int32 // guest fds registered as the channel

	// Reused buffers.
	subs []subscription
	pfds []unix.PollFd

	mu     sync.Mutex
	wakeR  *os.File // created by the first blocking poll
	wakeW  *os.File
	wakeFD int
	woken  bool // set by kill; every later poll returns at once
	closed bool
}

type subscription struct {
	userdata uint64
	typ      uint8
	timeout  time.Duration // clock
	pfd      int           // index in pfds, or -1: ready at once
}

func newPoller(stdin, stdout, stderr *os.File, channel *os.File) *poller {
	pl := &poller{channel: -1}
	pl.stdio = [3]int{osFD(stdin), osFD(stdout), osFD(stderr)}
	if channel != nil {
		pl.channel = osFD(channel)
	}
	return pl
}

// osFD returns f's descriptor without the side effect of os.File.Fd,
// which would switch it to blocking mode.
func osFD(f *os.File) int {
	fd := -1
	if rc, err := f.SyscallConn(); err == nil {
		_ = rc.Control(func(d uintptr) { fd = int(d) })
	}
	return fd
}

func (pl *poller) register(fd int32) {
	for _, c := range pl.chanFDs {
		if c == fd {
			return
		}
	}
	pl.chanFDs = append(pl.chanFDs, fd)
}

// hostFD maps a guest descriptor to the OS descriptor to poll, or -1.
func (pl *poller) hostFD(fd int32) int {
	if fd >= 0 && fd <= 2 {
		return pl.stdio[fd]
	}
	if pl.channel >= 0 {
		for _, c := range pl.chanFDs {
			if c == fd {
				return pl.channel
			}
		}
	}
	return -1
}

// wakeFDForPoll returns the read end of the wake pipe, creating it, and
// whether the process was already killed.
func (pl *poller) wakeFDForPoll() (fd int, woken bool) {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	if pl.woken || pl.closed {
		return -1, true
	}
	if pl.wakeR == nil {
		r, w, err := os.Pipe()
		if err != nil {
			return -1, false // poll without it; a kill then waits for the timeout or an fd
		}
		pl.wakeR, pl.wakeW, pl.wakeFD = r, w, osFD(r)
	}
	return pl.wakeFD, false
}

// wake ends the current and every later blocking poll (kill).
func (pl *poller) wake() {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	pl.woken = true
	if pl.wakeW != nil && !pl.closed {
		_, _ = pl.wakeW.Write([]byte{0})
	}
}

// close releases the wake pipe once the guest has stopped.
func (pl *poller) close() {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	pl.closed = true
	if pl.wakeR != nil {
		_ = pl.wakeR.Close()
		_ = pl.wakeW.Close()
	}
}

// pollOneoff is poll_oneoff(in, out, nsubscriptions, result.nevents) ->
// errno. Subscriptions (48 bytes) are read before any event (32 bytes) is
// written, so overlapping buffers are harmless. Absolute clock timeouts
// are ENOTSUP, as in wazero.
func pollOneoff(ctx context.Context, mod api.Module, stack []uint64) {
	stack[0] = uint64(doPollOneoff(ctx, mod, uint32(stack[0]), uint32(stack[1]), uint32(stack[2]), uint32(stack[3])))
}

func doPollOneoff(ctx context.Context, mod api.Module, in, out, nsubs, resultNevents uint32) uint32 {
	if nsubs == 0 {
		return errnoInval
	}
	if nsubs > maxSubscriptions {
		return errnoFault
	}
	mem := mod.Memory()
	inBuf, ok := mem.Read(in, nsubs*subscriptionSize)
	if !ok {
		return errnoFault
	}
	if _, ok := mem.Read(out, nsubs*eventSize); !ok {
		return errnoFault
	}
	pl := &poller{channel: -1, stdio: [3]int{-1, -1, -1}}
	if p := procOf(ctx); p != nil {
		pl = p.poll
	}

	subs := pl.subs[:0]
	pfds := pl.pfds[:0]
	timeout := time.Duration(-1) // none
	immediate := false
	for i := range nsubs {
		b := inBuf[i*subscriptionSize : (i+1)*subscriptionSize]
		s := subscription{userdata: le.Uint64(b[0:8]), typ: b[8], pfd: -1}
		switch s.typ {
		case eventClock:
			switch flags := le.Uint16(b[40:42]); {
			case flags&subclockAbstime != 0:
				return errnoNotsup
			case flags != 0:
				return errnoInval
			}
			s.timeout = time.Duration(min(le.Uint64(b[24:32]), math.MaxInt64))
			if timeout < 0 || s.timeout < timeout {
				timeout = s.timeout
			}
		case eventFdRead, eventFdWrite:
			fd := int32(le.Uint32(b[16:20]))
			if fd < 0 {
				return errnoBadf
			}
			if hfd := pl.hostFD(fd); hfd >= 0 {
				ev := int16(unix.POLLIN)
				if s.typ == eventFdWrite {
					ev = unix.POLLOUT
				}
				s.pfd = len(pfds)
				pfds = append(pfds, unix.PollFd{Fd: int32(hfd), Events: ev})
			} else {
				immediate = true
			}
		default:
			return errnoInval
		}
		subs = append(subs, s)
	}
	pl.subs, pl.pfds = subs, pfds

	if immediate {
		timeout = 0
	}
	start := time.Now()
	if timeout != 0 {
		if fd, woken := pl.wakeFDForPoll(); woken {
			timeout = 0
		} else if fd >= 0 {
			pfds = append(pfds, unix.PollFd{Fd: int32(fd), Events: unix.POLLIN})
			pl.pfds = pfds
		}
	}
	if len(pfds) > 0 {
		for {
			for i := range pfds {
				pfds[i].Revents = 0
			}
			wait := timeout
			if wait > 0 {
				wait = max(0, timeout-time.Since(start))
			}
			if _, err := pollFDs(pfds, wait); err != unix.EINTR {
				break
			}
			if wait == 0 {
				break
			}
		}
	} else if timeout > 0 {
		// Clocks only: a plain sleep, which a kill cuts short.
		if p := procOf(ctx); p != nil {
			p.nanosleep(int64(timeout))
		} else {
			time.Sleep(timeout)
		}
	}
	elapsed := time.Since(start)

	// Write the events of the ready subscriptions, in order.
	n := uint32(0)
	for _, s := range subs {
		var errno uint16
		var flags uint16
		switch {
		case s.typ == eventClock:
			if s.timeout > elapsed {
				continue
			}
		case s.pfd >= 0:
			re := pfds[s.pfd].Revents
			if re == 0 {
				continue
			}
			if re&unix.POLLNVAL != 0 {
				errno = errnoBadf
			}
			if re&(unix.POLLHUP|unix.POLLERR) != 0 {
				flags = eventFdHangup
			}
		}
		ev, _ := mem.Read(out+n*eventSize, eventSize)
		clear(ev)
		le.PutUint64(ev[0:8], s.userdata)
		le.PutUint16(ev[8:10], errno)
		ev[10] = s.typ
		le.PutUint16(ev[24:26], flags)
		n++
	}
	if !mem.WriteUint32Le(resultNevents, n) {
		return errnoFault
	}
	return errnoSuccess
}
