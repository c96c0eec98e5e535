// Command rpcclient is a test guest of the RPC channel: it grafts, calls
// executor.echo("hi") and host.id() and prints the results.
package main

import (
	"context"
	"encoding/hex"
	"fmt"

	api "github.com/wetware/ww/capnp/system"
	"github.com/wetware/ww/std/system"
)

func main() {
	system.Run(func(ctx context.Context, s *system.Session) error {
		caps := s.Caps()
		ef, release := caps.Executor.Echo(ctx, func(p api.Executor_echo_Params) error {
			return p.SetMessage_("hi")
		})
		defer release()
		er, err := ef.Struct()
		if err != nil {
			return err
		}
		msg, err := er.Response()
		if err != nil {
			return err
		}
		hf, release2 := caps.Host.Id(ctx, nil)
		defer release2()
		hr, err := hf.Struct()
		if err != nil {
			return err
		}
		id, err := hr.PeerId()
		if err != nil {
			return err
		}
		fmt.Println(msg)
		fmt.Println("id:", hex.EncodeToString(id))
		return nil
	})
}
