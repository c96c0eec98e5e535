// Package image builds the read-only tree a node's pid0 sees at "/" from
// the `ww run [MOUNT]...` arguments (system design §12, with the identity
// rules of §11). It is host side: nothing here is compiled into guests.
//
// # Mount arguments
//
// [ParseMount] reads one argument. It is split at its first ":"; if what
// follows starts with "/", the argument is a targeted mount
// source:/guest/path, otherwise the whole argument is a root layer. A
// source is a local directory or file (a leading "~/" is expanded), an
// /ipfs/<cid>[/sub] path or an /ipns/<name>[/sub] path. [ParseMounts]
// parses a list; no arguments means ".". Errors carry the exact texts of
// §12, which `ww` prints as `ww: <message>`:
//
//	empty mount argument
//	mount has empty source
//	mount source not found: <path>
//	ipfs mounts need an IPFS node
//	image has no boot/main.wasm [(hint: …)]
//	/etc/identity mount conflicts with --identity
//
// # Layers and merging
//
// [Build] stacks layers bottom to top: Options.Base (the stem head, an
// IPFS path), the root layers in argument order, then the targeted mounts
// in argument order, wherever they appear among the arguments. A root layer
// is a directory mapped at "/"; a targeted mount maps a directory or a
// single file at its guest path, and its ancestors become directories.
//
// Lookups go one path element at a time. At each element the topmost layer
// that has the name decides: a regular file is the answer by itself
// (hiding any directory below it, and everything beneath that directory);
// a directory is merged with the directories of the layers below it, down
// to the first layer that has a file there (hiding any file below it).
// Layers that lack the name are skipped. Nothing is copied and there are
// no deletions (whiteouts) in v1. Directory listings are the union of the
// merged layers' names, each resolved as a lookup would and sorted.
//
// Only regular files and directories appear; devices, pipes and sockets in
// a local layer are skipped. Permissions lose their write bits and FileInfo
// carries no host data (Sys is nil).
//
// # Local layers and symbolic links
//
// Local layers are read in place through an os.Root opened on the source
// (after the source path's own links are resolved on the host), so a
// symbolic link inside a layer is followed only while it stays inside that
// layer: a relative link that climbs out of it, and every absolute link,
// is refused with [ErrSymlinkEscape] (which also matches fs.ErrPermission).
// A refused name still occupies its path in its layer (it hides what
// earlier layers have there) but is left out of listings.
//
// # IPFS layers
//
// /ipfs/ and /ipns/ layers are opened through a [Fetcher] (the IPFS node);
// without one, Build fails with `ipfs mounts need an IPFS node`. The
// fetched tree is looked up with the same rules; the Fetcher is trusted to
// keep its links inside its tree.
//
// # Identity and reserved paths
//
// A mount targeting /etc/identity is not part of the image: it selects the
// node key ([IdentityMount], [Image.Identity]), must be a local file, and
// conflicts with --identity. /etc/identity coming from any layer (a root
// layer's etc/identity, or a directory mounted at /etc) is masked: it never
// resolves and is never listed, so the key cannot reach a guest. /dev/ww is
// reserved for the runtime's RPC channel: no mount may target it and layers
// cannot provide it.
//
// # Guest view
//
// An [Image] implements fs.FS, fs.StatFS, fs.ReadDirFS and fs.ReadFileFS
// over guest paths written without their leading "/" (io/fs names: "." is
// "/", "boot/main.wasm" is /boot/main.wasm). It has no write methods; open
// files expose only Read, ReadAt, Seek, Stat and Close. Build requires
// /boot/main.wasm, pid0's entrypoint ([ErrNoEntrypoint]), and hints at it
// when only /bin/main.wasm exists.
package image
