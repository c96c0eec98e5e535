// Package eval analyzes Glia forms and evaluates them.
//
// # Pipeline
//
// A top-level form is first macroexpanded and analyzed (analyze.go,
// special.go, pattern.go): special forms are checked for shape, symbols are
// resolved to frame slots (locals), captured values (closed-over locals) or
// *Var references (globals), and recur is checked for tail position. The
// analyzer's output is a tree of Go closures (type code) that the evaluator
// runs directly: there is no map lookup per local access and no environment
// chain at run time.
//
// # Frames and closures
//
// Locals are immutable, so a closure captures the values of the locals it
// uses when it is created (closure conversion); a function activation then
// needs nothing but a flat slot array, which is carved out of a per-session
// value stack and released on return, so calls do not allocate frames.
// Globals are late bound: a reference holds the *Var of the session root
// (created unbound if need be) and, when the name exists there, the core
// layer's *Var, and reads them at each use, so forward references, named
// recursion and redefinitions work (spec 5.2).
//
// # Effects
//
// Handlers form an immutable linked stack per session. perform searches it
// and runs the handler on top of the Go stack of the performer with the
// visible stack cut down to the handler's outside (deep handlers). Because
// continuations are one-shot and resume ends the handler at once, resume is
// an unwinding signal that travels back to the perform; a handler that
// returns without resuming unwinds the computation to its
// with-effect-handler form. No goroutines are needed. Runtime errors are
// delivered as :glia.exception effects at the point where they are raised,
// so try, try-resume and hand-written handlers see every error; an error
// nobody handles travels up as a plain Go error and ends the top-level form.
package eval
