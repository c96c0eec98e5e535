package eval_test

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wetware/ww/lang/eval"
	"github.com/wetware/ww/lang/value"
	"github.com/wetware/ww/stdlib"
)

func newSession(t testing.TB) (*eval.Session, *bytes.Buffer) {
	t.Helper()
	ip, err := stdlib.NewInterp(stdlib.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	return stdlib.NewSession(ip, &out, nil), &out
}

func evalString(t testing.TB, s *eval.Session, src string) value.Value {
	t.Helper()
	v, err := s.EvalString(src, "test")
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	return v
}

func TestInterruptStopsRunawayLoop(t *testing.T) {
	s, _ := newSession(t)
	go func() {
		time.Sleep(50 * time.Millisecond)
		s.Interrupt()
	}()
	_, err := s.EvalString("(loop [] (recur))", "test")
	if err == nil || !strings.Contains(err.Error(), "interrupted") {
		t.Fatalf("got %v, want an interrupted error", err)
	}
	// The session is still usable, and an interrupt does not leak into the
	// next form.
	if v := evalString(t, s, "(+ 1 2)"); !value.Equal(v, value.MakeInt(3)) {
		t.Fatalf("got %s", value.Repr(v))
	}
}

func TestInterruptStopsRunawayRecursion(t *testing.T) {
	s, _ := newSession(t)
	evalString(t, s, "(defn spin [n] (if (< n 0) n (recur (inc n))))")
	go func() {
		time.Sleep(50 * time.Millisecond)
		s.Interrupt()
	}()
	if _, err := s.EvalString("(spin 0)", "test"); err == nil || !strings.Contains(err.Error(), "interrupted") {
		t.Fatalf("got %v", err)
	}
}

func TestStackOverflowLeavesSessionUsable(t *testing.T) {
	s, _ := newSession(t)
	evalString(t, s, "(defn down [n] (+ 1 (down n)))")
	_, err := s.EvalString("(down 1)", "test")
	if err == nil || !strings.Contains(err.Error(), "[glia.error/stack-overflow] stack depth limit (10000) exceeded") {
		t.Fatalf("got %v", err)
	}
	v := evalString(t, s, "(defn depth [n] (if (= n 0) 0 (+ 1 (depth (dec n))))) (depth 9990)")
	if !value.Equal(v, value.MakeInt(9990)) {
		t.Fatalf("got %s", value.Repr(v))
	}
}

func TestHandlerLimit(t *testing.T) {
	s, _ := newSession(t)
	evalString(t, s, `(defn nest [n] (if (= n 0) :bottom (with-effect-handler :k (fn [d k] (k d)) (nest (dec n)))))`)
	if v := evalString(t, s, "(nest 64)"); !value.Equal(v, value.KW("bottom")) {
		t.Fatalf("got %s", value.Repr(v))
	}
	_, err := s.EvalString("(nest 65)", "test")
	if err == nil || !strings.Contains(err.Error(), "handler stack depth limit (64) exceeded") {
		t.Fatalf("got %v", err)
	}
	// Each frame is removed once: the stack is empty again after a form.
	if v := evalString(t, s, "(nest 64)"); !value.Equal(v, value.KW("bottom")) {
		t.Fatalf("got %s", value.Repr(v))
	}
}

func TestSessionsRunInParallel(t *testing.T) {
	ip, err := stdlib.NewInterp(stdlib.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var out bytes.Buffer
			s := stdlib.NewSession(ip, &out, nil)
			v, err := s.EvalString(`(import "ww/string" :as str)
				(defn fib [n] (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2)))))
				(str/join "," [(fib 15) (with-effect-handler :k (fn [d k] (k (* d 2))) (perform :k 21))])`, "test")
			if err != nil || value.Repr(v) != `"610,42"` {
				t.Errorf("got %v %v", v, err)
			}
		}()
	}
	wg.Wait()
}

