package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/wetware/ww/runtime/identity"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"ww": main})
}

// TestScript runs the command scripts of testdata/script, which pin help
// output, exit codes and streams of the real binary.
func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{Dir: "testdata/script"})
}

type result struct {
	code           int
	stdout, stderr string
}

func runWW(t *testing.T, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(""), &out, &errb)
	return result{code, out.String(), errb.String()}
}

var keygenStderr = regexp.MustCompile(`^Peer ID: (16Uiu2HA[1-9A-HJ-NP-Za-km-z]+)\nEVM address: (0x[0-9a-fA-F]{40})\n$`)

func TestKeygenStdout(t *testing.T) {
	r := runWW(t, "keygen")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	m := keygenStderr.FindStringSubmatch(r.stderr)
	if m == nil {
		t.Fatalf("stderr %q", r.stderr)
	}
	if !regexp.MustCompile(`^[1-9A-HJ-NP-Za-km-z]+\n$`).MatchString(r.stdout) {
		t.Fatalf("stdout %q is not base58 text and a newline", r.stdout)
	}
	key, err := identity.Parse([]byte(r.stdout))
	if err != nil {
		t.Fatal(err)
	}
	if key.PeerID().String() != m[1] || key.EthereumAddress().Hex() != m[2] {
		t.Errorf("printed secret gives %s/%s, stderr says %s/%s", key.PeerID(), key.EthereumAddress(), m[1], m[2])
	}
	if again := runWW(t, "keygen"); again.stdout == r.stdout {
		t.Error("two runs printed the same secret")
	}
}

func TestKeygenOutput(t *testing.T) {
	p := filepath.Join(t.TempDir(), "identity")
	r := runWW(t, "keygen", "--output", p)
	if r.code != 0 || r.stdout != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	m := keygenStderr.FindStringSubmatch(r.stderr)
	if m == nil {
		t.Fatalf("stderr %q", r.stderr)
	}
	info, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", info.Mode().Perm())
	}
	key, err := identity.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if key.PeerID().String() != m[1] || key.EthereumAddress().Hex() != m[2] {
		t.Errorf("file gives %s/%s, stderr says %s/%s", key.PeerID(), key.EthereumAddress(), m[1], m[2])
	}
	before, _ := os.ReadFile(p)

	r = runWW(t, "keygen", "--output", p)
	if want := "ww: identity: " + p + ": file exists (use --force to overwrite)\n"; r.code != 1 || r.stderr != want || r.stdout != "" {
		t.Errorf("second keygen: exit %d, stderr %q, want exit 1, %q", r.code, r.stderr, want)
	}
	if after, _ := os.ReadFile(p); !bytes.Equal(before, after) {
		t.Error("key file overwritten without --force")
	}

	r = runWW(t, "keygen", "--output", p, "--force")
	if r.code != 0 || !keygenStderr.MatchString(r.stderr) {
		t.Fatalf("--force: exit %d, stderr %q", r.code, r.stderr)
	}
	if after, _ := os.ReadFile(p); bytes.Equal(before, after) {
		t.Error("--force did not replace the key")
	}
	if info, _ := os.Stat(p); info.Mode().Perm() != 0o600 {
		t.Errorf("mode after --force %v", info.Mode().Perm())
	}
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {}} {
		r := runWW(t, args...)
		if r.code != 0 || r.stderr != "" || !strings.Contains(r.stdout, "Usage:") || !strings.Contains(r.stdout, "keygen") ||
			!strings.Contains(r.stdout, "--data-dir <PATH>") || !strings.Contains(r.stdout, "[default: ~/.ww] [env: WW_HOME]") {
			t.Errorf("ww %v: exit %d, stdout %q, stderr %q", args, r.code, r.stdout, r.stderr)
		}
	}
	for _, args := range [][]string{{"keygen", "--help"}, {"help", "keygen"}} {
		r := runWW(t, args...)
		if r.code != 0 || !strings.Contains(r.stdout, "Usage: ww keygen [OPTIONS]") ||
			!strings.Contains(r.stdout, "--output <PATH>") || !strings.Contains(r.stdout, "--force") {
			t.Errorf("ww %v: exit %d, stdout %q", args, r.code, r.stdout)
		}
	}
}

func TestVersion(t *testing.T) {
	r := runWW(t, "--version")
	if r.code != 0 || r.stdout != "ww "+version+"\n" || r.stderr != "" {
		t.Errorf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if !regexp.MustCompile(`^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$`).MatchString(version) {
		t.Errorf("version %q is not semver", version)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, c := range []struct {
		args  []string
		first string
	}{
		{[]string{"--bogus"}, "ww: unknown flag: --bogus"},
		{[]string{"keygen", "--bogus"}, "ww: unknown flag: --bogus"},
		{[]string{"keygen", "--output"}, "ww: flag needs an argument: --output"},
		{[]string{"keygen", "extra"}, `ww: unexpected argument "extra"`},
		{[]string{"nosuch"}, `ww: unknown command "nosuch" for "ww"`},
		{[]string{"keygen", "--version"}, "ww: unknown flag: --version"},
	} {
		r := runWW(t, c.args...)
		if r.code != 2 || r.stdout != "" || !strings.HasPrefix(r.stderr, c.first+"\n") || !strings.Contains(r.stderr, "\nUsage: ww") {
			t.Errorf("ww %v: exit %d, stdout %q, stderr %q", c.args, r.code, r.stdout, r.stderr)
		}
	}
}

func TestDataDir(t *testing.T) {
	home, err := os.UserHomeDir()
	if err != nil {
		t.Skip(err)
	}
	for _, c := range []struct {
		env  string
		args []string
		want string
	}{
		{"", nil, filepath.Join(home, ".ww")},
		{"/srv/ww", nil, "/srv/ww"},
		{"/srv/ww", []string{"--data-dir", "/tmp/x"}, "/tmp/x"},
		{"", []string{"--data-dir=~/other"}, filepath.Join(home, "other")},
	} {
		t.Setenv("WW_HOME", c.env)
		root := newRootCmd()
		if err := root.ParseFlags(c.args); err != nil {
			t.Fatal(err)
		}
		got, err := dataDir(root)
		if err != nil || got != c.want {
			t.Errorf("WW_HOME=%q %v: %q, %v; want %q", c.env, c.args, got, err, c.want)
		}
	}
}
