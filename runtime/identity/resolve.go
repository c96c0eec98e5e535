package identity

import (
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
)

// FileName is the name of the default key file inside the data directory.
const FileName = "identity"

// SourceKind says where Resolve found a key.
type SourceKind int

// The places a key can come from, in the order Resolve tries them.
const (
	FromFlag    SourceKind = iota + 1 // the --identity flag
	FromEnv                           // the WW_IDENTITY variable
	FromDataDir                       // <data-dir>/identity
	Ephemeral                         // generated in memory, never saved
)

// Source describes where a resolved key came from.
type Source struct {
	Kind SourceKind
	Path string // the key file; empty for Ephemeral
}

// String describes the source for logs, e.g. "--identity /etc/ww/key" or
// "ephemeral".
func (s Source) String() string {
	switch s.Kind {
	case FromFlag:
		return "--identity " + s.Path
	case FromEnv:
		return "WW_IDENTITY " + s.Path
	case FromDataDir:
		return s.Path
	case Ephemeral:
		return "ephemeral"
	}
	return "unknown"
}

// Resolve selects the node key (system design §11): the file named by
// flagPath (the --identity flag), else by envPath (the value of
// WW_IDENTITY), either of which must exist; else <dataDir>/identity if it
// exists; else a new in-memory key, logged as a warning because remote
// Terminal logins then succeed only for --authorized-peer keys. Empty
// arguments are skipped. Errors read `identity: <path>: <reason>`.
func Resolve(flagPath, envPath, dataDir string) (*Key, Source, error) {
	for _, c := range []Source{{FromFlag, flagPath}, {FromEnv, envPath}} {
		if c.Path == "" {
			continue
		}
		k, err := Load(c.Path)
		if err != nil {
			return nil, Source{}, err
		}
		return k, c, nil
	}
	if dataDir != "" {
		p := filepath.Join(dataDir, FileName)
		_, err := os.Stat(p)
		switch {
		case err == nil:
			k, err := Load(p)
			if err != nil {
				return nil, Source{}, err
			}
			return k, Source{FromDataDir, p}, nil
		case !errors.Is(err, fs.ErrNotExist):
			return nil, Source{}, pathError(p, err)
		}
	}
	k, err := Generate()
	if err != nil {
		return nil, Source{}, err
	}
	slog.Warn("identity: no key file; using an ephemeral key (remote login only for --authorized-peer keys; create one with `ww keygen --output <data-dir>/identity`)",
		"peer", k.PeerID())
	return k, Source{Kind: Ephemeral}, nil
}
