//go:build !wasip1

package shell

// tick is nil on hosts with preemption: an interrupt reaches a running
// evaluation on its own.
func tick() func() { return nil }
