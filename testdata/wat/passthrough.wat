;; A WASI command module in the WebAssembly text format: the "other
;; language" guest of system design §18.2.8 (§19.12). It imports only
;; wasi_snapshot_preview1, writes one line to stdout and exits with 3.
;; Tests build it with wat2wasm (Debian package wabt); the .wasm is never
;; committed.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit"
    (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  ;; iovec {buf = 16, len = 15} at 0; the text at 16.
  (data (i32.const 0) "\10\00\00\00\0f\00\00\00")
  (data (i32.const 16) "hello from wat\n")
  (func (export "_start")
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (call $proc_exit (i32.const 3))))
