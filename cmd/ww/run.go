package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"capnproto.org/go/capnp/v3"
	"github.com/chzyer/readline"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/wetware/ww/capnp/shell"
	"github.com/wetware/ww/repl"
	"github.com/wetware/ww/runtime/build"
	"github.com/wetware/ww/runtime/image"
	"github.com/wetware/ww/runtime/membrane"
	"github.com/wetware/ww/runtime/node"
	"github.com/wetware/ww/runtime/wasm"
)

// exitStatus is an error that ends ww with a specific status and no
// message (pid0's exit code, (exit n), a failed script form).
type exitStatus int

func (e exitStatus) Error() string { return "exit status " + strconv.Itoa(int(e)) }

type runOptions struct {
	port        int
	wasmDebug   bool
	identity    string
	stem        string
	rpcURL      string
	wsURL       string
	confDepth   int
	listen      []string
	bootstrap   []string
	nat         bool
	mdns        bool
	daemon      bool
	memLimit    string
	maxProcs    int
	procTimeout time.Duration
	callTimeout time.Duration
	maxWasmSize string
	stemStart   int64
	dhtMode     string
	authorized  []string
	ipfsAPI     string
}

func newRunCmd() *cobra.Command {
	var o runOptions
	c := &cobra.Command{
		Use:   "run [OPTIONS] [MOUNT]...",
		Short: "Run a node",
		Long: `Run a node: merge the MOUNTs into a read-only image, start the swarm and
boot /boot/main.wasm as pid0 with a Membrane. If pid0 exports a Shell, forms
are read from the terminal (interactive) or from stdin (script); otherwise
stdio is passed through and ww exits with pid0's code. A mount that is a Go
main package without boot/main.wasm (such as std/kernel) is built first.`,
		Annotations: map[string]string{
			annArguments: "[MOUNT]...\tImage layers: DIR, /ipfs/CID, /ipns/NAME or SOURCE:/guest/path [default: .]",
		},
		Args: cobra.ArbitraryArgs,
		RunE: action(func(cmd *cobra.Command, args []string) error {
			return runNode(cmd, args, &o)
		}),
	}
	o.addFlags(c.Flags())
	return c
}

// addFlags registers the node options of §15.2 (shared by `ww run` and
// `ww mcp`).
func (o *runOptions) addFlags(f *pflag.FlagSet) {
	f.SortFlags = false
	f.IntVar(&o.port, "port", node.DefaultPort, "Swarm port, TCP and QUIC; 0 = any (`PORT`)")
	f.BoolVar(&o.wasmDebug, "wasm-debug", false, "DWARF traces on traps")
	f.StringVar(&o.identity, "identity", "", "secp256k1 identity file (`PATH`)")
	f.SetAnnotation("identity", annEnv, []string{"WW_IDENTITY"})
	f.StringVar(&o.stem, "stem", "", "Atom contract; enables the epoch pipeline (`ADDR`)")
	f.StringVar(&o.rpcURL, "rpc-url", "http://127.0.0.1:8545", "HTTP JSON-RPC (`URL`)")
	f.StringVar(&o.wsURL, "ws-url", "ws://127.0.0.1:8545", "WebSocket JSON-RPC (`URL`)")
	f.IntVar(&o.confDepth, "confirmation-depth", 6, "Confirmations before finalizing (`N`)")
	f.StringArrayVar(&o.listen, "listen", nil, "Listen address; repeatable (`MULTIADDR`)")
	f.SetAnnotation("listen", annDefault, []string{"from --port"})
	f.StringArrayVar(&o.bootstrap, "bootstrap", nil, "Bootstrap peer, amino or none; repeatable (`ADDR`)")
	f.SetAnnotation("bootstrap", annDefault, []string{"none"})
	f.SetAnnotation("bootstrap", annEnv, []string{"WW_BOOTSTRAP"})
	f.BoolVar(&o.nat, "nat", false, "UPnP/NAT-PMP port mapping and hole punching")
	f.StringVar(&o.dhtMode, "dht-mode", node.DHTAuto, "DHT mode: auto, server or client (`MODE`)")
	f.BoolVar(&o.mdns, "mdns", false, "mDNS discovery on the local network")
	f.StringVar(&o.ipfsAPI, "ipfs-api", "", "External Kubo HTTP RPC API instead of the embedded IPFS (`URL`)")
	f.SetAnnotation("ipfs-api", annEnv, []string{"WW_IPFS_API"})
	f.BoolVar(&o.daemon, "daemon", false, "Keep running after stdin ends, until a signal or pid0 exits")
	f.StringArrayVar(&o.authorized, "authorized-peer", nil, "Peer allowed to log in with ww shell; repeatable (`ID`)")
	f.StringVar(&o.memLimit, "mem-limit", "512MiB", "Memory cap per process (`SIZE`)")
	f.IntVar(&o.maxProcs, "max-procs", wasm.DefaultMaxProcs, "Live process limit (`N`)")
	f.DurationVar(&o.procTimeout, "proc-timeout", 0, "Default process deadline (`DURATION`)")
	f.SetAnnotation("proc-timeout", annDefault, []string{"none"})
	f.DurationVar(&o.callTimeout, "call-timeout", membrane.DefaultCallTimeout, "Timeout of each host-served call (`DURATION`)")
	f.StringVar(&o.maxWasmSize, "max-wasm-size", "32MiB", "Largest module admitted (`SIZE`)")
	f.Int64Var(&o.stemStart, "stem-start-block", -1, "Block where the stem's log scan starts (`N`)")
	f.SetAnnotation("stem-start-block", annDefault, []string{"cursor, else tip − K"})
}

