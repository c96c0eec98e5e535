package image

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Kind says where a mount's source lives.
type Kind int

// The kinds of mount source.
const (
	Local Kind = iota + 1 // a directory or file on the host
	IPFS                  // /ipfs/<cid>[/sub/path]
	IPNS                  // /ipns/<name>[/sub/path], resolved once at boot
)

// String names the kind for logs.
func (k Kind) String() string {
	switch k {
	case Local:
		return "local"
	case IPFS:
		return "ipfs"
	case IPNS:
		return "ipns"
	}
	return "unknown"
}

// Guest paths with special meaning (system design §11, §12).
const (
	// IdentityPath is the guest path whose mount selects the node key.
	// It is never visible in an image.
	IdentityPath = "/etc/identity"
	// ReservedPath is kept for the runtime's RPC channel; nothing may be
	// mounted there and layers cannot provide it.
	ReservedPath = "/dev/ww"
	// Entrypoint is the guest path of pid0's module.
	Entrypoint = "/boot/main.wasm"
)

// Mount is one parsed `ww run [MOUNT]...` argument.
type Mount struct {
	// Kind is where Source lives.
	Kind Kind
	// Source is the host path (after "~/" expansion, otherwise as written)
	// for Local mounts, or the clean /ipfs/<cid>[/sub] or /ipns/<name>[/sub]
	// path for IPFS and IPNS mounts.
	Source string
	// Target is "" for a root layer, else the clean absolute guest path of
	// a targeted mount.
	Target string
}

// Targeted reports whether m is a targeted mount (source:/guest/path)
// rather than a root layer.
func (m Mount) Targeted() bool { return m.Target != "" }

// String gives m in argument form.
func (m Mount) String() string {
	if m.Targeted() {
		return m.Source + ":" + m.Target
	}
	return m.Source
}

// ParseMount parses one mount argument (system design §12):
//
//   - The argument is split at its first ":". If what follows starts with
//     "/", it is a targeted mount source:/guest/path, and an empty source is
//     an error (`mount has empty source`). Otherwise the whole argument,
//     colons included, is the source of a root layer.
//   - A source /ipfs/<cid>[/sub] or /ipns/<name>[/sub] is an IPFS or IPNS
//     path; anything else is a local path, with a leading "~/" (or a bare
//     "~") expanded to the user's home directory.
//   - The guest path is cleaned; "/dev/ww" and anything under it are
//     reserved, and so is anything under "/etc/identity" (a mount at
//     "/etc/identity" itself selects the node key; see [IdentityMount]).
//
// ParseMount only checks syntax: whether a local source exists is checked
// by [Build] (and by [IdentityMount]).
func ParseMount(arg string) (Mount, error) {
	if arg == "" {
		return Mount{}, errors.New("empty mount argument")
	}
	src, target := arg, ""
	if i := strings.IndexByte(arg, ':'); i >= 0 && strings.HasPrefix(arg[i+1:], "/") {
		src, target = arg[:i], path.Clean(arg[i+1:])
		if src == "" {
			return Mount{}, errors.New("mount has empty source")
		}
		if target == ReservedPath || strings.HasPrefix(target, ReservedPath+"/") {
			return Mount{}, fmt.Errorf("mount target is reserved: %s", target)
		}
		if strings.HasPrefix(target, IdentityPath+"/") {
			return Mount{}, fmt.Errorf("mount target is under %s: %s", IdentityPath, target)
		}
	}
	m := Mount{Kind: Local, Source: src, Target: target}
	switch {
	case isNetPath(src, "/ipfs"):
		m.Kind = IPFS
	case isNetPath(src, "/ipns"):
		m.Kind = IPNS
	}
	if m.Kind != Local {
		root, sub, ok := splitNetPath(src)
		if !ok {
			return Mount{}, fmt.Errorf("invalid %s path: %s", m.Kind, src)
		}
		m.Source = root
		if sub != "." {
			m.Source += "/" + sub
		}
		return m, nil
	}
	if src == "~" || strings.HasPrefix(src, "~/") {
		home, err := os.UserHomeDir()
		if err != nil {
			return Mount{}, fmt.Errorf("mount %s: %w", arg, err)
		}
		m.Source = filepath.Join(home, src[1:])
	}
	return m, nil
}

// ParseMounts parses every argument with [ParseMount]; no arguments means
// the current directory, ".".
func ParseMounts(args []string) ([]Mount, error) {
	if len(args) == 0 {
		args = []string{"."}
	}
	ms := make([]Mount, 0, len(args))
	for _, a := range args {
		m, err := ParseMount(a)
		if err != nil {
			return nil, err
		}
		ms = append(ms, m)
	}
	return ms, nil
}

// isNetPath reports whether p is prefix itself or starts with prefix+"/".
func isNetPath(p, prefix string) bool {
	return p == prefix || strings.HasPrefix(p, prefix+"/")
}

// splitNetPath splits /ipfs/<cid>/a/b into "/ipfs/<cid>" and the clean
// relative sub path "a/b" ("." when there is none); ".." in the sub path
// cannot climb above the root. ok is false when <cid> is missing.
func splitNetPath(p string) (root, sub string, ok bool) {
	ns, rest := p[:5], strings.TrimLeft(p[5:], "/")
	name, tail, _ := strings.Cut(rest, "/")
	if name == "" || name == "." || name == ".." {
		return "", "", false
	}
	sub = strings.TrimPrefix(path.Clean("/"+tail), "/")
	if sub == "" {
		sub = "."
	}
	return ns + "/" + name, sub, true
}
