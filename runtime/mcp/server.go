package mcp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/wetware/ww/capnp/shell"
	"github.com/wetware/ww/runtime/membrane"
	"github.com/wetware/ww/runtime/node"
)

// Name is the server name announced to clients.
const Name = "wetware"

// DefaultEvalTimeout bounds one eval call (--eval-timeout).
const DefaultEvalTimeout = 60 * time.Second

// DefaultProgressInterval is the period of progress notifications while
// an evaluation runs.
const DefaultProgressInterval = time.Second

// Options configure a Server.
type Options struct {
	// Grants are passed to Shell.fork for every session ("<cap>" or
	// "<cap>:<method>", see ExpandGrants); empty grants everything.
	Grants []string
	// EvalTimeout bounds each eval (DefaultEvalTimeout if zero).
	EvalTimeout time.Duration
	// ProgressInterval is the period of progress notifications
	// (DefaultProgressInterval if zero).
	ProgressInterval time.Duration
	// Version is announced with the server name.
	Version string
	// Logger receives the server's logs (slog.Default() if nil).
	Logger *slog.Logger
}

// Server serves a kernel Shell to MCP clients, one forked shell session
// per MCP session.
type Server struct {
	root   shell.Shell
	opts   Options
	log    *slog.Logger
	srv    *sdk.Server
	ifaces *interfaces

	mu       sync.Mutex
	sessions map[*sdk.ServerSession]*session
	closed   bool
}

// session is the shell session of one MCP session, forked on first use.
type session struct {
	mu sync.Mutex
	sh shell.Shell // invalid until forked, and again after (exit)
}

// New returns a Server over root, the kernel's Shell; the Server takes
// its own reference to root.
func New(root shell.Shell, opts Options) (*Server, error) {
	if opts.EvalTimeout <= 0 {
		opts.EvalTimeout = DefaultEvalTimeout
	}
	if opts.ProgressInterval <= 0 {
		opts.ProgressInterval = DefaultProgressInterval
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	ifaces, err := newInterfaces()
	if err != nil {
		return nil, err
	}
	s := &Server{
		root:     root.AddRef(),
		opts:     opts,
		log:      opts.Logger.With("subsystem", "mcp"),
		ifaces:   ifaces,
		sessions: map[*sdk.ServerSession]*session{},
	}
	so := &sdk.ServerOptions{Instructions: instructions}
	if s.log.Enabled(context.Background(), slog.LevelDebug) {
		so.Logger = s.log // the SDK logs every connection at info
	}
	s.srv = sdk.NewServer(&sdk.Implementation{Name: Name, Title: "Wetware", Version: opts.Version}, so)
	sdk.AddTool(s.srv, &sdk.Tool{
		Name:        "eval",
		Title:       "Evaluate Glia",
		Description: evalDescription,
	}, s.eval)
	sdk.AddTool(s.srv, &sdk.Tool{
		Name:        "describe",
		Title:       "Describe capabilities",
		Description: describeDescription,
		Annotations: &sdk.ToolAnnotations{ReadOnlyHint: true},
	}, s.describe)
	addResources(s.srv)
	return s, nil
}

const instructions = `This server is a Wetware node's shell. Use the eval tool to evaluate Glia, a
Clojure-like Lisp, in your own shell session: definitions persist across calls
of this session. Capabilities (host, executor, ipfs, routing, identity, fs) are
called like functions: (host id), (executor echo "hi"). Call describe first to
see the capabilities in scope and their methods; the resources hold the (help)
text and the full Glia specification.`

const evalDescription = `Evaluate Glia source (one or more forms, in order) in this MCP session's shell
and return what it printed followed by each form's value in readable form (nil
reads nil). Errors come back as the one-line "[tag] message" with isError set.
Example: (host id), (+ 1 2), (def x 5), (ipfs cat "/ipfs/<cid>").`

const describeDescription = `Describe the capabilities in scope: without an argument the (help) text and,
for each capability of (caps), its methods with argument and result types; with
"capability" only that one, plus its Cap'n Proto interface name and type ID.`

// ExpandGrants turns --grant values ("<cap>" or "<cap>:<method>,…") into
// Shell.fork grants ("<cap>" or "<cap>:<method>"). The kernel checks the
// names.
func ExpandGrants(flags []string) ([]string, error) {
	var out []string
	for _, f := range flags {
		name, methods, hasMethods := strings.Cut(f, ":")
		if name == "" {
			return nil, fmt.Errorf("--grant %q: no capability", f)
		}
		if !hasMethods {
			out = append(out, name)
			continue
		}
		for _, m := range strings.Split(methods, ",") {
			if m = strings.TrimSpace(m); m == "" {
				return nil, fmt.Errorf("--grant %q: empty method", f)
			}
			out = append(out, name+":"+m)
		}
	}
	return out, nil
}

// Check forks a session with the grants and releases it: an unknown
// grant fails here rather than at the first tool call.
func (s *Server) Check(ctx context.Context) error {
	sh, err := s.fork(ctx)
	if err != nil {
		return err
	}
	sh.Release()
	return nil
}

// Serve runs one MCP session over t until the client ends it or ctx is
// done.
func (s *Server) Serve(ctx context.Context, t sdk.Transport) error {
	err := s.srv.Run(ctx, t)
	if errors.Is(err, io.EOF) {
		return nil
	}
	return err
}

// Connect starts an MCP session over t and returns at once.
func (s *Server) Connect(ctx context.Context, t sdk.Transport) (*sdk.ServerSession, error) {
	return s.srv.Connect(ctx, t, nil)
}

// Handler serves streamable HTTP: one MCP session per Mcp-Session-Id.
func (s *Server) Handler() http.Handler {
	return sdk.NewStreamableHTTPHandler(func(*http.Request) *sdk.Server { return s.srv },
		&sdk.StreamableHTTPOptions{Logger: s.log})
}

// Close releases every session's shell and the root; tool calls fail
// afterwards.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	sessions := s.sessions
	s.sessions = map[*sdk.ServerSession]*session{}
	s.mu.Unlock()
	for _, e := range sessions {
		e.release()
	}
	s.root.Release()
}

