package wasm_test

import (
	"bufio"
	"io"
	"testing"
	"time"

	"github.com/wetware/ww/runtime/wasm"
)

// TestPollOneoff drives the engine's own poll_oneoff directly (the
// pollprobe guest calls the import with the subscriptions given as
// arguments, userdata 1, 2, … in order) and checks the events it returns.
func TestPollOneoff(t *testing.T) {
	t.Parallel()
	e := newEngine(t, wasm.Config{})
	const hour = "clock:3600000"
	for _, tc := range []struct {
		name string
		subs []string
		act  func(p *wasm.Process) // after "polling"
		want string
	}{
		{"clock fires", []string{"clock:10"}, nil, "errno 0\nevent ud=1 type=0 errno=0 hangup=0\n"},
		{"stdin data", []string{hour, "read:0"}, func(p *wasm.Process) { io.WriteString(p.Stdin(), "x") },
			"errno 0\nevent ud=2 type=1 errno=0 hangup=0\n"},
		{"stdin closed", []string{"read:0", hour}, func(p *wasm.Process) { p.Stdin().Close() },
			"errno 0\nevent ud=1 type=1 errno=0 hangup=1\n"},
		{"stdout writable", []string{"write:1", hour}, nil, "errno 0\nevent ud=1 type=2 errno=0 hangup=0\n"},
		{"other fd ready at once", []string{hour, "read:42"}, nil, "errno 0\nevent ud=2 type=1 errno=0 hangup=0\n"},
		{"absolute clock", []string{"abstime:10"}, nil, "errno 58\n"},
	} {
		p := spawn(t, e, "pollprobe", append([]string{"pollprobe"}, tc.subs...), nil, wasm.SpawnOptions{})
		r := bufio.NewReader(p.Stdout())
		if line, err := r.ReadString('\n'); err != nil || line != "polling\n" {
			t.Fatalf("%s: first line %q %v\nstderr: %s", tc.name, line, err, stderrOf(p))
		}
		if tc.act != nil {
			tc.act(p)
		}
		rest, _ := io.ReadAll(r)
		if code, reason := wait(t, p, 30*time.Second); code != 0 {
			t.Fatalf("%s: exit %d %q\nstderr: %s", tc.name, code, reason, stderrOf(p))
		}
		if string(rest) != tc.want {
			t.Errorf("%s: got\n%s\nwant\n%s", tc.name, rest, tc.want)
		}
	}
}

// TestPollOneoffKill (R4): a guest blocked in poll_oneoff on stdin alone,
// with no timeout, is stopped by Kill.
func TestPollOneoffKill(t *testing.T) {
	t.Parallel()
	e := newEngine(t, wasm.Config{})
	p := spawn(t, e, "pollprobe", []string{"pollprobe", "read:0"}, nil, wasm.SpawnOptions{})
	if line, err := bufio.NewReader(p.Stdout()).ReadString('\n'); err != nil || line != "polling\n" {
		t.Fatalf("first line %q %v", line, err)
	}
	p.Kill()
	if code, reason := wait(t, p, 30*time.Second); code != wasm.ExitKilled || reason != wasm.ReasonKilled {
		t.Fatalf("exit %d %q, want 137 killed", code, reason)
	}
}
