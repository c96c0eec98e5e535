package identity_test

import (
	"fmt"

	"github.com/wetware/ww/runtime/identity"
)

// The host signs a Terminal challenge; the Terminal verifies it and checks
// the payload against the challenge it issued.
func Example() {
	key, err := identity.Parse([]byte("11111111111111111111111111111112"))
	if err != nil {
		panic(err)
	}
	fmt.Println("peer:", key.PeerID())
	fmt.Println("address:", key.EthereumAddress())

	signer, err := key.Signer(identity.TerminalDomain)
	if err != nil {
		panic(err)
	}
	envelope, err := signer.Sign(12345, 7)
	if err != nil {
		panic(err)
	}
	id, payload, err := identity.Verify(identity.TerminalDomain, envelope)
	if err != nil {
		panic(err)
	}
	fmt.Println("signed by node:", id == key.PeerID())
	fmt.Printf("payload: %x\n", payload)
	fmt.Println("matches challenge:", string(payload) == string(identity.Challenge(12345, 7)))
	// Output:
	// peer: 16Uiu2HAm3cuhhRL2msUuLF62KRSfneFDx94RsuouyW25Ho42cFMq
	// address: 0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf
	// signed by node: true
	// payload: 00000000000030390000000000000007
	// matches challenge: true
}
