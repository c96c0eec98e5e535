// Package wasm is the node's WebAssembly process host: it admits, compiles
// and runs WASI preview1 command modules as processes (system design §5).
//
// # Engine
//
// An Engine is one wazero runtime in compiler mode per node, created with
// WithCloseOnContextDone so that a cancelled process context stops a guest
// at its next call or loop iteration. wasi_snapshot_preview1 is exported
// function by function (NewFunctionExporter), then poll_oneoff again with
// the engine's own (poll.go; the later export wins). A second host module,
// ww, holds register_channel (§5.5, mechanism A′).
//
// # Admission and the compile cache
//
// A module is admitted if it is at most Config.MaxWasmSize bytes (32 MiB by
// default; else "invalidArgument: wasm binary too large (N bytes > M)"),
// compiles (else "invalidWasm: compile: …") and imports only
// wasi_snapshot_preview1 and ww.register_channel (else "invalidWasm:
// unsupported import m.n"). Modules are identified by content (ModuleID,
// the SHA-256 of the binary); the in-memory cache finds them by a keyed
// 64-bit hash and the length, computing the SHA-256 only on a miss.
// Compiled modules sit in an in-memory LRU (Config.ModuleCache, 64) over
// wazero's on-disk cache in Config.CacheDir (<WW_HOME>/cache/wazero), so a
// second engine over the same directory compiles nothing. Modules in use
// by a running process are never evicted. Engine.Compile pre-warms both.
//
// # Processes
//
// Engine.Spawn starts a process and returns at once; _start runs inside
// wazero's InstantiateModule on a goroutine of its own. A guest gets:
//
//   - argv as given, or ["main"] when empty;
//   - exactly the env entries given (KEY=VALUE, else "invalidArgument: env
//     entry must be KEY=VALUE"), none of the host's;
//   - stdin, stdout and stderr as OS pipes (os.Pipe). They must be OS
//     objects: with an io.Pipe wazero blocks inside fd_read and freezes
//     every goroutine of a Go guest. The host holds the other ends
//     (Process.Stdin, Process.Stdout); stderr is drained by the engine, each
//     line logged at debug level with the process's "pid" (and "name"), and
//     its first Config.StderrBuffer bytes kept for Process.Stderr;
//   - no filesystem, unless SpawnOptions.FS is set: it is then mounted
//     read-only at / and is the only preopen;
//   - real wall and monotonic clocks, real sleeps (woken early by a kill)
//     and crypto/rand as its random source, never wazero's fake defaults.
//
// The ctx of Spawn bounds admission and compilation only: a process lives
// until it exits, is killed, hits a limit, or the engine closes.
//
// # Exit codes (§5.4)
//
//	_start returned                          0
//	proc_exit(n) (os.Exit(n); Go panic → 2)  n
//	trap                                     134  "trap: <msg>"
//	Kill, Engine.Close                       137  "killed"
//	memory cap refused, then the guest died  137  "memory"
//	wall-clock deadline                      124  "deadline"
//	host error                               1    "internal: <msg>"
//
// A kill or deadline is recorded before the guest is stopped and wins over
// whatever the guest does as it goes down. Kill cancels the process context,
// wakes sleeps and closes the host ends of the pipes, since a guest blocked
// in a host fd_read only returns when the fd does.
//
// # Limits (§5.6)
//
// Memory is capped per process through wazero's experimental allocator
// hook (Config.MemoryLimit, 512 MiB, lowered per process by
// SpawnOptions.MemoryLimit): growing past it fails memory.grow, which a Go
// guest turns into a fatal "out of memory" that is reported as 137
// "memory". wazero's own memory limit is runtime-wide and is left at its
// maximum. Linear memory buffers of ended processes are pooled, and a new
// process starts with a buffer as large as its module's last one ended
// with, so a warm spawn neither zeroes nor copies memory it will not use.
// Time is an optional wall-clock deadline (Config.Timeout, lowered
// by SpawnOptions.Timeout). At most Config.MaxProcs (128) processes are
// live; the next Spawn fails with "resourceExhausted: too many processes
// (limit N)" before any compilation.
//
// Errors of admission and spawning are *Error values whose text is
// "<code>: <detail>" with the codes of the error catalogue (§17).
//
// # RPC channel (§5.5)
//
// With SpawnOptions.Bootstrap a process gets a Cap'n Proto channel: a
// socketpair(AF_UNIX, SOCK_STREAM). The host end runs an rpc.Conn whose
// bootstrap is SpawnOptions.Bootstrap; Process.Bootstrap returns the
// guest's export ("notFound: no exported capability" if none). The guest
// end is the entry "rpc" of a preopened directory /dev/ww at fd 3,
// announced as WW_RPC_FD=3 and WW_ABI=0; wazero v1.12.0 cannot read or
// write a preopen itself. The guest opens the entry (openat(3, "rpc",
// O_RDWR)) and registers the descriptor with the host import
// ww.register_channel(fd) -> errno (mechanism A′); std/system does both
// and hands the non-blocking descriptor to Go's netpoller.
//
// # poll_oneoff
//
// wazero's poll_oneoff waits on stdin only, so a netpoller spins on any
// other descriptor. The engine's own maps guest fds 0–2 to the OS pipes of
// stdio and the registered descriptors to the channel's socket, and
// poll(2)s them (reads and writes: a guest blocked on a full stdout waits
// too) until one is ready or the smallest relative clock timeout passes;
// other descriptors are ready at once and absolute clocks are ENOTSUP, as
// in wazero. A kill writes to a per-process wake pipe (created by the
// first blocking poll) that every blocking poll includes, so a guest
// blocked there stops at once (R4). An idle guest thus sleeps in the
// kernel (R3, TestIdleGuestNoSpin), and a guest blocked reading stdin
// still serves RPC in other goroutines (R2). Kill closes the host ends of
// the pipes and the channel; the guest ends close when the guest has
// stopped, so no descriptor it polls is ever reused under it.
//
// Not here yet: DWARF traces beyond wazero's own message with
// Config.DebugInfo.
package wasm
