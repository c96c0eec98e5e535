package membrane

import (
	"context"

	"github.com/wetware/ww/capnp/ipfs"
)

// ipfsServer serves ipfs.Client. Every method is guarded; of the sub-API
// accessors only unixfs is implemented.
type ipfsServer struct {
	g Guard
	m *Membrane
}

func (s *ipfsServer) Unixfs(_ context.Context, call ipfs.Client_unixfs) error {
	if err := s.g.Check(); err != nil {
		return err
	}
	if s.m.svc.IPFS == nil {
		return unimplemented("ipfs.Client.unixfs")
	}
	res, err := call.AllocResults()
	if err != nil {
		return err
	}
	return res.SetApi(ipfs.UnixFS_ServerToClient(&unixfsServer{g: s.g, m: s.m}))
}

// subAPI guards an accessor whose sub-API is not implemented.
func (s *ipfsServer) subAPI(name string) error {
	if err := s.g.Check(); err != nil {
		return err
	}
	return unimplemented("ipfs.Client." + name)
}

func (s *ipfsServer) Block(context.Context, ipfs.Client_block) error   { return s.subAPI("block") }
func (s *ipfsServer) Dag(context.Context, ipfs.Client_dag) error       { return s.subAPI("dag") }
func (s *ipfsServer) Name(context.Context, ipfs.Client_name) error     { return s.subAPI("name") }
func (s *ipfsServer) Key(context.Context, ipfs.Client_key) error       { return s.subAPI("key") }
func (s *ipfsServer) Pin(context.Context, ipfs.Client_pin) error       { return s.subAPI("pin") }
func (s *ipfsServer) Object(context.Context, ipfs.Client_object) error { return s.subAPI("object") }
func (s *ipfsServer) Swarm(context.Context, ipfs.Client_swarm) error   { return s.subAPI("swarm") }
func (s *ipfsServer) PubSub(context.Context, ipfs.Client_pubSub) error { return s.subAPI("pubSub") }
func (s *ipfsServer) Routing(context.Context, ipfs.Client_routing) error {
	return s.subAPI("routing")
}

func (s *ipfsServer) ResolvePath(ctx context.Context, call ipfs.Client_resolvePath) error {
	if err := s.g.Check(); err != nil {
		return err
	}
	b := s.m.svc.IPFS
	if b == nil {
		return unimplemented("ipfs.Client.resolvePath")
	}
	path, err := call.Args().Path()
	if err != nil {
		return err
	}
	call.Go()
	ctx, cancel := s.m.callContext(ctx)
	defer cancel()
	resolved, rest, err := b.ResolvePath(ctx, path)
	if err != nil {
		return s.m.coded(ctx, err, "ipfs.Client.resolvePath", CodeUnavailable, "ipfs")
	}
	res, err := call.AllocResults()
	if err != nil {
		return err
	}
	if err := res.SetResolved(resolved); err != nil {
		return err
	}
	list, err := res.NewRemainder(int32(len(rest)))
	if err != nil {
		return err
	}
	for i, r := range rest {
		if err := list.Set(i, r); err != nil {
			return err
		}
	}
	return nil
}

func (s *ipfsServer) ResolveNode(ctx context.Context, call ipfs.Client_resolveNode) error {
	if err := s.g.Check(); err != nil {
		return err
	}
	b := s.m.svc.IPFS
	if b == nil {
		return unimplemented("ipfs.Client.resolveNode")
	}
	path, err := call.Args().Path()
	if err != nil {
		return err
	}
	call.Go()
	ctx, cancel := s.m.callContext(ctx)
	defer cancel()
	node, err := b.ResolveNode(ctx, path)
	if err != nil {
		return s.m.coded(ctx, err, "ipfs.Client.resolveNode", CodeUnavailable, "ipfs")
	}
	res, err := call.AllocResults()
	if err != nil {
		return err
	}
	return res.SetNode(node)
}

// unixfsServer serves ipfs.UnixFS; guarded by its Client's guard.
type unixfsServer struct {
	g Guard
	m *Membrane
}

