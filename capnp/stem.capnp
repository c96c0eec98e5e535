# stem.capnp: epochs, signing, the Membrane and the Terminal (design §6.2,
# §7).
#
# File ID, declaration names, nesting and method ordinals are those of the
# seed schema, so every type ID is unchanged; additions take new ordinals
# and appended fields only.
#
# Errors travel as "<code>: <detail>" (design §17). GUARDED methods fail
# with exactly "staleEpoch: session epoch no longer current" once the
# epoch differs from the one they were issued under (design §7.2).

@0x9bce094a026970c4;

using Go = import "/go.capnp";
$Go.package("stem");
$Go.import("github.com/wetware/ww/capnp/stem");

using System = import "system.capnp";
using Ipfs = import "ipfs.capnp";
using Routing = import "routing.capnp";

struct Epoch {
  # One finalized state of the Stem contract.
  seq          @0 :UInt64;  # only grows
  head         @1 :Data;    # binary CID, or empty
  adoptedBlock @2 :UInt64;  # chain block at which it was adopted
}

interface Signer {
  sign @0 (nonce :UInt64, epochSeq :UInt64) -> (sig :Data);
  # GUARDED. A libp2p signed envelope over nonce_be || epochSeq_be, sealed
  # with the node key under this signer's domain (payload type
  # /<domain>/challenge). `epochSeq` is new.
}

interface Identity {
  signer @0 (domain :Text) -> (signer :Signer);
  # GUARDED. A Signer for `domain` (1-64 characters of [a-z0-9.-],
  # alphanumeric first; otherwise "invalidArgument: invalid signing
  # domain").
}

interface Membrane {
  # Not guarded: holding a Membrane is the authority to graft.

  graft @0 (signer :Signer) -> (identity :Identity,
                                host     :System.Host,
                                executor :System.Executor,
                                ipfs     :Ipfs.Client,
                                routing  :Routing.Routing);
  # Fresh capability objects stamped with the current epoch. `signer` may
  # be null and is ignored; gating access is the Terminal's job.

  nextEpoch @1 (after :UInt64) -> (epoch :Epoch);
  # (new) Long poll: returns as soon as the epoch seq differs from
  # `after`, otherwise the unchanged epoch after 60 s. Exempt from the
  # call timeout.
}

interface Terminal(Session) {
  # (new) Challenge-response gate in front of a Session capability
  # (typically a Membrane). Not guarded.

  login @0 (signer :Signer) -> (session :Session);
  # Ask `signer` to sign a fresh nonce bound to the current epoch, verify
  # the envelope under the ww-terminal-membrane domain and check the key
  # against the allow set; fails with "unauthorized: ..." (design §7.6).
}
