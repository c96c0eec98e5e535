package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
)

// scaffoldMain is the main.go that `ww init` writes: a guest on the
// std/system SDK that calls the executor's echo and prints the reply.
const scaffoldMain = `// Command main is a Wetware guest. Build it with ww build (to
// boot/main.wasm) and boot it with ww run.
package main

import (
	"context"
	"fmt"

	api "github.com/wetware/ww/capnp/system"
	"github.com/wetware/ww/std/system"
)

func main() {
	system.Run(func(ctx context.Context, s *system.Session) error {
		f, release := s.Caps().Executor.Echo(ctx, func(p api.Executor_echo_Params) error {
			return p.SetMessage_("hello from the guest")
		})
		defer release()
		res, err := f.Struct()
		if err != nil {
			return err
		}
		msg, err := res.Response()
		if err != nil {
			return err
		}
		fmt.Println(msg)
		return nil
	})
}
`

// scaffoldInitD is the example boot script: the kernel runs
// etc/init.d/*.glia in byte order, and definitions persist into the shell.
const scaffoldInitD = `;; Boot scripts run in the kernel's root session, in byte order.
(def greeting "hello from init.d")
(println greeting)
`

func newInitCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "init [OPTIONS] [DIR]",
		Short: "Scaffold a Go guest in DIR",
		Long: `Scaffold a Go guest in DIR (created if missing): main.go on the std/system
SDK, bin/ for PATH commands and etc/init.d/ with an example boot script.
Refuses a DIR that has boot/ and never overwrites a file. The guest needs a
module that requires github.com/wetware/ww. ww build DIR, then ww run DIR
boots it; ww run DIR std/kernel boots the kernel instead, which runs
DIR/etc/init.d.`,
		Annotations: map[string]string{
			annArguments: "[DIR]\tDirectory to scaffold [default: .]",
		},
		Args: cobra.MaximumNArgs(1),
		RunE: action(func(cmd *cobra.Command, args []string) error {
			dir := "."
			if len(args) == 1 {
				dir = args[0]
			}
			if err := scaffold(dir); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "initialized %s\n", dir)
			return nil
		}),
	}
}

// scaffoldFiles are the files `ww init` writes, relative to DIR.
var scaffoldFiles = []struct{ name, text string }{
	{"main.go", scaffoldMain},
	{filepath.Join("etc", "init.d", "10-hello.glia"), scaffoldInitD},
}

// scaffold writes the guest skeleton into dir. It fails, writing nothing,
// if dir/boot or one of the files exists.
func scaffold(dir string) error {
	boot := filepath.Join(dir, "boot")
	if ok, err := exists(boot); err != nil {
		return err
	} else if ok {
		return fmt.Errorf("%s exists: %s is already an image", boot, dir)
	}
	for _, f := range scaffoldFiles {
		name := filepath.Join(dir, f.name)
		if ok, err := exists(name); err != nil {
			return err
		} else if ok {
			return fmt.Errorf("%s exists: not overwriting it", name)
		}
	}
	for _, d := range []string{"bin", filepath.Join("etc", "init.d")} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return err
		}
	}
	for _, f := range scaffoldFiles {
		// O_EXCL: never overwrite, even a file created meanwhile.
		w, err := os.OpenFile(filepath.Join(dir, f.name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return err
		}
		_, err = w.WriteString(f.text)
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// exists reports whether path exists (without following a final
// symlink).
func exists(path string) (bool, error) {
	_, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}