// lockedWriter serializes writes from the driver and the copiers of pid0's
// output.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func runNode(cmd *cobra.Command, args []string, o *runOptions) error {
	stdin := cmd.InOrStdin()
	var mu sync.Mutex
	stdout := lockedWriter{&mu, cmd.OutOrStdout()}
	stderr := lockedWriter{&mu, cmd.ErrOrStderr()}
	log := newLogger(stderr)
	slog.SetDefault(log) // identity and other packages log through the default

	ctx, stop := signalContext()
	defer stop()

	tty := isTTY(stdin)
	interactive := tty && !o.daemon
	b, err := bootNode(ctx, cmd, args, o, log, interactive)
	if err != nil {
		return err
	}
	defer b.Close()
	n, pid0 := b.node, b.pid0

	sh, ok := pid0.Shell(ctx, 0)
	if !ok {
		log.Debug("pid0 exports no Shell: passthrough")
		code, reason, err := pid0.Passthrough(ctx, stdin, stdout, stderr)
		if err != nil {
			return signalStatus(ctx, err)
		}
		if reason != "" {
			log.Info("pid0 exited", "code", code, "reason", reason)
		}
		return statusOf(int(code))
	}
	defer sh.Release()
	if ts, err := n.ServeTerminal(capnp.Client(sh.AddRef())); err != nil {
		log.Warn("terminal not served", "err", err)
	} else {
		defer ts.Close()
	}

	// pid0's own output goes to ours.
	go io.Copy(stdout, pid0.Stdout())
	go func() {
		r := pid0.Stderr()
		io.Copy(stderr, r)
		r.Close()
	}()

	d := &driver{ctx: ctx, sh: sh, pid0: pid0, stdout: stdout, stderr: stderr, log: log}
	switch {
	case interactive:
		code := repl.Run(repl.Config{
			Eval:        &shellEvaluator{d: d},
			HistoryFile: filepath.Join(b.dir, "history"),
			Stdin:       replStdin(stdin),
			Stdout:      stdout,
			Stderr:      stderr,
		})
		return d.finish(code)
	case o.daemon:
		if !tty {
			if code, exited := d.script(stdin); exited {
				if ctx.Err() != nil {
					code = 0 // a daemon stopped by a signal exits 0
				}
				return d.finish(code)
			}
		}
		log.Info("daemon running", "peer", n.ID().String())
		select {
		case <-ctx.Done():
			return d.finish(0)
		case <-pid0.Done():
			code, _, _ := pid0.Wait(context.Background())
			return statusOf(int(code))
		}
	default:
		code, _ := d.script(stdin)
		return d.finish(code)
	}
}

// driver evaluates submissions with pid0's Shell (§8.7).
type driver struct {
	ctx    context.Context
	sh     shell.Shell
	pid0   *node.Pid0
	stdout io.Writer
	stderr io.Writer
	log    *slog.Logger
	// timeout bounds each eval (ww shell's --timeout); 0: none.
	timeout time.Duration
	// gone is closed when a remote session's connection ends (ww shell).
	gone <-chan struct{}
}

