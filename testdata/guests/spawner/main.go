// Command spawner is a test guest of Executor.runBytes. It reads a child
// module from stdin (until EOF), then, by argv[1]:
//
//   - "drop": spawns the child (argv "loop sleep"), prints "spawned",
//     releases the Process capability, checks with a host.id round trip
//     that the release reached the host, prints "released" and sleeps
//     until killed;
//   - "bomb": spawns children, keeping every one, until a spawn fails;
//     prints "refused after N: <error>", then "id ok" once host.id still
//     answers, and exits 0 (releasing every child).
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"capnproto.org/go/capnp/v3"

	api "github.com/wetware/ww/capnp/system"
	"github.com/wetware/ww/std/system"
)

func spawn(ctx context.Context, exec api.Executor, child []byte) (api.Process, capnp.ReleaseFunc, error) {
	f, release := exec.RunBytes(ctx, func(p api.Executor_runBytes_Params) error {
		if err := p.SetWasm(child); err != nil {
			return err
		}
		args, err := p.NewArgs(2)
		if err != nil {
			return err
		}
		args.Set(0, "loop")
		return args.Set(1, "sleep")
	})
	res, err := f.Struct()
	if err != nil {
		release()
		return api.Process{}, nil, err
	}
	return res.Process(), release, nil
}

func hostID(ctx context.Context, s *system.Session) error {
	f, release := s.Caps().Host.Id(ctx, nil)
	defer release()
	_, err := f.Struct()
	return err
}

func main() {
	child, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "spawner:", err)
		os.Exit(1)
	}
	system.Run(func(ctx context.Context, s *system.Session) error {
		exec := s.Caps().Executor
		switch os.Args[1] {
		case "drop":
			_, release, err := spawn(ctx, exec, child)
			if err != nil {
				return err
			}
			fmt.Println("spawned")
			release()
			if err := hostID(ctx, s); err != nil {
				return err
			}
			fmt.Println("released")
			for {
				time.Sleep(time.Hour)
			}
		case "bomb":
			var releases []capnp.ReleaseFunc
			for {
				_, release, err := spawn(ctx, exec, child)
				if err != nil {
					fmt.Printf("refused after %d: %v\n", len(releases), err)
					break
				}
				releases = append(releases, release)
			}
			if err := hostID(ctx, s); err != nil {
				return err
			}
			fmt.Println("id ok")
			for _, r := range releases {
				r()
			}
			return nil
		}
		return fmt.Errorf("unknown mode %q", os.Args[1])
	})
}
