package eval

import (
	"strings"

	"github.com/wetware/ww/lang/value"
)

// hframe is one installed effect handler. The stack is an immutable linked
// list, so hiding the inside of a handler while it runs (deep handlers,
// spec 11.3) is a matter of pointing the session at its parent.
type hframe struct {
	target  value.Value // *value.Keyword or *value.Cap
	handler value.Value
	parent  *hframe
	n       int // frames in the stack up to and including this one
	depth   int // the session's call depth where it was installed
	// oneShotAbort is set for try's exception handler: it always abandons.
	try bool
}

const maxHandlers = 64

var kwException = value.KW("glia.exception")

// unwind abandons the computation up to the with-effect-handler that
// installed target. Either the handler already ran (val is the result) or,
// for handlers that take only the data, it runs once unwinding is done.
type unwind struct {
	target      *hframe
	val         value.Value
	callHandler bool
	data        value.Value
}

func (*unwind) Error() string { return "unwind" }

// continuation is the one-shot resume of a suspended perform.
type continuation struct {
	active bool
}

// resumeSig carries a resumed value back to its perform.
type resumeSig struct {
	k   *continuation
	val value.Value
}

func (*resumeSig) Error() string { return "resume" }

func matches(h *hframe, target value.Value) bool {
	switch t := target.(type) {
	case *value.Keyword:
		return h.target == value.Value(t)
	case *value.Cap:
		c, ok := h.target.(*value.Cap)
		return ok && c.Schema == t.Schema
	}
	return false
}

// raise delivers a freshly created error as a :glia.exception effect at the
// point where it occurred (spec 12.1). Control signals and errors already
// delivered pass through unchanged.
func (s *Session) raise(err error, pos *value.Pos) (value.Value, error) {
	e, ok := err.(*value.Error)
	if !ok {
		return nil, err
	}
	if e.Raised {
		if e.Escaped && pos != nil {
			// The error comes out of a function: report the call made here,
			// remembering where it came from.
			if e.Pos != nil {
				e.Trace = append(e.Trace, *e.Pos)
			}
			e.Pos, e.Escaped = pos, false
		}
		return nil, err
	}
	if e.Pos == nil {
		e.Pos = pos
	}
	e.Raised = true
	return s.performErr(kwException, e.Val, pos, e)
}

// perform runs the effect (spec 11.1).
func (s *Session) perform(target, data value.Value, pos *value.Pos) (value.Value, error) {
	return s.performErr(target, data, pos, nil)
}

func (s *Session) performErr(target, data value.Value, pos *value.Pos, orig *value.Error) (value.Value, error) {
	for h := s.handlers; h != nil; h = h.parent {
		if matches(h, target) {
			return s.runHandler(h, target, data, pos)
		}
	}
	if target == value.Value(kwException) {
		if orig != nil {
			return nil, orig
		}
		return nil, &value.Error{Val: data, Pos: pos, Raised: true}
	}
	var e *value.Error
	if c, ok := target.(*value.Cap); ok {
		var call []string
		value.Each(data, func(x value.Value) bool { call = append(call, value.Repr(x)); return true })
		e = value.NewError("unhandled-effect", "no handler for cap "+c.Name+", call ("+strings.Join(call, " ")+")",
			"effect", c, "data", data)
	} else {
		e = value.NewError("unhandled-effect", "no handler for "+value.Repr(target)+", data "+value.Repr(data),
			"effect", target, "data", data)
	}
	return s.raise(e, pos)
}

// runHandler runs handler h for data on top of the performer's stack.
//
// A native handler is the host serving the effect (a capability call, spec
// 15.2): when it fails, the failure is raised where the perform happened,
// so that it is an ordinary error that code around the call can catch.
func (s *Session) runHandler(h *hframe, target, data value.Value, pos *value.Pos) (value.Value, error) {
	twoArgs := !h.try
	switch f := h.handler.(type) {
	case *Closure:
		if !f.lam.macro {
			twoArgs = twoArgs && f.acceptsTwo()
		}
	case *value.Builtin:
	default:
		if h.try {
			break
		}
		return s.raise(value.TypeError("with-effect-handler handler", "function", f), nil)
	}
	if !twoArgs {
		return nil, &unwind{target: h, callHandler: true, data: data}
	}
	savedH, savedDepth := s.handlers, s.depth
	s.handlers, s.depth = h.parent, h.depth
	k := &continuation{active: true}
	savedT := s.target
	s.target = target
	v, err := s.apply(h.handler, []value.Value{data, &value.Builtin{Name: "resume", Fn: k.resume}})
	s.handlers, s.depth, s.target = savedH, savedDepth, savedT
	wasActive := k.active
	k.active = false
	if err != nil {
		if r, ok := err.(*resumeSig); ok && r.k == k {
			return r.val, nil
		}
		if _, native := h.handler.(*value.Builtin); native {
			return s.raise(err, pos)
		}
		return nil, err
	}
	if !wasActive {
		return v, nil
	}
	return nil, &unwind{target: h, val: v}
}

func (k *continuation) resume(_ value.Thread, args []value.Value) (value.Value, error) {
	if len(args) != 1 {
		return nil, value.ArityError("resume", "1", len(args))
	}
	if !k.active {
		return nil, value.NewError("continuation", "continuation no longer active")
	}
	k.active = false
	return nil, &resumeSig{k: k, val: args[0]}
}

// install pushes a handler frame; the caller restores s.handlers.
func (s *Session) install(target, handler value.Value, try bool) (*hframe, error) {
	n := 1
	if s.handlers != nil {
		n = s.handlers.n + 1
	}
	if n > maxHandlers {
		return nil, value.NewError("stack-overflow", "with-effect-handler: handler stack depth limit (64) exceeded", "limit", maxHandlers)
	}
	h := &hframe{target: target, handler: handler, parent: s.handlers, n: n, depth: s.depth, try: try}
	s.handlers = h
	return h, nil
}

// handle runs body under handler frame h, which the caller installed, and
// settles an unwind aimed at it.
func (s *Session) handle(h *hframe, fr *frame, body code) (value.Value, error) {
	saved := h.parent
	base, fp := s.vs.mark(), s.fp
	v, err := body(fr)
	s.handlers = saved
	if err == nil {
		return v, nil
	}
	u, ok := err.(*unwind)
	if !ok || u.target != h {
		return nil, err
	}
	s.fp = fp
	s.vs.release(base)
	if !u.callHandler {
		return u.val, nil
	}
	return s.apply(h.handler, []value.Value{u.data})
}

// PerformTarget is the keyword or capability of the perform whose handler
// is running. A native handler serving every capability of an interface
// uses it to find the instance that was called.
func (s *Session) PerformTarget() value.Value {
	if s.target == nil {
		return value.Nil
	}
	return s.target
}