// shell returns a reference to ss's forked shell, forking it on first
// use. The caller releases it.
func (s *Server) shell(ctx context.Context, ss *sdk.ServerSession) (shell.Shell, *session, error) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return shell.Shell{}, nil, errors.New("mcp: server closed")
	}
	e := s.sessions[ss]
	if e == nil {
		e = &session{}
		s.sessions[ss] = e
		go s.drop(ss)
	}
	s.mu.Unlock()

	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.sh.IsValid() {
		sh, err := s.fork(ctx)
		if err != nil {
			return shell.Shell{}, nil, err
		}
		e.sh = sh
		s.log.Debug("session forked", "session", ss.ID())
	}
	return e.sh.AddRef(), e, nil
}

// drop releases ss's shell once the session has ended.
func (s *Server) drop(ss *sdk.ServerSession) {
	ss.Wait()
	s.mu.Lock()
	e := s.sessions[ss]
	delete(s.sessions, ss)
	s.mu.Unlock()
	if e != nil {
		e.release()
		s.log.Debug("session ended", "session", ss.ID())
	}
}

func (e *session) release() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.sh.Release()
	e.sh = shell.Shell{}
}

// fork calls Shell.fork with the grants.
func (s *Server) fork(ctx context.Context) (shell.Shell, error) {
	f, release := s.root.Fork(ctx, func(p shell.Shell_fork_Params) error {
		l, err := p.NewGrants(int32(len(s.opts.Grants)))
		if err != nil {
			return err
		}
		for i, g := range s.opts.Grants {
			if err := l.Set(i, g); err != nil {
				return err
			}
		}
		return nil
	})
	defer release()
	res, err := f.Struct()
	if err != nil {
		return shell.Shell{}, fmt.Errorf("shell fork: %s", membrane.Reason(err))
	}
	return res.Shell().AddRef(), nil
}

type evalInput struct {
	Expression string `json:"expression" jsonschema:"Glia source: one or more forms, evaluated in order"`
}

// eval is the eval tool.
func (s *Server) eval(ctx context.Context, req *sdk.CallToolRequest, in evalInput) (*sdk.CallToolResult, any, error) {
	sh, e, err := s.shell(ctx, req.Session)
	if err != nil {
		return nil, nil, err
	}
	defer sh.Release()
	evalCtx, cancel := context.WithTimeout(ctx, s.opts.EvalTimeout)
	defer cancel()
	stop := s.progress(evalCtx, req)
	res, err := node.Eval(evalCtx, sh, in.Expression, true)
	stop()
	switch {
	case err == nil:
	case ctx.Err() != nil:
		// The client cancelled: the SDK sends no response.
		return nil, nil, ctx.Err()
	case evalCtx.Err() != nil:
		return textResult(fmt.Sprintf("[glia.error/interrupted] evaluation exceeded the eval timeout (%s)", s.opts.EvalTimeout), true), nil, nil
	default:
		return nil, nil, fmt.Errorf("shell eval: %s", membrane.Reason(err))
	}
	out := res.Result
	if res.Exited {
		// (exit n) ends this shell session only; the next call forks a
		// fresh one.
		e.release()
		out += fmt.Sprintf("session exited with code %d; the next call starts a new session\n", res.ExitCode)
	}
	return textResult(out, res.IsError), nil, nil
}

// progress sends a progress notification every ProgressInterval until
// the returned stop is called, if the client asked for progress.
func (s *Server) progress(ctx context.Context, req *sdk.CallToolRequest) (stop func()) {
	token := req.Params.GetProgressToken()
	if token == nil {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(s.opts.ProgressInterval)
		defer t.Stop()
		start := time.Now()
		for n := 1; ; n++ {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
			}
			err := req.Session.NotifyProgress(ctx, &sdk.ProgressNotificationParams{
				ProgressToken: token,
				Progress:      float64(n),
				Message:       "evaluating for " + time.Since(start).Round(time.Millisecond).String(),
			})
			if err != nil {
				s.log.Debug("progress notification", "err", err)
				return
			}
		}
	})
	return func() {
		close(done)
		wg.Wait()
	}
}

func textResult(text string, isError bool) *sdk.CallToolResult {
	return &sdk.CallToolResult{Content: []sdk.Content{&sdk.TextContent{Text: text}}, IsError: isError}
}
