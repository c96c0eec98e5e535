package image

import (
	"path/filepath"
	"reflect"
	"testing"
)

func TestParseMount(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	tests := []struct {
		arg     string
		want    Mount
		wantErr string
	}{
		// Empty argument and empty source.
		{arg: "", wantErr: "empty mount argument"},
		{arg: ":/etc/x", wantErr: "mount has empty source"},
		{arg: ":/", wantErr: "mount has empty source"},
		// Root layers: no ":", or a ":" not followed by "/".
		{arg: ".", want: Mount{Kind: Local, Source: "."}},
		{arg: "some/dir", want: Mount{Kind: Local, Source: "some/dir"}},
		{arg: "/abs/dir", want: Mount{Kind: Local, Source: "/abs/dir"}},
		{arg: "a:b", want: Mount{Kind: Local, Source: "a:b"}},
		{arg: "dir:", want: Mount{Kind: Local, Source: "dir:"}},
		{arg: "a:b:/c", want: Mount{Kind: Local, Source: "a:b:/c"}},
		// Targeted mounts: split at the first ":"; the guest path is cleaned.
		{arg: "f.txt:/etc/f.txt", want: Mount{Kind: Local, Source: "f.txt", Target: "/etc/f.txt"}},
		{arg: "d:/a//b/../c/", want: Mount{Kind: Local, Source: "d", Target: "/a/c"}},
		{arg: "d:/../..", want: Mount{Kind: Local, Source: "d", Target: "/"}},
		{arg: "d:/", want: Mount{Kind: Local, Source: "d", Target: "/"}},
		{arg: "/x/y:/z:/w", want: Mount{Kind: Local, Source: "/x/y", Target: "/z:/w"}},
		// "~/" expansion, in root layers and targeted sources only.
		{arg: "~/img", want: Mount{Kind: Local, Source: filepath.Join(home, "img")}},
		{arg: "~", want: Mount{Kind: Local, Source: home}},
		{arg: "~/.ww/identity:/etc/identity", want: Mount{Kind: Local, Source: filepath.Join(home, ".ww/identity"), Target: "/etc/identity"}},
		{arg: "~user/x", want: Mount{Kind: Local, Source: "~user/x"}},
		{arg: "a/~/b", want: Mount{Kind: Local, Source: "a/~/b"}},
		{arg: "d:~/x", want: Mount{Kind: Local, Source: "d:~/x"}},
		// IPFS and IPNS sources.
		{arg: "/ipfs/QmCid", want: Mount{Kind: IPFS, Source: "/ipfs/QmCid"}},
		{arg: "/ipfs/QmCid/", want: Mount{Kind: IPFS, Source: "/ipfs/QmCid"}},
		{arg: "/ipfs/QmCid/sub/../x//y", want: Mount{Kind: IPFS, Source: "/ipfs/QmCid/x/y"}},
		{arg: "/ipfs/QmCid/../../other", want: Mount{Kind: IPFS, Source: "/ipfs/QmCid/other"}},
		{arg: "/ipfs/QmCid/bin:/usr/bin", want: Mount{Kind: IPFS, Source: "/ipfs/QmCid/bin", Target: "/usr/bin"}},
		{arg: "/ipns/example.com", want: Mount{Kind: IPNS, Source: "/ipns/example.com"}},
		{arg: "/ipns/k51abc/lib:/lib", want: Mount{Kind: IPNS, Source: "/ipns/k51abc/lib", Target: "/lib"}},
		{arg: "/ipfs", wantErr: "invalid ipfs path: /ipfs"},
		{arg: "/ipfs/", wantErr: "invalid ipfs path: /ipfs/"},
		{arg: "/ipfs/..", wantErr: "invalid ipfs path: /ipfs/.."},
		{arg: "/ipns//x", want: Mount{Kind: IPNS, Source: "/ipns/x"}},
		{arg: "/ipns/", wantErr: "invalid ipns path: /ipns/"},
		{arg: "/ipfsx/y", want: Mount{Kind: Local, Source: "/ipfsx/y"}},
		// Reserved guest paths.
		{arg: "d:/dev/ww", wantErr: "mount target is reserved: /dev/ww"},
		{arg: "d:/dev/ww/rpc", wantErr: "mount target is reserved: /dev/ww/rpc"},
		{arg: "d:/dev//ww/", wantErr: "mount target is reserved: /dev/ww"},
		{arg: "d:/dev", want: Mount{Kind: Local, Source: "d", Target: "/dev"}},
		{arg: "d:/dev/wwx", want: Mount{Kind: Local, Source: "d", Target: "/dev/wwx"}},
		{arg: "d:/etc/identity/k", wantErr: "mount target is under /etc/identity: /etc/identity/k"},
		{arg: "k:/etc/identity", want: Mount{Kind: Local, Source: "k", Target: "/etc/identity"}},
	}
	for _, tt := range tests {
		t.Run(tt.arg, func(t *testing.T) {
			got, err := ParseMount(tt.arg)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("ParseMount(%q) = %+v, %v; want error %q", tt.arg, got, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseMount(%q): %v", tt.arg, err)
			}
			if got != tt.want {
				t.Fatalf("ParseMount(%q) = %+v; want %+v", tt.arg, got, tt.want)
			}
			if got.Targeted() != (tt.want.Target != "") {
				t.Fatalf("Targeted() = %v", got.Targeted())
			}
		})
	}
}

func TestParseMounts(t *testing.T) {
	got, err := ParseMounts(nil)
	if err != nil || !reflect.DeepEqual(got, []Mount{{Kind: Local, Source: "."}}) {
		t.Fatalf("ParseMounts(nil) = %+v, %v; want [.]", got, err)
	}
	got, err = ParseMounts([]string{"a", "b:/x", "/ipfs/Qm"})
	want := []Mount{{Kind: Local, Source: "a"}, {Kind: Local, Source: "b", Target: "/x"}, {Kind: IPFS, Source: "/ipfs/Qm"}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("ParseMounts = %+v, %v; want %+v", got, err, want)
	}
	if _, err := ParseMounts([]string{"a", ""}); err == nil || err.Error() != "empty mount argument" {
		t.Fatalf("ParseMounts with an empty argument: %v", err)
	}
}

func TestMountString(t *testing.T) {
	for _, arg := range []string{"dir", "f:/etc/f", "/ipfs/Qm/x:/y"} {
		m, err := ParseMount(arg)
		if err != nil {
			t.Fatal(err)
		}
		if m.String() != arg {
			t.Errorf("String() = %q; want %q", m.String(), arg)
		}
	}
}

func TestKindString(t *testing.T) {
	for k, want := range map[Kind]string{Local: "local", IPFS: "ipfs", IPNS: "ipns", 0: "unknown"} {
		if k.String() != want {
			t.Errorf("Kind(%d).String() = %q; want %q", k, k.String(), want)
		}
	}
}
