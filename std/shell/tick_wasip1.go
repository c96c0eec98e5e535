//go:build wasip1

package shell

import "time"

// tick returns the evaluator's Tick hook for a session in the kernel. A
// wasm guest has no preemption: while a Glia loop runs, the goroutine that
// reads the RPC channel never does, so a cancelled Shell.eval could not
// interrupt it. At most every 10 ms the hook sleeps briefly; only a sleep
// lets the Go scheduler block in poll_oneoff and read the channel
// (runtime.Gosched would just resume the loop).
func tick() func() {
	var last time.Time
	return func() {
		if now := time.Now(); now.Sub(last) >= 10*time.Millisecond {
			time.Sleep(100 * time.Microsecond)
			last = time.Now()
		}
	}
}
