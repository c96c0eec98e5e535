// Command rpcserve is a test guest of the RPC channel (R2): it exports a
// system.Executor whose echo answers "guest: <message>" while main blocks
// reading stdin in another goroutine.
package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"capnproto.org/go/capnp/v3"

	api "github.com/wetware/ww/capnp/system"
	"github.com/wetware/ww/std/system"
)

type executor struct{}

func (executor) RunBytes(context.Context, api.Executor_runBytes) error {
	return fmt.Errorf("unimplemented: runBytes")
}

func (executor) Echo(_ context.Context, call api.Executor_echo) error {
	msg, err := call.Args().Message_()
	if err != nil {
		return err
	}
	res, err := call.AllocResults()
	if err != nil {
		return err
	}
	return res.SetResponse("guest: " + msg)
}

func main() {
	export := capnp.Client(api.Executor_ServerToClient(executor{}))
	system.Serve(export, func(ctx context.Context, s *system.Session) error {
		fmt.Println("serving")
		b, err := io.ReadAll(os.Stdin)
		if err != nil {
			return err
		}
		fmt.Printf("stdin: %q\n", b)
		return nil
	})
}
