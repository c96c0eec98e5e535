package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// version is the semantic version ww reports. Release builds set it with
// -ldflags "-X main.version=<semver>".
var version = "0.1.0-dev"

// Exit codes (§15.4).
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// Flag annotations read by the usage renderer.
const (
	annEnv     = "ww:env"     // environment variable that supplies the flag
	annDefault = "ww:default" // default as shown to users, when it differs from DefValue
)

// Command annotation listing positional arguments for the Arguments:
// section, one "NAME<TAB>description" per line.
const annArguments = "ww:arguments"

// run executes ww with args (without the program name) and returns the
// exit status. Help and results go to stdout; diagnostics, usage errors
// and progress go to stderr.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRootCmd()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	cmd, err := root.ExecuteC()
	if err == nil {
		return exitOK
	}
	var es exitStatus
	if errors.As(err, &es) {
		return int(es)
	}
	var rf runFailure
	if errors.As(err, &rf) {
		fmt.Fprintf(stderr, "ww: %v\n", rf.error)
		return exitFailure
	}
	// Anything cobra reports itself (unknown command or flag, bad flag
	// value, wrong arguments) is a usage error.
	fmt.Fprintf(stderr, "ww: %v\n\n%s", err, usageText(cmd))
	return exitUsage
}

// runFailure marks an error returned by a command's own work, as opposed
// to a usage error found by cobra while parsing.
type runFailure struct{ error }

func (f runFailure) Unwrap() error { return f.error }

// action adapts a command body so that its errors count as runtime
// failures (exit 1); an exitStatus passes through with its code.
func action(fn func(cmd *cobra.Command, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		err := fn(cmd, args)
		var es exitStatus
		if err == nil || errors.As(err, &es) {
			return err
		}
		return runFailure{err}
	}
}

// noArgs rejects positional arguments.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("unexpected argument %q", args[0])
	}
	return nil
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:     "ww",
		Short:   "Wetware: the peer-to-peer operating system for agents",
		Version: version,

		SilenceErrors: true,
		SilenceUsage:  true,
		CompletionOptions: cobra.CompletionOptions{
			DisableDefaultCmd: true,
		},
	}
	root.SetVersionTemplate("ww {{.Version}}\n")
	root.SetUsageFunc(func(c *cobra.Command) error {
		_, err := io.WriteString(c.ErrOrStderr(), usageText(c))
		return err
	})
	root.SetHelpFunc(func(c *cobra.Command, _ []string) {
		io.WriteString(c.OutOrStdout(), helpText(c))
	})
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return err })

	pf := root.PersistentFlags()
	pf.SortFlags = false
	pf.String("data-dir", "~/.ww", "Data directory (`PATH`)")
	pf.SetAnnotation("data-dir", annEnv, []string{"WW_HOME"})
	pf.BoolP("help", "h", false, "Print help")
	root.Flags().SortFlags = false
	root.Flags().Bool("version", false, "Print version")

	root.AddCommand(newKeygenCmd(), newRunCmd(), newBuildCmd())
	root.AddCommand(newPushCmd())
	root.AddCommand(newShellCmd())
	root.AddCommand(newMCPCmd())
	root.AddCommand(newStemCmd())
	root.AddCommand(newInitCmd())
	root.AddCommand(newVersionCmd())
	return root
}

// dataDir returns the data directory: --data-dir, else WW_HOME, else
// ~/.ww, with a leading ~ expanded.
func dataDir(cmd *cobra.Command) (string, error) {
	f := cmd.Flags().Lookup("data-dir")
	dir := f.Value.String()
	if env := os.Getenv("WW_HOME"); !f.Changed && env != "" {
		dir = env
	}
	if dir == "~" || strings.HasPrefix(dir, "~/") {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("data directory: %w", err)
		}
		dir = filepath.Join(home, dir[1:])
	}
	return dir, nil
}

