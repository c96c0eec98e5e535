package stdlib

import "testing"

func TestFn(t *testing.T) {
	collTestCheck(t, []collTestCase{
		{`[(identity 4) ((constantly 7) 1 2) ((constantly 7)) ((complement even?) 3) ((complement nil?) nil)]`, `[4 7 7 true false]`},
		{`(identity)`, `error: [glia.error/arity-mismatch] identity: expected 1 arg(s), got 0`},
		{`(constantly 1 2)`, `error: [glia.error/arity-mismatch] constantly: expected 1 arg(s), got 2`},
		{`[((comp inc inc) 1) ((comp) 5) ((comp inc) 1) ((comp inc +) 1 2 3) ((comp vector inc) 1)]`, `[3 5 2 7 [2]]`},
		{`((comp) 1 2)`, `error: [glia.error/arity-mismatch] identity: expected 1 arg(s), got 2`},
		{`((comp inc boom) 1)`, `error: [glia.error/test] boom`},
		{`((comp 5 inc) 1)`, `error: [glia.error/type-mismatch] call: expected callable, got int`},
		{`[((partial + 1 2) 3 4) ((partial +)) ((partial list 1)) ((partial vector) 1)]`, `[10 0 (1) [1]]`},
		{`(partial)`, `error: [glia.error/arity-mismatch] partial: expected at least 1 arg(s), got 0`},
		{`((partial 1 2))`, `error: [glia.error/type-mismatch] call: expected callable, got int`},
		{`[((juxt inc :a) 1) ((juxt :a :b) {:a 1 :b 2}) ((juxt list) 1 2)]`, `[[2 nil] [1 2] [(1 2)]]`},
		{`[((juxt :a :b) {:a 1 :b 2}) ((juxt list vector) 1 2)]`, `[[1 2] [(1 2) [1 2]]]`},
		{`((juxt boom) 1)`, `error: [glia.error/test] boom`},
		{`(juxt)`, `error: [glia.error/arity-mismatch] juxt: expected at least 1 arg(s), got 0`},
		{`(complement)`, `error: [glia.error/arity-mismatch] complement: expected 1 arg(s), got 0`},
		{`((complement boom))`, `error: [glia.error/test] boom`},
		{`[(comp inc inc) (partial inc 1) (constantly 1) (complement inc) (juxt inc)]`, `[#<native-fn comp> #<native-fn partial> #<native-fn constantly> #<native-fn complement> #<native-fn juxt>]`},
	})
}
