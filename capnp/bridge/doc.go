// Package bridge turns Cap'n Proto clients into Glia capability values and
// Glia method calls into RPC calls.
//
// The bridge is driven by the schemas themselves: the generated packages
// embed their compiled schema nodes, and Registry decodes them so that any
// interface's methods, parameter structs and result structs are known at
// run time. A call (cap method arg …) then becomes a dynamic RPC: the
// method is found by its kebab-case name (findProviders is
// :find-providers), positional arguments fill the parameter fields in
// declaration order (trailing :field value pairs name them), and the
// results come back as Glia values: Text as strings, Data as bytes, lists
// as vectors, structs as maps with kebab-case keywords, capabilities as
// capability values. A result struct with one field yields that field's
// value; with none, nil.
//
// A capability value carries the interface's schema identity, the CID of
// its canonical schema node, so that equality and effect-handler matching
// follow the interface (Glia spec 4.2, 11.1). Failures map onto Glia's
// error shapes (spec 15.2): an unknown method, a failed call with the
// host's error code, an expired epoch (staleEpoch), wrong argument counts
// and types.
//
// The help text of a capability is generated from its schema, so it
// cannot drift from what the capability actually serves.
package bridge
