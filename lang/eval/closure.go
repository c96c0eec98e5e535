package eval

import (
	"strconv"
	"strings"

	"github.com/wetware/ww/lang/value"
)

// code is an analyzed expression compiled to a Go closure.
type code func(fr *frame) (value.Value, error)

// frame is one function activation: its slots (parameters and locals) and
// the captured values of the running closure.
type frame struct {
	s     *Session
	slots []value.Value
	clo   *Closure
}

// arity is one clause of a function.
type arity struct {
	fixed    int  // number of fixed parameters
	variadic bool // has a rest parameter
	nslots   int  // frame size
	// bind binds parameters from args (already in slots[0:fixed] and the
	// rest list in slots[fixed]) -- nil when all parameters are plain symbols.
	bind func(fr *frame) error
	body code
}

// lambda is the analyzed, shareable part of a fn form.
type lambda struct {
	name    string
	arities []*arity
	// captures says where each captured value comes from in the creating
	// frame: slot index (>= 0) or env index (-1 - i).
	captures []int
	// selfSlot is the env index of the function's own name, or -1.
	selfEnv int
	macro   bool
}

// Closure is a Glia function value.
type Closure struct {
	lam *lambda
	env []value.Value
}

// Kind implements value.Value.
func (c *Closure) Kind() value.Kind {
	if c.lam.macro {
		return value.MacroKind
	}
	return value.FnKind
}

// Name is the function's name ("" if anonymous).
func (c *Closure) Name() string { return c.lam.name }

// Print implements value.Printer.
func (c *Closure) Print(b *strings.Builder) {
	if c.lam.macro {
		b.WriteString("#<macro ")
	} else {
		b.WriteString("#<fn ")
		if c.lam.name != "" {
			b.WriteString(c.lam.name)
			b.WriteByte(' ')
		}
	}
	b.WriteByte('[')
	for i, a := range c.lam.arities {
		if i > 0 {
			b.WriteByte('/')
		}
		b.WriteString(strconv.Itoa(a.fixed))
		if a.variadic {
			b.WriteByte('+')
		}
	}
	b.WriteString("]>")
}

// AcceptsTwo reports whether the function has an arity taking two
// arguments (the handler probe of spec 11.3).
func (c *Closure) acceptsTwo() bool {
	for _, a := range c.lam.arities {
		if (!a.variadic && a.fixed == 2) || (a.variadic && a.fixed <= 2) {
			return true
		}
	}
	return false
}

func (l *lambda) fnName() string {
	switch {
	case l.macro:
		return "macro"
	case l.name != "":
		return l.name
	}
	return "fn"
}

func (l *lambda) arityErr(n int) error {
	var parts []string
	for _, a := range l.arities {
		s := strconv.Itoa(a.fixed)
		if a.variadic {
			s += "+"
		}
		parts = append(parts, s)
	}
	exp := strings.Join(parts, " or ")
	if len(l.arities) == 1 && l.arities[0].variadic {
		exp = "at least " + strconv.Itoa(l.arities[0].fixed)
	}
	return value.ArityError(l.fnName(), exp, n)
}

// pick chooses the arity for n arguments (spec 8.1).
func (l *lambda) pick(n int) *arity {
	for _, a := range l.arities {
		if !a.variadic && a.fixed == n {
			return a
		}
	}
	for _, a := range l.arities {
		if a.variadic && a.fixed <= n {
			return a
		}
	}
	return nil
}

// invoke calls the closure with evaluated arguments.
func (c *Closure) invoke(s *Session, args []value.Value) (value.Value, error) {
	a := c.lam.pick(len(args))
	if a == nil {
		return nil, c.lam.arityErr(len(args))
	}
	base := s.vs.mark()
	slots := s.vs.alloc(a.nslots)
	copy(slots, args[:a.fixed])
	if a.variadic {
		if len(args) > a.fixed {
			slots[a.fixed] = value.NewList(args[a.fixed:]...)
		} else {
			slots[a.fixed] = value.EmptyList
		}
	}
	v, err := c.run(s, a, slots)
	s.vs.release(base)
	return v, err
}

// run executes arity a with its parameters in slots.
func (c *Closure) run(s *Session, a *arity, slots []value.Value) (value.Value, error) {
	if s.depth >= maxDepth {
		return nil, stackOverflow()
	}
	s.depth++
	fr := s.pushFrame(slots, c)
	var v value.Value
	var err error
	if a.bind != nil {
		err = a.bind(fr)
	}
	for err == nil {
		v, err = a.body(fr)
		if err != errRecur {
			break
		}
		if s.stopped() {
			err = interrupted()
			break
		}
		err = nil
		if a.bind != nil {
			err = a.bind(fr)
		}
	}
	s.fp--
	s.depth--
	if e, ok := err.(*value.Error); ok && e.Raised {
		e.Escaped = true
	}
	return v, err
}

func stackOverflow() error {
	return value.NewError("stack-overflow", "stack depth limit (10000) exceeded", "limit", maxDepth)
}

func interrupted() error { return value.NewError("interrupted", "interrupted") }

// pushFrame returns a reusable frame for a new activation; the caller
// decrements s.fp when the activation ends.
func (s *Session) pushFrame(slots []value.Value, c *Closure) *frame {
	if s.fp == len(s.frames) {
		s.frames = append(s.frames, &frame{s: s})
	}
	fr := s.frames[s.fp]
	s.fp++
	fr.slots, fr.clo = slots, c
	return fr
}
