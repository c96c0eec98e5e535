package main

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"
)

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version and the commit ww was built from",
		Args:  noArgs,
		RunE: action(func(cmd *cobra.Command, _ []string) error {
			info, _ := debug.ReadBuildInfo()
			fmt.Fprintln(cmd.OutOrStdout(), versionLine(info))
			return nil
		}),
	}
}

// versionLine is "ww <semver> (<git-short>[+dirty])" from the VCS stamp of
// info, or "ww <semver> (unknown)" when there is none (go test,
// -buildvcs=false, or info nil).
func versionLine(info *debug.BuildInfo) string {
	rev, dirty := "", false
	if info != nil {
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
	}
	if rev == "" {
		return fmt.Sprintf("ww %s (unknown)", version)
	}
	if len(rev) > 7 {
		rev = rev[:7]
	}
	if dirty {
		rev += "+dirty"
	}
	return fmt.Sprintf("ww %s (%s)", version, rev)
}