// eval evaluates one submission and prints its result. It returns whether
// the form failed, and exited with a code if the session (or pid0) ended.
func (d *driver) eval(ctx context.Context, text string, errPrefix string) (failed, exited bool, code int) {
	if d.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d.timeout)
		defer cancel()
	}
	res, err := node.Eval(ctx, d.sh, text, false)
	if err != nil {
		if d.pid0 != nil {
			select {
			case <-d.pid0.Done():
				c, _, _ := d.pid0.Wait(context.Background())
				return true, true, int(c)
			default:
			}
		}
		select {
		case <-d.gone:
			fmt.Fprintf(d.stderr, "%sconnection to the node lost\n", errPrefix)
			return true, true, 1
		default:
		}
		if d.ctx.Err() != nil {
			return true, true, signalCode(d.ctx)
		}
		fmt.Fprintf(d.stderr, "%s%s\n", errPrefix, membrane.Reason(err))
		return true, false, 0
	}
	switch {
	case res.IsError:
		writeLine(d.stderr, errPrefix+res.Result)
	case res.Result != "":
		writeLine(d.stdout, res.Result)
	}
	if res.Exited {
		return res.IsError, true, int(res.ExitCode)
	}
	return res.IsError, false, 0
}

// script is script mode: submissions read from r (split at line
// boundaries once no bracket or string is open) are evaluated in order.
// It returns 0, or 1 if any form failed, or the code of (exit n).
func (d *driver) script(r io.Reader) (code int, exited bool) {
	br := bufio.NewReader(r)
	var buf strings.Builder
	failed := false
	for {
		line, err := br.ReadString('\n')
		buf.WriteString(line)
		if err == nil && repl.Incomplete(buf.String()) {
			continue
		}
		text := buf.String()
		buf.Reset()
		if strings.TrimSpace(text) != "" {
			f, ex, c := d.eval(d.ctx, text, "")
			failed = failed || f
			if ex {
				return c, true
			}
		}
		if err != nil {
			if err != io.EOF {
				d.log.Error("reading stdin", "err", err)
				failed = true
			}
			break
		}
	}
	if failed {
		return 1, false
	}
	return 0, false
}

// finish ends the driver: pid0's stdin is closed (the kernel then stops
// serving) and ww exits with code.
func (d *driver) finish(code int) error {
	d.pid0.Stdin().Close()
	select {
	case <-d.pid0.Done():
	case <-time.After(2 * time.Second):
		d.pid0.Kill()
	}
	return statusOf(code)
}

func writeLine(w io.Writer, s string) {
	if !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	io.WriteString(w, s)
}

// shellEvaluator adapts the driver to the interactive repl.
type shellEvaluator struct {
	d      *driver
	mu     sync.Mutex
	cancel context.CancelFunc
}

func (e *shellEvaluator) Eval(src string, out, errOut io.Writer) *repl.Exit {
	ctx, cancel := context.WithCancel(e.d.ctx)
	e.mu.Lock()
	e.cancel = cancel
	e.mu.Unlock()
	defer cancel()
	d := *e.d
	d.stdout, d.stderr = out, errOut
	_, exited, code := d.eval(ctx, src, "error: ")
	if exited {
		return &repl.Exit{Code: code}
	}
	return nil
}

func (e *shellEvaluator) Interrupt() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.cancel != nil {
		e.cancel()
	}
}

func (e *shellEvaluator) Complete(prefix string) []string {
	ctx, cancel := context.WithTimeout(e.d.ctx, 2*time.Second)
	defer cancel()
	f, release := e.d.sh.Complete(ctx, func(p shell.Shell_complete_Params) error { return p.SetPrefix(prefix) })
	defer release()
	res, err := f.Struct()
	if err != nil {
		return nil
	}
	list, err := res.Candidates()
	if err != nil {
		return nil
	}
	out := make([]string, 0, list.Len())
	for i := 0; i < list.Len(); i++ {
		s, _ := list.At(i)
		out = append(out, s)
	}
	return out
}

func (e *shellEvaluator) Prompts() (string, string) {
	cwd := "/"
	ctx, cancel := context.WithTimeout(e.d.ctx, 2*time.Second)
	defer cancel()
	f, release := e.d.sh.Cwd(ctx, nil)
	defer release()
	if res, err := f.Struct(); err == nil {
		if p, err := res.Path(); err == nil && p != "" {
			cwd = p
		}
	}
	return cwd + " ❯ ", "… "
}

