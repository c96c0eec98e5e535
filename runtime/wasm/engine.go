package wasm

import (
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/maphash"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
)

// Defaults of Config (system design §5.2, §5.6).
const (
	DefaultMaxWasmSize  = 32 << 20  // --max-wasm-size
	DefaultMemoryLimit  = 512 << 20 // --mem-limit, per process
	DefaultMaxProcs     = 128       // --max-procs
	DefaultStderrBuffer = 1 << 20   // bytes of stderr kept per process
	DefaultModuleCache  = 64        // compiled modules kept in memory
)

// wasiModule is the WASI host module; guests may also import hostModule.
const wasiModule = wasi_snapshot_preview1.ModuleName

// Config configures an Engine. Zero fields take the defaults above.
type Config struct {
	// CacheDir holds wazero's on-disk compiled-module cache, normally
	// <WW_HOME>/cache/wazero. Empty: compiled code is cached in memory only.
	CacheDir string
	// MaxWasmSize is the largest module binary admitted, in bytes.
	MaxWasmSize int
	// MemoryLimit is the largest linear memory of one process, in bytes.
	// SpawnOptions can only lower it.
	MemoryLimit uint64
	// MaxProcs bounds the number of live processes.
	MaxProcs int
	// Timeout is the default wall-clock deadline of a process; 0 means none.
	Timeout time.Duration
	// DebugInfo keeps DWARF so traps carry source positions (--wasm-debug).
	DebugInfo bool
	// StderrBuffer is how many bytes of each process's stderr are kept for
	// Process.Stderr.
	StderrBuffer int
	// ModuleCache is how many compiled modules stay in memory (an LRU).
	ModuleCache int
	// Logger receives guest stderr (at debug level) and lifecycle events;
	// nil means slog.Default().
	Logger *slog.Logger
}