// helpText is the --help output: the description, then the usage.
func helpText(c *cobra.Command) string {
	desc := c.Long
	if desc == "" {
		desc = c.Short
	}
	if desc == "" {
		return usageText(c)
	}
	return strings.TrimRight(desc, "\n") + "\n\n" + usageText(c)
}

// usageText renders c's usage in the README style: Usage:, Commands:,
// Arguments: and Options:, with [default: …] and [env: …] after a flag's
// description.
func usageText(c *cobra.Command) string {
	var b strings.Builder
	b.WriteString("Usage: " + usageLine(c) + "\n")

	var cmds [][2]string
	for _, sub := range c.Commands() {
		if sub.IsAvailableCommand() {
			cmds = append(cmds, [2]string{sub.Name(), sub.Short})
		}
	}
	writeTable(&b, "Commands:", cmds)

	var argRows [][2]string
	for _, line := range strings.Split(c.Annotations[annArguments], "\n") {
		if name, desc, ok := strings.Cut(line, "\t"); ok {
			argRows = append(argRows, [2]string{name, desc})
		}
	}
	writeTable(&b, "Arguments:", argRows)

	// c.Flags() holds c's own flags in definition order, then those
	// merged from its ancestors; help and version go last.
	c.InheritedFlags() // merges the ancestors' persistent flags
	var rows, tail [][2]string
	c.Flags().VisitAll(func(f *pflag.Flag) {
		switch {
		case f.Hidden:
		case f.Name == "help":
			tail = append([][2]string{flagRow(f)}, tail...)
		case f.Name == "version":
			tail = append(tail, flagRow(f))
		default:
			rows = append(rows, flagRow(f))
		}
	})
	rows = append(rows, tail...)
	writeTable(&b, "Options:", rows)
	return b.String()
}

// usageLine is the synopsis: the command path, [OPTIONS], <COMMAND> when c
// has subcommands, else the rest of c.Use (its arguments).
func usageLine(c *cobra.Command) string {
	parts := []string{c.CommandPath(), "[OPTIONS]"}
	if c.HasAvailableSubCommands() && !c.Runnable() {
		parts = append(parts, "<COMMAND>")
	}
	if _, rest, ok := strings.Cut(c.Use, " "); ok {
		rest = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(rest), "[OPTIONS]"))
		if rest != "" {
			parts = append(parts, rest)
		}
	}
	return strings.Join(parts, " ")
}

// flagRow renders one option: "-h, --help" or "    --output <PATH>" and
// its description with default and environment variable.
func flagRow(f *pflag.Flag) [2]string {
	name, usage := pflag.UnquoteUsage(f)
	left := "    --" + f.Name
	if f.Shorthand != "" {
		left = "-" + f.Shorthand + ", --" + f.Name
	}
	if f.NoOptDefVal == "" { // takes a value
		if name == "" || name == f.Value.Type() {
			name = "VALUE"
		}
		left += " <" + strings.ToUpper(name) + ">"
	}
	// "(`PATH`)" in a usage string only names the value.
	usage = strings.TrimSpace(strings.ReplaceAll(usage, "("+name+")", ""))
	def := f.DefValue
	if v, ok := f.Annotations[annDefault]; ok {
		def = strings.Join(v, ",")
	}
	if def != "" && def != "false" && def != "[]" && f.NoOptDefVal == "" {
		usage += " [default: " + def + "]"
	}
	if v, ok := f.Annotations[annEnv]; ok {
		usage += " [env: " + strings.Join(v, ",") + "]"
	}
	return [2]string{left, usage}
}

// writeTable writes a titled two-column section, or nothing for no rows.
func writeTable(b *strings.Builder, title string, rows [][2]string) {
	if len(rows) == 0 {
		return
	}
	width := 0
	for _, r := range rows {
		width = max(width, len(r[0]))
	}
	b.WriteString("\n" + title + "\n")
	for _, r := range rows {
		if r[1] == "" {
			fmt.Fprintf(b, "  %s\n", r[0])
			continue
		}
		fmt.Fprintf(b, "  %-*s  %s\n", width, r[0], r[1])
	}
}
