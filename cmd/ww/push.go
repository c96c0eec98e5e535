package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/wetware/ww/runtime/image"
	"github.com/wetware/ww/runtime/ipfs"
)

// pushLogEvery is the progress interval when stderr is not a terminal
// (system design §15.3).
const pushLogEvery = 5 * time.Second

// ipfsAPI is the --ipfs-api value, else WW_IPFS_API.
func ipfsAPI(flag string) string {
	if flag != "" {
		return flag
	}
	return os.Getenv("WW_IPFS_API")
}

func newPushCmd() *cobra.Command {
	var cidVersion int
	var api string
	var o stemOptions
	c := &cobra.Command{
		Use:   "push [OPTIONS] [DIR]",
		Short: "Add an image directory to IPFS and print its CID",
		Long: `Add the image directory DIR (it must hold boot/main.wasm) to the blockstore
of the data directory as ipfs add -r does with Kubo's defaults (hidden files
skipped), pin it and print the root CID. A node started on the data
directory announces it. Fails while a node holds the data directory. With
--ipfs-api the external Kubo daemon adds and pins it instead. With --stem the
root CID then becomes the head of that Atom (as ` + "`ww stem set`" + ` does, signed
with the node key); the transaction and new seq are logged on stderr.`,
		Annotations: map[string]string{
			annArguments: "[DIR]\tImage directory [default: .]",
		},
		Args: cobra.MaximumNArgs(1),
		RunE: action(func(cmd *cobra.Command, args []string) error {
			dir := "."
			if len(args) == 1 {
				dir = args[0]
			}
			if cidVersion != 0 && cidVersion != 1 {
				return fmt.Errorf("--cid-version %d: must be 0 or 1", cidVersion)
			}
			if o.stem != "" {
				if _, err := o.contract(); err != nil {
					return err
				}
			}
			c, err := push(cmd.Context(), cmd, dir, ipfsAPI(api), ipfs.ImportOptions{CidVersion: cidVersion})
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), c)
			if o.stem == "" {
				return nil
			}
			head, err := parseHead(c, false)
			if err != nil {
				return err
			}
			tx, seq, err := o.setHead(cmd.Context(), cmd, head)
			if err != nil {
				return fmt.Errorf("push: %s added, head not set: %w", c, err)
			}
			newLogger(cmd.ErrOrStderr()).Info("stem head set", "cid", c, "tx", tx.Hex(), "seq", seq)
			return nil
		}),
	}
	f := c.Flags()
	f.SortFlags = false
	f.IntVar(&cidVersion, "cid-version", 0, "CID version: 0, or 1 with raw leaves (`N`)")
	f.StringVar(&api, "ipfs-api", "", "External Kubo HTTP RPC API to add to (`URL`)")
	f.SetAnnotation("ipfs-api", annEnv, []string{"WW_IPFS_API"})
	o.flags(f)
	return c
}

// push imports dir into the data directory's blockstore and pins it, or
// has the Kubo daemon at api do so.
func push(ctx context.Context, cmd *cobra.Command, dir, api string, opts ipfs.ImportOptions) (string, error) {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("push: no such directory: %s", dir)
	case err != nil:
		return "", fmt.Errorf("push: %w", err)
	case !fi.IsDir():
		return "", fmt.Errorf("push: not a directory: %s", dir)
	}
	if fi, err := os.Stat(filepath.Join(dir, "boot", "main.wasm")); err != nil || !fi.Mode().IsRegular() {
		return "", fmt.Errorf("push: %s: %w", dir, image.ErrNoEntrypoint)
	}
	stderr := cmd.ErrOrStderr()
	var add func(context.Context, string, ipfs.ImportOptions) (string, error)
	if api != "" {
		k, err := ipfs.NewKuboClient(api)
		if err != nil {
			return "", err
		}
		add = k.AddDir
	} else {
		data, err := dataDir(cmd)
		if err != nil {
			return "", err
		}
		unlock, err := lockDataDir(data)
		if err != nil {
			return "", err
		}
		defer unlock()
		n, err := ipfs.New(ctx, nil, ipfs.Config{DataDir: data, Logger: newLogger(stderr)})
		if err != nil {
			return "", err
		}
		defer n.Close()
		add = func(ctx context.Context, dir string, opts ipfs.ImportOptions) (string, error) {
			c, err := n.AddDir(ctx, dir, opts)
			if err != nil {
				return "", err
			}
			return c.String(), nil
		}
	}
	total := treeSize(dir)
	var added atomic.Int64
	opts.Progress = func(k int64) { added.Add(k) }
	done := pushProgress(stderr, dir, total, &added)
	c, err := add(ctx, dir, opts)
	done(err == nil)
	if err != nil {
		return "", fmt.Errorf("push: %w", err)
	}
	return c, nil
}

// treeSize is the byte count of the regular files push adds (hidden
// entries skipped), for progress.
func treeSize(dir string) int64 {
	var total int64
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if p != dir && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				total += fi.Size()
			}
		}
		return nil
	})
	return total
}

// pushProgress reports added bytes as system design §15.3 asks: a bar on
// a terminal at level info or below, redrawn every 100 ms and erased by
// done; otherwise an info line every 5 s and one when done.
func pushProgress(stderr io.Writer, dir string, total int64, added *atomic.Int64) (done func(ok bool)) {
	log := newLogger(stderr)
	if !log.Enabled(context.Background(), slog.LevelInfo) {
		return func(bool) {}
	}
	tty := false
	if f, ok := stderr.(*os.File); ok && isTTY(f) {
		tty = true
	}
	every := pushLogEvery
	if tty {
		every = 100 * time.Millisecond
	}
	stop := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				if tty {
					fmt.Fprintf(stderr, "\r%s pushing %s %s", fractionBar(added.Load(), total), dir, mib(added.Load(), total))
				} else {
					log.Info("pushing", "dir", dir, "added", mib(added.Load(), total))
				}
			}
		}
	}()
	return func(ok bool) {
		close(stop)
		<-finished
		switch {
		case tty:
			fmt.Fprint(stderr, "\r\033[K")
		case ok:
			log.Info("pushed", "dir", dir, "added", mib(added.Load(), total))
		}
	}
}

func mib(n, total int64) string {
	return fmt.Sprintf("%.1f/%.1f MiB", float64(n)/(1<<20), float64(total)/(1<<20))
}

// fractionBar is a 20-cell bar filled in proportion to n/total.
func fractionBar(n, total int64) string {
	const width = 20
	fill := width
	if total > 0 {
		fill = int(min(n, total) * width / total)
	}
	return "[" + strings.Repeat("=", fill) + strings.Repeat(" ", width-fill) + "]"
}
