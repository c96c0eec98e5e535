package capnp_test

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"

	capnplib "capnproto.org/go/capnp/v3"
	"capnproto.org/go/capnp/v3/schemas"
	"capnproto.org/go/capnp/v3/std/capnp/schema"

	"github.com/wetware/ww/capnp/ipfs"
	"github.com/wetware/ww/capnp/routing"
	"github.com/wetware/ww/capnp/shell"
	"github.com/wetware/ww/capnp/stem"
	"github.com/wetware/ww/capnp/system"
)

// generatedIDs maps the display name of every declaration listed in system
// design §6.0 to the type ID constant the generated code carries.
var generatedIDs = map[string]uint64{
	"system.capnp:PeerInfo":   system.PeerInfo_TypeID,
	"system.capnp:Host":       system.Host_TypeID,
	"system.capnp:Listener":   system.Listener_TypeID,
	"system.capnp:Dialer":     system.Dialer_TypeID,
	"system.capnp:Executor":   system.Executor_TypeID,
	"system.capnp:Process":    system.Process_TypeID,
	"system.capnp:ByteStream": system.ByteStream_TypeID,

	"stem.capnp:Epoch":    stem.Epoch_TypeID,
	"stem.capnp:Signer":   stem.Signer_TypeID,
	"stem.capnp:Identity": stem.Identity_TypeID,
	"stem.capnp:Membrane": stem.Membrane_TypeID,
	"stem.capnp:Terminal": stem.Terminal_TypeID,

	"ipfs.capnp:Client":                 ipfs.Client_TypeID,
	"ipfs.capnp:UnixFS":                 ipfs.UnixFS_TypeID,
	"ipfs.capnp:UnixFS.Entry":           ipfs.UnixFS_Entry_TypeID,
	"ipfs.capnp:UnixFS.Entry.EntryType": ipfs.UnixFS_Entry_EntryType_TypeID,
	"ipfs.capnp:Block":                  ipfs.Block_TypeID,
	"ipfs.capnp:Dag":                    ipfs.Dag_TypeID,
	"ipfs.capnp:Name":                   ipfs.Name_TypeID,
	"ipfs.capnp:Key":                    ipfs.Key_TypeID,
	"ipfs.capnp:Pin":                    ipfs.Pin_TypeID,
	"ipfs.capnp:Object":                 ipfs.Object_TypeID,
	"ipfs.capnp:Swarm":                  ipfs.Swarm_TypeID,
	"ipfs.capnp:PubSub":                 ipfs.PubSub_TypeID,
	"ipfs.capnp:Routing":                ipfs.Routing_TypeID,

	"routing.capnp:ProviderInfo": routing.ProviderInfo_TypeID,
	"routing.capnp:ProviderSink": routing.ProviderSink_TypeID,
	"routing.capnp:Routing":      routing.Routing_TypeID,

	"shell.capnp:Shell": shell.Shell_TypeID,
}

// registerSchema maps each schema file to its generated package's
// RegisterSchema, whose embedded nodes give display names and scopes.
var registerSchema = map[string]func(*schemas.Registry){
	"system.capnp":  system.RegisterSchema,
	"stem.capnp":    stem.RegisterSchema,
	"ipfs.capnp":    ipfs.RegisterSchema,
	"routing.capnp": routing.RegisterSchema,
	"shell.capnp":   shell.RegisterSchema,
}

// TestSeedTypeIDs checks the generated type IDs, and the file IDs recorded
// in the embedded schemas, against testdata/seed-type-ids.txt.
func TestSeedTypeIDs(t *testing.T) {
	seed := readSeedIDs(t, "../testdata/seed-type-ids.txt")

	// Every listed declaration has the listed ID in the generated code, and
	// every declaration the test knows is listed.
	for name, want := range seed {
		file, _, isDecl := strings.Cut(name, ":")
		if !isDecl {
			if _, ok := registerSchema[file]; !ok {
				t.Errorf("%s: listed schema file has no generated package", name)
			}
			continue
		}
		got, ok := generatedIDs[name]
		if !ok {
			t.Errorf("%s: listed in seed-type-ids.txt but not known to the test", name)
			continue
		}
		if got != want {
			t.Errorf("%s: generated type ID %#x, seed %#x", name, got, want)
		}
	}
	for name := range generatedIDs {
		if _, ok := seed[name]; !ok {
			t.Errorf("%s: not listed in seed-type-ids.txt", name)
		}
	}
	for file := range registerSchema {
		if _, ok := seed[file]; !ok {
			t.Errorf("%s: file ID not listed in seed-type-ids.txt", file)
		}
	}

	// The embedded schema nodes agree: each ID names the declaration it
	// is listed under, and the scope chain ends at the listed file ID.
	for name, id := range generatedIDs {
		file, _, _ := strings.Cut(name, ":")
		reg := new(schemas.Registry)
		registerSchema[file](reg)
		nodes := embeddedNodes(t, reg, id)
		n, ok := nodes[id]
		if !ok {
			t.Errorf("%s: %#x not in the embedded schema", name, id)
			continue
		}
		if dn, _ := n.DisplayName(); dn != name {
			t.Errorf("%#x: embedded display name %q, listed as %q", id, dn, name)
		}
		scope := n.ScopeId()
		for p, ok := nodes[scope]; ok; p, ok = nodes[scope] {
			scope = p.ScopeId()
		}
		if want := seed[file]; scope != want {
			t.Errorf("%s: enclosing file ID %#x, seed %#x", name, scope, want)
		}
	}
}

// readSeedIDs parses "name 0xid" lines, skipping blanks and # comments.
func readSeedIDs(t *testing.T, path string) map[string]uint64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ids := make(map[string]uint64)
	sc := bufio.NewScanner(f)
	for lineNo := 1; sc.Scan(); lineNo++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 2 || !strings.HasPrefix(fields[1], "0x") {
			t.Fatalf("%s:%d: want \"name 0xid\", got %q", path, lineNo, line)
		}
		id, err := strconv.ParseUint(fields[1][2:], 16, 64)
		if err != nil {
			t.Fatalf("%s:%d: %v", path, lineNo, err)
		}
		if _, dup := ids[fields[0]]; dup {
			t.Fatalf("%s:%d: %s listed twice", path, lineNo, fields[0])
		}
		ids[fields[0]] = id
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(ids) == 0 {
		t.Fatalf("%s: no IDs", path)
	}
	return ids
}

// embeddedNodes decodes the CodeGeneratorRequest embedded for id and
// indexes its nodes by ID.
func embeddedNodes(t *testing.T, reg *schemas.Registry, id uint64) map[uint64]schema.Node {
	t.Helper()
	b, err := reg.Find(id)
	if err != nil {
		t.Fatalf("%#x: %v", id, err)
	}
	msg, err := capnplib.Unmarshal(b)
	if err != nil {
		t.Fatalf("%#x: %v", id, err)
	}
	req, err := schema.ReadRootCodeGeneratorRequest(msg)
	if err != nil {
		t.Fatalf("%#x: %v", id, err)
	}
	list, err := req.Nodes()
	if err != nil {
		t.Fatalf("%#x: %v", id, err)
	}
	nodes := make(map[uint64]schema.Node, list.Len())
	for i := 0; i < list.Len(); i++ {
		if n := list.At(i); n.Id() != 0 {
			nodes[n.Id()] = n
		}
	}
	return nodes
}
