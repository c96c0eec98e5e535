package main

import (
	"runtime/debug"
	"testing"
)

func TestVersionLine(t *testing.T) {
	const rev = "7c1cc5725b0a23644e05667a9eba91936911a70a"
	stamp := func(kv ...string) *debug.BuildInfo {
		info := &debug.BuildInfo{}
		for i := 0; i < len(kv); i += 2 {
			info.Settings = append(info.Settings, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return info
	}
	for _, tc := range []struct {
		info *debug.BuildInfo
		want string
	}{
		{nil, "ww " + version + " (unknown)"},
		{stamp("-buildmode", "exe"), "ww " + version + " (unknown)"},
		{stamp("vcs", "git", "vcs.revision", rev, "vcs.modified", "false"), "ww " + version + " (7c1cc57)"},
		{stamp("vcs", "git", "vcs.revision", rev, "vcs.modified", "true"), "ww " + version + " (7c1cc57+dirty)"},
		{stamp("vcs.revision", "abc"), "ww " + version + " (abc)"},
	} {
		if got := versionLine(tc.info); got != tc.want {
			t.Errorf("versionLine(%v) = %q, want %q", tc.info, got, tc.want)
		}
	}
}

// TestVersionCmd: go test stamps no VCS information, so `ww version`
// reports the revision as unknown.
func TestVersionCmd(t *testing.T) {
	r := runWW(t, "version")
	if r.code != 0 || r.stdout != "ww "+version+" (unknown)\n" || r.stderr != "" {
		t.Errorf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if r := runWW(t, "version", "extra"); r.code != 2 {
		t.Errorf("extra argument: exit %d", r.code)
	}
}
