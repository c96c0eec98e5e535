// Command kernel is pid0 of a Wetware node (system design §8.1): a wasip1
// guest that exports a Shell over its RPC channel, grafts the host's
// Membrane, binds the capabilities in a root shell session (std/shell),
// runs /etc/init.d and then serves the Shell until stdin closes.
//
// Build it with GOOS=wasip1 GOARCH=wasm; on any other platform the command
// only reports that it must run as a guest.
package main
