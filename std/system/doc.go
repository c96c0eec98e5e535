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
// The channel descriptor is registered with the host's
// ww.register_channel import, made non-blocking and wrapped with
// os.NewFile, so Go's netpoller owns it: a goroutine waiting for the host
// parks, and when every goroutine waits the guest blocks in the host's
// poll_oneoff, which waits on the channel and stdin with poll(2) (system
// design §5.5, mechanism A′). A goroutine blocked reading stdin therefore
// does not stop RPC in the others, and an idle guest uses no CPU.
//
// On any other GOOS the package builds but Run and Serve fail with
// ErrNoChannel.
package system
