package membrane

import (
	"context"

	"github.com/wetware/ww/capnp/stem"
	"github.com/wetware/ww/runtime/identity"
)

// identityServer serves stem.Identity. signer is guarded.
type identityServer struct {
	g Guard
	m *Membrane
}

func (s *identityServer) Signer(_ context.Context, call stem.Identity_signer) error {
	if err := s.g.Check(); err != nil {
		return err
	}
	domain, err := call.Args().Domain()
	if err != nil {
		return err
	}
	if err := identity.ValidateDomain(domain); err != nil {
		return Errorf(CodeInvalidArgument, "invalid signing domain")
	}
	b := s.m.svc.Identity
	if b == nil {
		return unimplemented("Identity.signer")
	}
	sb, err := b.Signer(domain)
	if err != nil {
		return s.m.coded(context.Background(), err, "Identity.signer", CodeInternal, "signer")
	}
	res, err := call.AllocResults()
	if err != nil {
		return err
	}
	return res.SetSigner(stem.Signer_ServerToClient(&signerServer{g: s.g, m: s.m, s: sb}))
}

// signerServer serves stem.Signer over a host-side signer; guarded by its
// Identity's guard. The key stays in the backend.
type signerServer struct {
	g Guard
	m *Membrane
	s SignerBackend
}

func (s *signerServer) Sign(_ context.Context, call stem.Signer_sign) error {
	if err := s.g.Check(); err != nil {
		return err
	}
	args := call.Args()
	sig, err := s.s.Sign(args.Nonce(), args.EpochSeq())
	if err != nil {
		return s.m.coded(context.Background(), err, "Signer.sign", CodeInternal, "sign")
	}
	res, err := call.AllocResults()
	if err != nil {
		return err
	}
	return res.SetSig(sig)
}
