// Command rpcblock is a test guest of the RPC channel (R4): it blocks in
// Membrane.nextEpoch, a long poll over the channel, until it is killed.
package main

import (
	"context"
	"fmt"

	"github.com/wetware/ww/capnp/stem"
	"github.com/wetware/ww/std/system"
)

func main() {
	system.Run(func(ctx context.Context, s *system.Session) error {
		fmt.Println("blocked")
		for {
			f, release := s.Membrane.NextEpoch(ctx, func(p stem.Membrane_nextEpoch_Params) error {
				p.SetAfter(0)
				return nil
			})
			_, err := f.Struct()
			release()
			if err != nil {
				return err
			}
		}
	})
}
