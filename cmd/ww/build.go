package main

import (
	"fmt"

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
			res, err := build.Build(cmd.Context(), dir, output, build.Options{Debug: debug})
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
