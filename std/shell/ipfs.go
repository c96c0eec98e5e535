package shell

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/ipfs/go-cid"

	"github.com/wetware/ww/capnp/ipfs"
	"github.com/wetware/ww/capnp/system"
	"github.com/wetware/ww/lang/value"
)

// streamChunk is the ByteStream chunk size (64 KiB, design §6.3).
const streamChunk = 64 << 10

// ipfsCall serves one method of the ipfs capability's Glia surface
// (design §8.3):
//
//	(ipfs cat "<path>")     → string if UTF-8, else bytes (UnixFS.open)
//	(ipfs ls "<path>")      → [{:name :size :type (:file/:dir) :cid} …]
//	(ipfs add s-or-bytes)   → CID string (UnixFS.addStream)
//	(ipfs resolve "<path>") → "/ipfs/<cid>" (Client.resolvePath)
func ipfsCall(ctx context.Context, c ipfs.Client, m string, args []value.Value) (value.Value, error) {
	label := "ipfs :" + m
	if len(args) != 1 {
		return nil, value.ArityError(label, "1", len(args))
	}
	if m == "add" {
		var data []byte
		switch x := args[0].(type) {
		case value.String:
			data = []byte(x)
		case value.Bytes:
			data = []byte(x)
		default:
			return nil, value.TypeError(label, "string or bytes", args[0])
		}
		return ipfsAdd(ctx, c, data)
	}
	p, ok := args[0].(value.String)
	if !ok {
		return nil, value.TypeError(label, "path string", args[0])
	}
	switch m {
	case "cat":
		return ipfsCat(ctx, c, string(p))
	case "ls":
		return ipfsLs(ctx, c, string(p))
	}
	return ipfsResolve(ctx, c, string(p))
}

func ipfsCat(ctx context.Context, c ipfs.Client, p string) (value.Value, error) {
	uf, urel := c.Unixfs(ctx, nil)
	defer urel()
	of, orel := uf.Api().Open(ctx, func(a ipfs.UnixFS_open_Params) error { return a.SetPath(p) })
	defer orel()
	res, err := of.Struct()
	if err != nil {
		return nil, ipfsError("cat", err)
	}
	stream := res.Stream()
	var out []byte
	for {
		rf, rr := stream.Read(ctx, func(a system.ByteStream_read_Params) error {
			a.SetMaxBytes(streamChunk)
			return nil
		})
		r, err := rf.Struct()
		if err != nil {
			rr()
			if errCode(err) == "deadlineExceeded" && ctx.Err() == nil {
				continue // the chunk is still being fetched
			}
			return nil, ipfsError("cat", err)
		}
		data, _ := r.Data()
		out = append(out, data...)
		rr()
		if len(data) == 0 {
			break
		}
	}
	if utf8.Valid(out) {
		return value.MakeString(string(out)), nil
	}
	return value.MakeBytes(out), nil
}

func ipfsAdd(ctx context.Context, c ipfs.Client, data []byte) (value.Value, error) {
	uf, urel := c.Unixfs(ctx, nil)
	defer urel()
	src := system.ByteStream_ServerToClient(&bytesSource{data: data})
	af, arel := uf.Api().AddStream(ctx, func(a ipfs.UnixFS_addStream_Params) error {
		return a.SetSource(src)
	})
	defer arel()
	res, err := af.Struct()
	if err != nil {
		return nil, ipfsError("add", err)
	}
	id, err := res.Cid()
	if err != nil {
		return nil, ipfsError("add", err)
	}
	return value.MakeString(id), nil
}

func ipfsLs(ctx context.Context, c ipfs.Client, p string) (value.Value, error) {
	uf, urel := c.Unixfs(ctx, nil)
	defer urel()
	lf, lrel := uf.Api().Ls(ctx, func(a ipfs.UnixFS_ls_Params) error { return a.SetPath(p) })
	defer lrel()
	res, err := lf.Struct()
	if err != nil {
		return nil, ipfsError("ls", err)
	}
	ents, err := res.Entries()
	if err != nil {
		return nil, ipfsError("ls", err)
	}
	out := make([]value.Value, 0, ents.Len())
	for i := 0; i < ents.Len(); i++ {
		e := ents.At(i)
		name, _ := e.Name()
		raw, _ := e.Cid()
		id := ""
		if c, err := cid.Cast(raw); err == nil {
			id = c.String()
		}
		out = append(out, value.NewMap(value.KW("name"), value.MakeString(name),
			value.KW("size"), value.MakeInt(int64(e.Size())),
			value.KW("type"), fileType(e.Type() == ipfs.UnixFS_Entry_EntryType_directory),
			value.KW("cid"), value.MakeString(id)))
	}
	return value.NewVector(out...), nil
}

func ipfsResolve(ctx context.Context, c ipfs.Client, p string) (value.Value, error) {
	f, rel := c.ResolvePath(ctx, func(a ipfs.Client_resolvePath_Params) error { return a.SetPath(p) })
	defer rel()
	res, err := f.Struct()
	if err != nil {
		return nil, ipfsError("resolve", err)
	}
	rest, _ := res.Remainder()
	if rest.Len() > 0 {
		return nil, value.NewError("cap-call-failed", "ipfs.resolve failed: notFound: no such path: "+p,
			"cap", "ipfs", "method", "resolve", "code", "notFound")
	}
	resolved, err := res.Resolved()
	if err != nil {
		return nil, ipfsError("resolve", err)
	}
	return value.MakeString(resolved), nil
}

// ipfsError maps a failed call onto Glia's error shapes as the bridge
// does: staleEpoch → :glia.error/epoch-expired, others cap-call-failed
// with the catalogue code.
func ipfsError(method string, err error) error {
	code := errCode(err)
	if code == "staleEpoch" {
		return value.NewError("epoch-expired", "epoch expired for cap 'ipfs'",
			"cap", "ipfs", "method", method, "code", code)
	}
	detail := err.Error()
	if i := strings.Index(detail, code+": "); i >= 0 {
		detail = detail[i:]
	}
	return value.NewError("cap-call-failed", "ipfs."+method+" failed: "+detail,
		"cap", "ipfs", "method", method, "code", code)
}

// bytesSource serves data as a read-only ByteStream (UnixFS.addStream's
// source), in chunks of at most 64 KiB.
type bytesSource struct {
	data []byte
}

func (b *bytesSource) Read(_ context.Context, call system.ByteStream_read) error {
	n := int(call.Args().MaxBytes())
	if n == 0 {
		return errors.New("invalidArgument: maxBytes must be > 0")
	}
	n = min(n, streamChunk, len(b.data))
	res, err := call.AllocResults()
	if err != nil {
		return err
	}
	chunk := b.data[:n]
	b.data = b.data[n:]
	return res.SetData(chunk)
}

func (b *bytesSource) Write(context.Context, system.ByteStream_write) error {
	return errors.New("invalidArgument: stream is read-only")
}

func (b *bytesSource) Close(context.Context, system.ByteStream_close) error { return nil }
