package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/multiformats/go-multiaddr"

	"github.com/wetware/ww/runtime/node"
)

// errDataDirInUse is reported when another node holds the data directory.
var errDataDirInUse = errors.New("data directory in use")

// lockDataDir creates dir (0700) if needed and takes dir/repo.lock, held
// until release is called (§16).
func lockDataDir(dir string) (release func(), err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(dir, "repo.lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	if err := lockFile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("%w: %s", errDataDirInUse, dir)
	}
	return func() { f.Close() }, nil
}

// runFile is <data>/run/<peer-id>.json, the descriptor of a live node that
// `ww shell` reads (§9).
type runFile struct {
	PeerID  string   `json:"peerId"`
	Addrs   []string `json:"addrs"`
	PID     int      `json:"pid"`
	Version string   `json:"version"`
}

// writeRunFile writes the run file of n and returns a function removing it.
func writeRunFile(dir string, n *node.Node) (remove func(), err error) {
	p2p, err := multiaddr.NewComponent("p2p", n.ID().String())
	if err != nil {
		return nil, err
	}
	rf := runFile{PeerID: n.ID().String(), PID: os.Getpid(), Version: version}
	for _, a := range n.Addrs() {
		rf.Addrs = append(rf.Addrs, a.Encapsulate(p2p.Multiaddr()).String())
	}
	data, err := json.MarshalIndent(rf, "", "  ")
	if err != nil {
		return nil, err
	}
	runDir := filepath.Join(dir, "run")
	if err := os.MkdirAll(runDir, 0o700); err != nil {
		return nil, err
	}
	path := filepath.Join(runDir, rf.PeerID+".json")
	if err := os.WriteFile(path, append(data, '\n'), 0o600); err != nil {
		return nil, err
	}
	return func() { os.Remove(path) }, nil
}
