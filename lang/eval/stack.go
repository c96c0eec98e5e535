package eval

import "github.com/wetware/ww/lang/value"

// vstack is the session's value stack, from which function activations
// take their slots. It grows in segments so that slices handed out stay
// valid, and starts small so that a short script touches little memory.
type vstack struct {
	segs [][]value.Value
	cur  int // index of the current segment
	sp   int // next free slot in it
}

// stackMark records a stack position to release back to.
type stackMark struct{ seg, sp int }

const firstSegment = 256

func (vs *vstack) mark() stackMark { return stackMark{vs.cur, vs.sp} }

// alloc reserves n zeroed slots.
func (vs *vstack) alloc(n int) []value.Value {
	if vs.segs == nil {
		vs.segs = [][]value.Value{make([]value.Value, max(firstSegment, n))}
	}
	if vs.sp+n > len(vs.segs[vs.cur]) {
		vs.cur++
		if vs.cur == len(vs.segs) {
			vs.segs = append(vs.segs, make([]value.Value, max(2*len(vs.segs[vs.cur-1]), n)))
		} else if len(vs.segs[vs.cur]) < n {
			vs.segs[vs.cur] = make([]value.Value, n)
		}
		vs.sp = 0
	}
	seg := vs.segs[vs.cur]
	sl := seg[vs.sp : vs.sp+n : vs.sp+n]
	vs.sp += n
	return sl
}

// release pops back to m, clearing what it drops so the collector can
// reclaim the values.
func (vs *vstack) release(m stackMark) {
	for vs.cur > m.seg {
		clear(vs.segs[vs.cur][:vs.sp])
		vs.cur--
		vs.sp = len(vs.segs[vs.cur])
	}
	if vs.sp > m.sp {
		clear(vs.segs[vs.cur][m.sp:vs.sp])
	}
	vs.sp = m.sp
}
