package ipfs

import (
	"context"
	"time"

	"github.com/ipfs/boxo/namesys"
	"github.com/ipfs/boxo/path"

	"github.com/wetware/ww/runtime/membrane"
)

// NameTimeout bounds the resolution of an IPNS name.
const NameTimeout = 60 * time.Second

// resolveName resolves an IPNS name (a key's peer id or CID form) through
// the routing system to the path it points at, "/ipfs/<cid>[/…]". DNSLink
// names are not resolved: the node contacts no DNS server on its own.
func (n *Node) resolveName(ctx context.Context, name string) (string, error) {
	if n.routing == nil {
		return "", membrane.Errorf(membrane.CodeUnavailable, "ipns: %s: no routing to resolve names", name)
	}
	p, err := path.NewPath("/ipns/" + name)
	if err != nil {
		return "", membrane.Errorf(membrane.CodeInvalidArgument, "ipns: %v", err)
	}
	ctx, cancel := context.WithTimeout(ctx, NameTimeout)
	defer cancel()
	res, err := namesys.NewIPNSResolver(n.routing).Resolve(ctx, p)
	if err != nil {
		return "", n.fetchErr(ctx, err)
	}
	return res.Path.String(), nil
}
