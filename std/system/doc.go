// Package system is the guest SDK of Wetware (system design §5.7): Go
// code compiled for GOOS=wasip1 GOARCH=wasm that reaches the host's
// capabilities over the process's RPC channel (§5.5).
//
// The host announces the channel in the environment: WW_ABI=0 and
// WW_RPC_FD=<fd>, a preopened directory whose entry "rpc" opens to a duplex
// byte stream
// carrying standard Cap'n Proto stream framing. Run dials it, bootstraps
// the host's stem.Membrane, grafts (with a null signer) and hands main a
// Session holding typed clients:
//
//	func main() {
//		system.Run(func(ctx context.Context, s *system.Session) error {
//			f, release := s.Caps().Executor.Echo(ctx, func(p api.Executor_echo_Params) error {
//				return p.SetMessage_("hi")
//			})
//			defer release()
//			...
//		})
//	}
//
// Serve does the same and also exports a capability that the host obtains
// with runtime/wasm's Process.Bootstrap.
//
// The channel descriptor is non-blocking and the SDK retries EAGAIN after
// a sleep that doubles from 50 µs to 20 ms (candidate C of §5.5): wazero's
// poll_oneoff can only wait on stdin, so Go's netpoller cannot wait on the
// channel. Sleeping yields to the Go scheduler, so a goroutine blocked
// reading stdin does not stop RPC in the others.
//
// On any other GOOS the package builds but Run and Serve fail with
// ErrNoChannel.
package system
