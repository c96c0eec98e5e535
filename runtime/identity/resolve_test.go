package identity

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestResolveOrder(t *testing.T) {
	a, _ := Generate()
	b, _ := Generate()
	c, _ := Generate()
	dir := t.TempDir()
	flagPath := filepath.Join(dir, "a")
	envPath := filepath.Join(dir, "b")
	dataDir := filepath.Join(dir, "data")
	for p, k := range map[string]*Key{flagPath: a, envPath: b, filepath.Join(dataDir, FileName): c} {
		if err := Save(p, k, false); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		flag, env, data string
		want            *Key
		src             Source
	}{
		{flagPath, envPath, dataDir, a, Source{FromFlag, flagPath}},
		{"", envPath, dataDir, b, Source{FromEnv, envPath}},
		{"", "", dataDir, c, Source{FromDataDir, filepath.Join(dataDir, FileName)}},
	} {
		k, src, err := Resolve(tc.flag, tc.env, tc.data)
		if err != nil {
			t.Fatal(err)
		}
		if k.PeerID() != tc.want.PeerID() || src != tc.src {
			t.Errorf("Resolve(%q, %q, %q) = %s from %v, want %s from %v", tc.flag, tc.env, tc.data, k, src, tc.want, tc.src)
		}
	}
}

func TestResolveExplicitPathMustExist(t *testing.T) {
	dataDir := t.TempDir()
	if err := Save(filepath.Join(dataDir, FileName), mustGenerate(t), false); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(t.TempDir(), "missing")
	for _, args := range [][2]string{{missing, ""}, {"", missing}} {
		_, _, err := Resolve(args[0], args[1], dataDir)
		if !errors.Is(err, fs.ErrNotExist) || !strings.HasPrefix(err.Error(), "identity: "+missing+": ") {
			t.Errorf("Resolve(%q, %q): %v", args[0], args[1], err)
		}
	}
}

func TestResolveBadDataDirKey(t *testing.T) {
	dataDir := t.TempDir()
	p := filepath.Join(dataDir, FileName)
	if err := os.WriteFile(p, []byte("junk!"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Resolve("", "", dataDir); err == nil || err.Error() != "identity: "+p+": not base58 or hex text" {
		t.Errorf("bad data-dir key: %v", err)
	}
}

func TestResolveEphemeral(t *testing.T) {
	for _, dataDir := range []string{"", t.TempDir(), filepath.Join(t.TempDir(), "absent")} {
		log := captureLog(t)
		k, src, err := Resolve("", "", dataDir)
		if err != nil {
			t.Fatal(err)
		}
		if src.Kind != Ephemeral || src.Path != "" || src.String() != "ephemeral" {
			t.Errorf("source %+v", src)
		}
		if !strings.Contains(log.String(), "level=WARN") || !strings.Contains(log.String(), "ephemeral key") ||
			!strings.Contains(log.String(), k.PeerID().String()) {
			t.Errorf("warning: %q", log.String())
		}
		if entries, _ := os.ReadDir(dataDir); len(entries) != 0 {
			t.Errorf("ephemeral key written to %s: %v", dataDir, entries)
		}
	}
	k1, _, _ := Resolve("", "", "")
	k2, _, _ := Resolve("", "", "")
	if k1.PeerID() == k2.PeerID() {
		t.Error("two ephemeral keys are equal")
	}
}

func mustGenerate(t *testing.T) *Key {
	t.Helper()
	k, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	return k
}
