// Package epoch holds the node's epoch cell (system design §7.1).
//
// An [Epoch] is one finalized state of the Stem contract: a sequence
// number that only grows, the head it names (a binary CID, or empty) and
// the chain block at which the node adopted it. Without a chain follower
// the epoch stays {0, empty, 0} for the life of the node; tests advance it
// through this package's Go API.
//
// A [Cell] holds the current epoch and broadcasts changes. It is the single
// source of truth for revocation: every capability a graft hands out is
// stamped with the seq current at graft time, and a guarded method fails
// once [Cell.Seq] differs from that stamp (runtime/membrane). Advancing the
// cell is therefore what revokes capabilities; nothing has to be visited or
// torn down.
//
// # Rules
//
//   - seq only grows: [Cell.Advance] (alias [Cell.Set]) ignores an epoch
//     whose Seq is not greater than the current one and reports false.
//   - The producer never blocks. Advance takes a short lock, swaps the
//     value, closes the channel waiters sleep on and offers the new value
//     to each [Subscription] without waiting for it to be received.
//   - Latest value wins. A waiter that wakes up reads the current epoch, not
//     the one that woke it; a subscription's one-slot buffer is overwritten
//     when the consumer is behind, so a slow consumer sees the newest epoch
//     and may skip intermediate ones. Consumers must therefore act on "the
//     epoch is now X", never on "the epoch moved by one".
//
// # Waiting
//
// Three ways to follow the cell, all safe for any number of goroutines:
//
//   - [Cell.Watch] returns the current epoch and a channel that is closed
//     at the next change (the classic close-to-broadcast pattern).
//   - [Cell.Wait] blocks until the seq differs from a given one or the
//     context ends; Membrane.nextEpoch is built on it.
//   - [Cell.Subscribe] returns a [Subscription] whose channel receives the
//     newest epoch after each change; Close it when done.
//
// The zero Cell is ready to use and holds epoch 0.
package epoch
