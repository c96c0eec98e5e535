// Package mcp serves a node's kernel shell over the Model Context Protocol
// (system design §14), so that an agent drives the OS the way a person
// does at the shell.
//
// The model: a Server holds the kernel's root Shell capability (exported
// by pid0). Every MCP session gets its own Shell.fork(grants), made on
// the session's first tool call and released when the session ends, so
// definitions never leak between sessions and each session holds exactly
// the capabilities (and methods) it was granted; the kernel enforces the
// grants. Two tools are offered: eval evaluates Glia text in the
// session's shell (Shell.eval with printNil), and describe documents the
// capabilities in scope. Two resources carry the Glia specification and
// the (help) text. Evaluations send progress notifications when the
// client asks for them, end at the eval timeout, and are cancelled (the
// Shell.eval call with them) when the client cancels.
//
// The transports are the SDK's: Serve runs one session over a stdio-like
// transport, Handler serves streamable HTTP with one session per
// Mcp-Session-Id.
package mcp