func (s *unixfsServer) Cat(ctx context.Context, call ipfs.UnixFS_cat) error {
	if err := s.g.Check(); err != nil {
		return err
	}
	path, err := call.Args().Path()
	if err != nil {
		return err
	}
	call.Go()
	ctx, cancel := s.m.callContext(ctx)
	defer cancel()
	data, err := s.m.svc.IPFS.Cat(ctx, path)
	if err != nil {
		return s.m.coded(ctx, err, "UnixFS.cat", CodeUnavailable, "ipfs")
	}
	if len(data) > MaxCatSize {
		return Errorf(CodeResourceExhausted, "file too large")
	}
	res, err := call.AllocResults()
	if err != nil {
		return err
	}
	return res.SetData(data)
}

func (s *unixfsServer) Ls(ctx context.Context, call ipfs.UnixFS_ls) error {
	if err := s.g.Check(); err != nil {
		return err
	}
	path, err := call.Args().Path()
	if err != nil {
		return err
	}
	call.Go()
	ctx, cancel := s.m.callContext(ctx)
	defer cancel()
	entries, err := s.m.svc.IPFS.Ls(ctx, path)
	if err != nil {
		return s.m.coded(ctx, err, "UnixFS.ls", CodeUnavailable, "ipfs")
	}
	res, err := call.AllocResults()
	if err != nil {
		return err
	}
	list, err := res.NewEntries(int32(len(entries)))
	if err != nil {
		return err
	}
	for i, e := range entries {
		out := list.At(i)
		if err := out.SetName(e.Name); err != nil {
			return err
		}
		out.SetSize(e.Size)
		if e.Dir {
			out.SetType(ipfs.UnixFS_Entry_EntryType_directory)
		} else {
			out.SetType(ipfs.UnixFS_Entry_EntryType_file)
		}
		if e.Cid.Defined() {
			if err := out.SetCid(e.Cid.Bytes()); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *unixfsServer) Add(ctx context.Context, call ipfs.UnixFS_add) error {
	if err := s.g.Check(); err != nil {
		return err
	}
	data, err := call.Args().Data()
	if err != nil {
		return err
	}
	data = append([]byte(nil), data...)
	call.Go()
	ctx, cancel := s.m.callContext(ctx)
	defer cancel()
	c, err := s.m.svc.IPFS.Add(ctx, data)
	if err != nil {
		return s.m.coded(ctx, err, "UnixFS.add", CodeUnavailable, "ipfs")
	}
	res, err := call.AllocResults()
	if err != nil {
		return err
	}
	return res.SetCid(c)
}

func (s *unixfsServer) Open(ctx context.Context, call ipfs.UnixFS_open) error {
	if err := s.g.Check(); err != nil {
		return err
	}
	path, err := call.Args().Path()
	if err != nil {
		return err
	}
	call.Go()
	ctx, cancel := s.m.callContext(ctx)
	defer cancel()
	rc, err := s.m.svc.IPFS.Open(ctx, path)
	if err != nil {
		return s.m.coded(ctx, err, "UnixFS.open", CodeUnavailable, "ipfs")
	}
	res, err := call.AllocResults()
	if err != nil {
		rc.Close()
		return err
	}
	return res.SetStream(s.m.ReadStream(rc))
}

// AddStream is exempt from the call timeout: it moves content of any
// size, and each read from the source is a call of its own.
func (s *unixfsServer) AddStream(ctx context.Context, call ipfs.UnixFS_addStream) error {
	if err := s.g.Check(); err != nil {
		return err
	}
	src := call.Args().Source()
	if !src.IsValid() {
		return Errorf(CodeInvalidArgument, "missing source")
	}
	r := NewStreamReader(ctx, src.AddRef())
	defer r.Close()
	call.Go()
	c, err := s.m.svc.IPFS.AddStream(ctx, r)
	if err != nil {
		return s.m.coded(ctx, err, "UnixFS.addStream", CodeUnavailable, "ipfs")
	}
	res, err := call.AllocResults()
	if err != nil {
		return err
	}
	return res.SetCid(c)
}