func TestCapabilityHandlerByInterface(t *testing.T) {
	s, _ := newSession(t)
	host := &value.Cap{Name: "host", Schema: "cid-host"}
	s.Define("host", host)
	served := 0
	s.Define("host-handler", &value.Builtin{Name: "host-handler", Fn: func(th value.Thread, args []value.Value) (value.Value, error) {
		served++
		call := args[0].(*value.List)
		if call.First() == value.Value(value.KW("id")) {
			return th.Call(args[1], []value.Value{value.String("peer-1")})
		}
		return nil, value.NewError("cap-call-failed", "host."+value.Display(call.First())+" failed: unknown method "+value.Repr(call.First()))
	}})
	v := evalString(t, s, `(with-effect-handler host host-handler [(host id) (host :id) (perform host :id)])`)
	if value.Repr(v) != `["peer-1" "peer-1" "peer-1"]` || served != 3 {
		t.Fatalf("got %s after %d calls", value.Repr(v), served)
	}
	v = evalString(t, s, `(with-effect-handler host host-handler (try (host frob) (catch :glia.error/cap-call-failed e :failed)))`)
	if !value.Equal(v, value.KW("failed")) {
		t.Fatalf("got %s", value.Repr(v))
	}
}

func BenchmarkFib20(b *testing.B) {
	s, _ := newSession(b)
	evalString(b, s, "(defn fib [n] (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2)))))")
	for i := 0; i < b.N; i++ {
		evalString(b, s, "(fib 20)")
	}
}

func BenchmarkLoop1M(b *testing.B) {
	s, _ := newSession(b)
	for i := 0; i < b.N; i++ {
		evalString(b, s, "(loop [i 1 acc 0] (if (> i 1000000) acc (recur (inc i) (+ acc i))))")
	}
}

func BenchmarkPerformResume(b *testing.B) {
	s, _ := newSession(b)
	evalString(b, s, "(defn go [n] (with-effect-handler :k (fn [d k] (k (inc d))) (loop [i 0] (if (< i n) (recur (perform :k i)) i))))")
	b.ResetTimer()
	evalString(b, s, "(go "+itoa(b.N)+")")
}

func BenchmarkTryCatch(b *testing.B) {
	s, _ := newSession(b)
	evalString(b, s, "(defn go [n] (loop [i 0] (if (< i n) (recur (try (throw i) (catch _ e (inc e)))) i)))")
	b.ResetTimer()
	evalString(b, s, "(go "+itoa(b.N)+")")
}

func itoa(n int) string { return value.Repr(value.MakeInt(int64(n))) }

// TestModulesReachTheCallersCapabilities: ww/fs and ww/routing call the
// capability bound in the root of the session evaluating them (spec 16.2),
// under that session's handlers.
func TestModulesReachTheCallersCapabilities(t *testing.T) {
	s, _ := newSession(t)
	s.Define("fs", &value.Cap{Name: "fs", Schema: "test/fs"})
	s.Define("routing", &value.Cap{Name: "routing", Schema: "test/routing"})
	s.Define("ipfs", &value.Cap{Name: "ipfs", Schema: "test/ipfs"})
	echo := &value.Builtin{Name: "echo-handler", Fn: func(th value.Thread, args []value.Value) (value.Value, error) {
		return th.Call(args[1], []value.Value{args[0]})
	}}
	s.Define("echo-handler", echo)
	v := evalString(t, s, `(import "ww/fs" :as wfs)
		(import "ww/routing" :as r)
		(with-effect-handler fs echo-handler
		  (with-effect-handler routing echo-handler
		    (with-effect-handler ipfs echo-handler
		      [(wfs/read-str "/etc/motd") (wfs/exists? "x") (r/find "svc" {:count 2}) (r/provide "svc") (r/resolve "/ipns/k")])))`)
	want := `[(:read-str "/etc/motd") (:exists? "x") (:find "svc" :count 2) (:provide "svc") (:resolve "/ipns/k")]`
	if value.Repr(v) != want {
		t.Fatalf("got %s\nwant %s", value.Repr(v), want)
	}
	// A narrower handler installed by the caller attenuates the module too.
	_, err := s.EvalString(`(with-effect-handler fs (fn [req] (throw (ex-info "read-only" {:type :glia.error/permission-denied})))
		(wfs/read "/etc/motd"))`, "test")
	if err == nil || !strings.Contains(err.Error(), "[glia.error/permission-denied] read-only") {
		t.Fatalf("attenuation: %v", err)
	}
}
