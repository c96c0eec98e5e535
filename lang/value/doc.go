// Package value defines Glia's values: the data the reader produces, the
// analyzer consumes and the evaluator computes with.
//
// Every Glia value is a Go value implementing Value. Scalars are small Go
// types (Int, Float, String, Bool, Nil), keywords are interned pointers,
// symbols carry an optional source position, and the collections (List,
// Vector, Map, Set) are persistent: every update returns a new collection
// sharing structure with the old one. Vectors are 32-way tries with a tail
// (as in Clojure); maps and sets keep insertion order by storing their
// entries in such a vector and indexing them with a hash array mapped trie,
// or with a plain slice while they are small.
//
// Values are created through constructors (MakeInt, NewVector, ...) so that
// representation tricks such as the small-int cache stay invisible. Go's nil
// is never a Glia value: Nil is.
//
// Optional behaviour is probed by type assertion, as in Starlark: a value
// may implement Printer, Equaler or Hasher. Functions that need to call
// back into the evaluator (map, reduce, swap!, ...) receive a Thread.
//
// Errors raised by the language are *Error values wrapping a Glia error
// map (spec section 12); see errors.go.
package value
