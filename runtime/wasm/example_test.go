package wasm_test

import (
	"context"
	"fmt"
	"os"

	"github.com/wetware/ww/runtime/wasm"
)

// A minimal command module whose _start traps (unreachable).
func ExampleEngine_Spawn() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "wazero-cache-")
	defer os.RemoveAll(dir)

	e, err := wasm.NewEngine(ctx, wasm.Config{CacheDir: dir})
	if err != nil {
		panic(err)
	}
	defer e.Close(ctx)

	p, err := e.Spawn(ctx, trapWasm, nil, nil, wasm.SpawnOptions{})
	if err != nil {
		panic(err)
	}
	defer p.Kill() // releases the host ends of the pipes
	code, reason, _ := p.Wait(ctx)
	fmt.Println(code, reason)

	_, err = e.Spawn(ctx, []byte("not wasm"), nil, nil, wasm.SpawnOptions{})
	fmt.Println(wasm.ErrorCode(err))
	// Output:
	// 134 trap: unreachable
	// invalidWasm
}
