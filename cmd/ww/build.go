package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/wetware/ww/runtime/build"
)

func newBuildCmd() *cobra.Command {
	var output string
	var debug bool
	c := &cobra.Command{
		Use:   "build [OPTIONS] [DIR]",
		Short: "Build a Go guest to DIR/boot/main.wasm",
		Long: `Build the Go main package in DIR for GOOS=wasip1 GOARCH=wasm (CGO_ENABLED=0,
-trimpath, stripped unless --wasm-debug) to DIR/boot/main.wasm, or --output.
Needs go on PATH or WW_GO. Prints the path, size and CID of the module.`,
		Annotations: map[string]string{
			annArguments: "[DIR]\tGo main package [default: .]",
		},
		Args: cobra.MaximumNArgs(1),
		RunE: action(func(cmd *cobra.Command, args []string) error {
			dir := "."
			if len(args) == 1 {
				dir = args[0]
			}
			opts := build.Options{Debug: debug}
			done := buildProgress(cmd.ErrOrStderr(), dir, &opts)
			res, err := build.Build(cmd.Context(), dir, output, opts)
			done()
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), res)
			return nil
		}),
	}
	f := c.Flags()
	f.SortFlags = false
	f.StringVarP(&output, "output", "o", "", "Write the module to `PATH`")
	f.SetAnnotation("output", annDefault, []string{"DIR/boot/main.wasm"})
	f.BoolVar(&debug, "wasm-debug", false, "Keep DWARF and symbols")
	return c
}

// buildProgress sets opts.Progress as system design §15.3 asks: on a
// terminal (at log level info or below) a bar on stderr redrawn every
// 100 ms, which done erases; otherwise an info log line every 5 s.
func buildProgress(stderr io.Writer, dir string, opts *build.Options) (done func()) {
	log := newLogger(stderr)
	if !log.Enabled(context.Background(), slog.LevelInfo) {
		return func() {}
	}
	if f, ok := stderr.(*os.File); ok && isTTY(f) {
		opts.ProgressEvery = 100 * time.Millisecond
		opts.Progress = func(d time.Duration) {
			fmt.Fprintf(stderr, "\r%s building %s %.1fs", progressBar(d), dir, d.Seconds())
		}
		return func() { fmt.Fprint(stderr, "\r\033[K") }
	}
	opts.Progress = func(d time.Duration) {
		log.Info("building", "dir", dir, "elapsed", d.Round(time.Second))
	}
	return func() {}
}

// progressBar is an indeterminate bar: a block bouncing across 20 cells,
// one cell per 100 ms.
func progressBar(d time.Duration) string {
	const width, block = 20, 4
	span := width - block
	pos := int(d/(100*time.Millisecond)) % (2 * span)
	if pos > span {
		pos = 2*span - pos
	}
	return "[" + strings.Repeat(" ", pos) + strings.Repeat("=", block) + strings.Repeat(" ", span-pos) + "]"
}

// buildCached is how `ww run` builds a root layer that is a Go main
// package (system design §12): through cacheDir (<data>/cache/build),
// keyed by source hash, so an unchanged source is not built again, with
// an info line when the build starts and every 5 s.
func buildCached(ctx context.Context, src, out, cacheDir string, debug bool, log *slog.Logger) (build.Result, error) {
	opts := build.Options{
		Debug: debug,
		Progress: func(d time.Duration) {
			log.Info("building", "dir", src, "elapsed", d.Round(time.Second))
		},
	}
	res, hit, err := build.Cached(ctx, src, out, cacheDir, opts)
	if err == nil && hit {
		log.Info("build cached", "dir", src)
	}
	return res, err
}
