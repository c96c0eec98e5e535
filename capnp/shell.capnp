# shell.capnp: a Glia session as a capability (design §6.5; new).
#
# The file ID is upstream's later shell file ID, so the Shell type ID
# matches. Shell is exported by pid0 and is not guarded. Errors travel as
# "<code>: <detail>" (design §17).

@0xe70969fa5df97f4b;

using Go = import "/go.capnp";
$Go.package("shell");
$Go.import("github.com/wetware/ww/capnp/shell");

interface Shell {
  eval @0 (text :Text, printNil :Bool)
       -> (result :Text, isError :Bool, exited :Bool, exitCode :Int32);
  # Evaluate the forms of `text` in order, stopping at the first error.
  # `result` holds the output printed during evaluation followed by each
  # form's printed value on its own line (nothing for nil unless
  # `printNil`); on error, the one-line rendering "[tag] message".
  # `(exit [n])` sets `exited` and `exitCode`. Cancelling the call cancels
  # the evaluation and kills any foreground child.

  fork @1 (grants :List(Text)) -> (shell :Shell);
  # A new session whose environment is a child of the root's, holding only
  # the granted capabilities or methods ("<cap>" or "<cap>:<method>";
  # empty means all).

  cwd @2 () -> (path :Text);
  # The session's working directory.

  complete @3 (prefix :Text) -> (candidates :List(Text));
  # Completion candidates for `prefix`.
}