func (c Config) withDefaults() Config {
	if c.MaxWasmSize <= 0 {
		c.MaxWasmSize = DefaultMaxWasmSize
	}
	if c.MemoryLimit == 0 {
		c.MemoryLimit = DefaultMemoryLimit
	}
	if c.MaxProcs <= 0 {
		c.MaxProcs = DefaultMaxProcs
	}
	if c.StderrBuffer <= 0 {
		c.StderrBuffer = DefaultStderrBuffer
	}
	if c.ModuleCache <= 0 {
		c.ModuleCache = DefaultModuleCache
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// Engine is a node's WebAssembly runtime: one wazero runtime in compiler
// mode, its compile caches and its process table. It is safe for
// concurrent use.
type Engine struct {
	cfg   Config
	rt    wazero.Runtime
	cache wazero.CompilationCache

	// ctx is the parent of every process context; cancel kills them all.
	ctx    context.Context
	cancel context.CancelFunc

	modMu   sync.Mutex
	seed    maphash.Seed
	modules map[moduleKey]*moduleEntry
	lru     *list.List // of *moduleEntry, most recently used at the front

	procMu  sync.Mutex
	procs   map[uint64]*Process
	closed  bool
	live    atomic.Int64
	nextPID atomic.Uint64
	wg      sync.WaitGroup

	compiles  atomic.Uint64
	cacheHits atomic.Uint64

	mem *memoryPool // linear memory buffers of exited processes
}

// ModuleID identifies a module by content: the hex SHA-256 of its binary
// (the digest of its CIDv1 raw sha2-256 wasm CID).
type ModuleID string

// IDOf returns the ModuleID of a binary.
func IDOf(wasm []byte) ModuleID {
	sum := sha256.Sum256(wasm)
	return ModuleID(hex.EncodeToString(sum[:]))
}

// moduleKey finds a module in the in-memory cache without the cost of
// SHA-256 over the whole binary on every spawn (1.4 ms for a 3 MB Go
// guest): the length and a 64-bit hash/maphash under the engine's random
// seed, which a guest can neither learn nor observe.
type moduleKey struct {
	hash uint64
	size int
}

func (e *Engine) keyOf(wasm []byte) moduleKey {
	return moduleKey{hash: maphash.Bytes(e.seed, wasm), size: len(wasm)}
}

type moduleEntry struct {
	key   moduleKey
	id    ModuleID      // set before ready is closed
	ready chan struct{} // closed once id, cm or err is set
	cm    wazero.CompiledModule
	err   error
	refs  int           // guarded by Engine.modMu
	elem  *list.Element // guarded by Engine.modMu

	// memHint is the linear memory size the module's last process ended
	// with, so the next one gets its buffer at once (memory.go).
	memHint atomic.Uint64
}

// NewEngine starts an engine. ctx is only used to set up the runtime.
func NewEngine(ctx context.Context, cfg Config) (*Engine, error) {
	cfg = cfg.withDefaults()
	// wazero's memory limit is runtime-wide, so it stays at its default
	// (4 GiB); the per-process cap is enforced by the allocator hook of
	// memory.go, which records refusals that wazero's own limit would not.
	rc := wazero.NewRuntimeConfigCompiler().
		WithCloseOnContextDone(true).
		WithDebugInfoEnabled(cfg.DebugInfo)
	var cache wazero.CompilationCache
	if cfg.CacheDir != "" {
		c, err := wazero.NewCompilationCacheWithDir(cfg.CacheDir)
		if err != nil {
			return nil, fmt.Errorf("wasm: compile cache %s: %w", cfg.CacheDir, err)
		}
		cache = c
		rc = rc.WithCompilationCache(cache)
	}
	rt := wazero.NewRuntimeWithConfig(ctx, rc)

	// WASI preview1 is exported function by function, then poll_oneoff
	// again with ours (poll.go; the later export wins). The ww module holds
	// register_channel (system design §5.5, mechanism A′).
	wasi := rt.NewHostModuleBuilder(wasiModule)
	wasi_snapshot_preview1.NewFunctionExporter().ExportFunctions(wasi)
	ww := rt.NewHostModuleBuilder(hostModule)
	exportHostFunctions(wasi, ww)
	for _, b := range []wazero.HostModuleBuilder{wasi, ww} {
		if _, err := b.Instantiate(ctx); err != nil {
			_ = rt.Close(ctx)
			if cache != nil {
				_ = cache.Close(ctx)
			}
			return nil, fmt.Errorf("wasm: instantiate host module: %w", err)
		}
	}

	ectx, cancel := context.WithCancel(context.Background())
	return &Engine{
		cfg:     cfg,
		rt:      rt,
		cache:   cache,
		ctx:     ectx,
		cancel:  cancel,
		seed:    maphash.MakeSeed(),
		modules: make(map[moduleKey]*moduleEntry),
		mem:     newMemoryPool(),
		lru:     list.New(),
		procs:   make(map[uint64]*Process),
	}, nil
}

// Config returns the engine's configuration with defaults filled in.
func (e *Engine) Config() Config { return e.cfg }

// Stats are counters for metrics and tests.
type Stats struct {
	// Compiles counts modules handed to wazero for compilation; wazero
	// serves them from the on-disk cache when it can.
	Compiles uint64
	// CacheHits counts admissions served by the in-memory module cache.
	CacheHits uint64
	// Live is the number of live processes.
	Live int
}

// Stats returns the engine's counters.
func (e *Engine) Stats() Stats {
	return Stats{
		Compiles:  e.compiles.Load(),
		CacheHits: e.cacheHits.Load(),
		Live:      int(e.live.Load()),
	}
}

// Compile admits and compiles wasm (system design §5.2) and keeps the
// result in the engine's caches, without running it. It is how `ww
// build` and image boot pre-warm the cache.
func (e *Engine) Compile(ctx context.Context, wasm []byte) (ModuleID, error) {
	ent, err := e.acquire(ctx, wasm)
	if err != nil {
		return "", err
	}
	e.release(ent)
	return ent.id, nil
}

// acquire admits wasm and returns its compiled module with one reference
// held; release drops it.
func (e *Engine) acquire(ctx context.Context, wasm []byte) (*moduleEntry, error) {
	if len(wasm) > e.cfg.MaxWasmSize {
		return nil, errorf(CodeInvalidArgument, "wasm binary too large (%d bytes > %d)", len(wasm), e.cfg.MaxWasmSize)
	}
	key := e.keyOf(wasm)

	e.modMu.Lock()
	ent, ok := e.modules[key]
	if ok {
		ent.refs++
		e.lru.MoveToFront(ent.elem)
		e.modMu.Unlock()
		e.cacheHits.Add(1)
		select {
		case <-ent.ready:
		case <-ctx.Done():
			e.release(ent)
			return nil, ctx.Err()
		}
		if ent.err != nil {
			e.release(ent)
			return nil, ent.err
		}
		return ent, nil
	}
	ent = &moduleEntry{key: key, ready: make(chan struct{}), refs: 1}
	ent.elem = e.lru.PushFront(ent)
	e.modules[key] = ent
	e.modMu.Unlock()
	ent.id = IDOf(wasm)

	// Compilation is not abandoned when ctx ends: waiters share it.
	e.compiles.Add(1)
	cm, err := e.rt.CompileModule(context.WithoutCancel(ctx), wasm)
	if err != nil {
		err = errorf(CodeInvalidWasm, "compile: %v", err)
	} else if err = checkImports(cm); err != nil {
		_ = cm.Close(context.Background())
		cm = nil
	}
	ent.cm, ent.err = cm, err
	close(ent.ready)
	if err != nil {
		// Failures are not cached: drop the entry now.
		e.modMu.Lock()
		if e.modules[key] == ent {
			delete(e.modules, key)
			e.lru.Remove(ent.elem)
		}
		ent.refs--
		e.modMu.Unlock()
		return nil, err
	}
	e.modMu.Lock()
	e.evictLocked()
	e.modMu.Unlock()
	return ent, nil
}

// checkImports admits only imports of wasi_snapshot_preview1 and
// ww.register_channel (i32) -> i32.
func checkImports(cm wazero.CompiledModule) error {
	for _, f := range cm.ImportedFunctions() {
		mod, name, _ := f.Import()
		switch {
		case mod == wasiModule:
		case mod == hostModule && name == registerChannelName:
			if p, r := f.ParamTypes(), f.ResultTypes(); len(p) != 1 || p[0] != api.ValueTypeI32 || len(r) != 1 || r[0] != api.ValueTypeI32 {
				return errorf(CodeInvalidWasm, "import %s.%s must have type (i32) -> i32", mod, name)
			}
		default:
			return errorf(CodeInvalidWasm, "unsupported import %s.%s", mod, name)
		}
	}
	for _, m := range cm.ImportedMemories() {
		mod, name, _ := m.Import()
		return errorf(CodeInvalidWasm, "unsupported import %s.%s", mod, name)
	}
	return nil
}

func (e *Engine) release(ent *moduleEntry) {
	e.modMu.Lock()
	ent.refs--
	if e.modules[ent.key] != ent && ent.refs == 0 && ent.cm != nil {
		// Dropped by Close while in use: free it now.
		_ = ent.cm.Close(context.Background())
	}
	e.evictLocked()
	e.modMu.Unlock()
}

// evictLocked closes the least recently used idle modules beyond the
// cache size. Modules in use are never evicted, so an ID maps to at most
// one wazero CompiledModule at a time.
func (e *Engine) evictLocked() {
	for el := e.lru.Back(); el != nil && e.lru.Len() > e.cfg.ModuleCache; {
		prev := el.Prev()
		ent := el.Value.(*moduleEntry)
		if ent.refs == 0 {
			e.lru.Remove(el)
			delete(e.modules, ent.key)
			if ent.cm != nil {
				_ = ent.cm.Close(context.Background())
			}
		}
		el = prev
	}
}

// Close kills every process, waits for them to end (or ctx), and releases
// the runtime and caches. The on-disk cache stays for the next engine.
func (e *Engine) Close(ctx context.Context) error {
	e.procMu.Lock()
	if e.closed {
		e.procMu.Unlock()
		return nil
	}
	e.closed = true
	procs := make([]*Process, 0, len(e.procs))
	for _, p := range e.procs {
		procs = append(procs, p)
	}
	e.procMu.Unlock()

	for _, p := range procs {
		p.Kill()
	}
	done := make(chan struct{})
	go func() { e.wg.Wait(); close(done) }()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		err = fmt.Errorf("wasm: close: %w", ctx.Err())
	}
	e.cancel()

	e.modMu.Lock()
	for key, ent := range e.modules {
		if ent.refs == 0 && ent.cm != nil {
			_ = ent.cm.Close(ctx)
		}
		delete(e.modules, key)
	}
	e.lru.Init()
	e.modMu.Unlock()

	err = errors.Join(err, e.rt.Close(context.WithoutCancel(ctx)))
	if e.cache != nil {
		err = errors.Join(err, e.cache.Close(context.WithoutCancel(ctx)))
	}
	return err
}
