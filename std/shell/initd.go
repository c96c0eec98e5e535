package shell

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/wetware/ww/lang/eval"
	"github.com/wetware/ww/lang/value"
)

// InitDir is the directory of the boot scripts in the guest filesystem.
const InitDir = "/etc/init.d"

// RunInitD runs the boot scripts (Glia spec 18): the entries of
// /etc/init.d ending in .glia, sorted by bytes. A script that cannot be
// read or parsed is logged and skipped; its forms run wrapped (17.4) in
// the shell's session, a failing form is logged with its position and the
// next one runs. Output goes to Options.Out, errors to Options.Log. An
// (exit n) stops the scripts and is reported as exited, code. A form
// during which a foreground (executor run …) finished and whose value is
// an integer marks a batch image (step 4): after all scripts RunInitD
// reports exited with the last such integer.
func (sh *Shell) RunInitD() (exited bool, code int) {
	batch, batchCode := false, 0
	ents, err := fs.ReadDir(sh.fsys, fsName(InitDir))
	if err != nil {
		return
	}
	var names []string
	for _, e := range ents {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".glia") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	for _, n := range names {
		file := path.Join(InitDir, n)
		exited, code, isBatch, bc := sh.runScript(file)
		if exited {
			return true, code
		}
		if isBatch {
			batch, batchCode = true, bc
		}
	}
	return batch, batchCode
}

// runScript runs one init.d script and reports an (exit n) and the last
// batch result.
func (sh *Shell) runScript(file string) (exited bool, code int, batch bool, batchCode int) {
	logf := func(format string, args ...any) { fmt.Fprintf(sh.opts.Log, format+"\n", args...) }
	src, err := fs.ReadFile(sh.fsys, fsName(file))
	if err != nil {
		logf("%s:1:1: [glia.error/parse] %s", file, osErr(err))
		return
	}
	if !utf8.Valid(src) {
		logf("%s:1:1: [glia.error/parse] invalid UTF-8", file)
		return
	}
	forms, err := sh.sess.Interp().Read(string(src), file)
	if err != nil {
		logf("%s", renderAt(err, file))
		return
	}
	for _, f := range forms {
		sh.stateMu.Lock()
		sh.ranForeground = false
		sh.stateMu.Unlock()
		v, err := sh.EvalForm(f)
		if err == nil {
			sh.stateMu.Lock()
			ran := sh.ranForeground
			sh.stateMu.Unlock()
			if n, ok := v.(value.Int); ok && ran {
				batch, batchCode = true, int(n)
			}
			continue
		}
		var ee *eval.ExitError
		if errors.As(err, &ee) {
			return true, ee.Code, batch, batchCode
		}
		if e, ok := err.(*value.Error); ok && e.Pos == nil {
			e.Pos = value.PosOf(f)
		}
		logf("%s", renderAt(err, file))
	}
	return
}

// renderAt renders err as FILE:LINE:COL: [tag] message, defaulting the
// file to file and the position to 1:1.
func renderAt(err error, file string) string {
	if e, ok := err.(*value.Error); ok && e.Pos != nil {
		if e.Pos.File == "" {
			p := *e.Pos
			p.File = file
			e.Pos = &p
		}
		return value.RenderWithPos(e)
	}
	return file + ":1:1: " + err.Error()
}
