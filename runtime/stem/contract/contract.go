// Package contract holds the compiled Atom contract (system design §13.1):
// its Solidity source Atom.sol, the standard-JSON compiler input Atom.json
// and the committed artifacts Atom.abi, Atom.bin (creation code) and
// Atom.bin-runtime (deployed code), compiled by the npm solc pinned in
// package.json (0.8.37, optimizer 200 runs, evmVersion cancun).
//
// The artifacts are rebuilt offline, after `npm ci` in this directory, by
//
//	go generate ./runtime/stem/contract
//
// and a test recompiles them when node and the solc package are present
// and requires identical bytes. The Go bindings live in runtime/stem.
package contract

import (
	_ "embed"
	"encoding/hex"
	"fmt"
	"strings"
)

//go:generate node compile.js

// ABI is the contract's JSON ABI.
//
//go:embed Atom.abi
var ABI string

//go:embed Atom.bin
var binHex string

//go:embed Atom.bin-runtime
var binRuntimeHex string

// Bin returns the creation code (constructor arguments not included).
func Bin() ([]byte, error) { return decode("Atom.bin", binHex) }

// BinRuntime returns the code the creation code deploys.
func BinRuntime() ([]byte, error) { return decode("Atom.bin-runtime", binRuntimeHex) }

func decode(name, s string) ([]byte, error) {
	b, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("contract: %s: %w", name, err)
	}
	return b, nil
}
