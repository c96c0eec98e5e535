// Command rpcepoch is a test guest of the RPC channel: its capabilities
// fail after an epoch advance (signalled by a line on stdin) and work again
// after a re-graft.
package main

import (
	"bufio"
	"context"
	"fmt"
	"os"

	api "github.com/wetware/ww/capnp/system"
	"github.com/wetware/ww/std/system"
)

func echo(ctx context.Context, e api.Executor, msg string) (string, error) {
	f, release := e.Echo(ctx, func(p api.Executor_echo_Params) error {
		return p.SetMessage_(msg)
	})
	defer release()
	res, err := f.Struct()
	if err != nil {
		return "", err
	}
	return res.Response()
}

func main() {
	system.Run(func(ctx context.Context, s *system.Session) error {
		got, err := echo(ctx, s.Caps().Executor, "one")
		fmt.Println("before:", got, err)
		if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
			return err
		}
		got, err = echo(ctx, s.Caps().Executor, "two")
		fmt.Println("stale:", got, err)
		if _, err := s.Graft(ctx); err != nil {
			return err
		}
		got, err = echo(ctx, s.Caps().Executor, "three")
		fmt.Println("after:", got, err)
		return nil
	})
}