// buildMounts builds every local root layer that is a Go main package
// without boot/main.wasm (§12) into a temporary layer placed right after
// it, through the build cache in cacheDir. cleanup removes the temporary
// layers.
func buildMounts(ctx context.Context, mounts []image.Mount, debug bool, cacheDir string, log *slog.Logger) ([]image.Mount, func(), error) {
	var tmps []string
	cleanup := func() {
		for _, t := range tmps {
			os.RemoveAll(t)
		}
	}
	var out []image.Mount
	for _, m := range mounts {
		out = append(out, m)
		if m.Kind != image.Local || m.Targeted() || !build.NeedsBuild(m.Source) {
			continue
		}
		tmp, err := os.MkdirTemp("", "ww-build-")
		if err != nil {
			return nil, cleanup, err
		}
		tmps = append(tmps, tmp)
		res, err := buildCached(ctx, m.Source, filepath.Join(tmp, "boot", "main.wasm"), cacheDir, debug, log)
		if err != nil {
			return nil, cleanup, err
		}
		log.Info("built", "dir", m.Source, "bytes", res.Size, "cid", res.CID.String())
		layer, err := image.ParseMount(tmp)
		if err != nil {
			return nil, cleanup, err
		}
		out = append(out, layer)
	}
	return out, cleanup, nil
}

// newLogger returns the slog logger of §15.3: text (or JSON with
// WW_LOG_FORMAT=json) on w at the WW_LOG level (default info).
func newLogger(w io.Writer) *slog.Logger {
	level := slog.LevelInfo
	spec, _, _ := strings.Cut(os.Getenv("WW_LOG"), ",")
	switch strings.TrimSpace(spec) {
	case "error":
		level = slog.LevelError
	case "warn":
		level = slog.LevelWarn
	case "debug":
		level = slog.LevelDebug
	case "trace":
		level = slog.LevelDebug - 4
	}
	opts := &slog.HandlerOptions{Level: level}
	if os.Getenv("WW_LOG_FORMAT") == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// parseSize parses a byte count with an optional KiB/MiB/GiB (or
// KB/MB/GB, K/M/G) suffix.
func parseSize(s string) (uint64, error) {
	units := []struct {
		suffix string
		mult   uint64
	}{
		{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30},
		{"KB", 1000}, {"MB", 1000 * 1000}, {"GB", 1000 * 1000 * 1000},
		{"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"B", 1},
	}
	s = strings.TrimSpace(s)
	mult := uint64(1)
	for _, u := range units {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("invalid size %q", s)
	}
	return n * mult, nil
}

func isTTY(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && readline.IsTerminal(int(f.Fd()))
}

// statusOf turns a code into the command's result.
func statusOf(code int) error {
	if code == 0 {
		return nil
	}
	return exitStatus(code)
}

// signalError is the cancellation cause of the run context.
type signalError struct{ sig os.Signal }

func (e signalError) Error() string { return "signal: " + e.sig.String() }

// signalContext returns a context cancelled with a signalError on SIGINT or
// SIGTERM.
func signalContext() (context.Context, func()) {
	sigc := make(chan os.Signal, 1)
	signal.Notify(sigc, os.Interrupt, syscall.SIGTERM)
	ctx, cancel := context.WithCancelCause(context.Background())
	go func() {
		select {
		case s := <-sigc:
			cancel(signalError{s})
		case <-ctx.Done():
		}
	}()
	return ctx, func() {
		signal.Stop(sigc)
		cancel(nil)
	}
}

// signalCode is 130 for SIGINT and 143 for SIGTERM (§15.4).
func signalCode(ctx context.Context) int {
	var se signalError
	if errors.As(context.Cause(ctx), &se) && se.sig == syscall.SIGTERM {
		return 143
	}
	return 130
}

func signalStatus(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return exitStatus(signalCode(ctx))
	}
	return err
}

// replStdin hands the REPL the terminal itself when stdin is one, so that
// readline can take it over (prompts, editing, history).
func replStdin(r io.Reader) io.ReadCloser {
	if f, ok := r.(*os.File); ok {
		return f
	}
	return io.NopCloser(r)
}
