package mcp

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/wetware/ww/capnp/bridge"
	"github.com/wetware/ww/capnp/ipfs"
	"github.com/wetware/ww/capnp/routing"
	"github.com/wetware/ww/capnp/shell"
	"github.com/wetware/ww/capnp/stem"
	"github.com/wetware/ww/capnp/system"
	"github.com/wetware/ww/runtime/node"
)

type describeInput struct {
	Capability string `json:"capability,omitempty" jsonschema:"a capability name from (caps), e.g. host; omit for all"`
}

// capName is what describe accepts as a capability name: a plain symbol,
// so that the argument cannot smuggle in other forms.
var capName = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)

// describe is the describe tool: it evaluates (help), (caps) and
// (help <cap>) in the session's shell, so it shows exactly what the
// session holds.
func (s *Server) describe(ctx context.Context, req *sdk.CallToolRequest, in describeInput) (*sdk.CallToolResult, any, error) {
	sh, _, err := s.shell(ctx, req.Session)
	if err != nil {
		return nil, nil, err
	}
	defer sh.Release()
	ctx, cancel := context.WithTimeout(ctx, s.opts.EvalTimeout)
	defer cancel()

	if in.Capability != "" {
		if !capName.MatchString(in.Capability) {
			return textResult(fmt.Sprintf("[glia.error/invalid-argument] describe: not a capability name: %q", in.Capability), true), nil, nil
		}
		text, failed, err := s.capHelp(ctx, sh, in.Capability)
		if err != nil {
			return nil, nil, err
		}
		return textResult(text, failed), nil, nil
	}

	var b strings.Builder
	help, err := node.Eval(ctx, sh, "(help)", false)
	if err != nil {
		return nil, nil, fmt.Errorf("shell eval: %w", err)
	}
	b.WriteString(help.Result)
	caps, err := node.Eval(ctx, sh, "(caps)", false)
	if err != nil {
		return nil, nil, fmt.Errorf("shell eval: %w", err)
	}
	if caps.IsError {
		return textResult(caps.Result, true), nil, nil
	}
	names := strings.Fields(strings.Trim(strings.TrimSpace(caps.Result), "[]"))
	fmt.Fprintf(&b, "\nCapabilities in scope: %s\n", strings.Join(names, " "))
	for _, name := range names {
		text, _, err := s.capHelp(ctx, sh, name)
		if err != nil {
			return nil, nil, err
		}
		b.WriteString("\n" + text)
	}
	return textResult(b.String(), false), nil, nil
}

// capHelp is (help <name>) followed by the capability's Cap'n Proto
// interface, found by the schema identity help prints.
func (s *Server) capHelp(ctx context.Context, sh shell.Shell, name string) (text string, failed bool, err error) {
	res, err := node.Eval(ctx, sh, "(help "+name+")", false)
	if err != nil {
		return "", false, fmt.Errorf("shell eval: %w", err)
	}
	if res.IsError {
		return res.Result, true, nil
	}
	text = res.Result
	if !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	if ifc := s.ifaces.byHelp(text); ifc != nil {
		text += fmt.Sprintf("interface:    %s @0x%016x\n", ifc.Name, ifc.ID)
	} else {
		text += "interface:    none (served inside the kernel)\n"
	}
	return text, false, nil
}

// interfaces maps schema identities (the schema-cid of capability values)
// to the Cap'n Proto interfaces a shell can hold.
type interfaces struct{ byCID map[string]*bridge.Interface }

func newInterfaces() (*interfaces, error) {
	reg, err := bridge.NewRegistry()
	if err != nil {
		return nil, err
	}
	m := map[string]*bridge.Interface{}
	for _, id := range []uint64{
		system.Host_TypeID, system.Executor_TypeID, system.Process_TypeID, system.ByteStream_TypeID,
		system.Listener_TypeID, system.Dialer_TypeID, ipfs.Client_TypeID, ipfs.UnixFS_TypeID,
		routing.Routing_TypeID, stem.Identity_TypeID, stem.Signer_TypeID, shell.Shell_TypeID,
	} {
		ifc, err := reg.Interface(id)
		if err != nil {
			return nil, err
		}
		m[ifc.Identity] = ifc
	}
	return &interfaces{m}, nil
}

var schemaCID = regexp.MustCompile(`(?m)^schema-cid: (\S+)$`)

// byHelp finds the interface whose schema-cid a (help <cap>) text names.
func (i *interfaces) byHelp(help string) *bridge.Interface {
	m := schemaCID.FindStringSubmatch(help)
	if m == nil {
		return nil
	}
	return i.byCID[m[1]]
}
