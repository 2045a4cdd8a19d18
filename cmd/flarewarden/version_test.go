package main

import (
	"bytes"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestBuildVersion(t *testing.T) {
	t.Parallel()
	vcs := func(rev, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: modified}}
	}
	const rev = "0123456789abcdef0123456789abcdef01234567"
	for name, tt := range map[string]struct {
		ldflag string
		info   *debug.BuildInfo
		want   string
	}{
		"release -X wins":          {"v1.2.3-4-gabc", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}}, "v1.2.3-4-gabc"},
		"go install @v1.2.3":       {"", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}}, "v1.2.3"},
		"checkout, clean":          {"", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs(rev, "false")}, "0123456789ab"},
		"checkout, modified":       {"", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs(rev, "true")}, "0123456789ab-dirty"},
		"short revision":           {"", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("abc", "false")}, "abc"},
		"no vcs (-buildvcs=false)": {"", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "dev"},
		"no build info":            {"", nil, "dev"},
	} {
		if got := buildVersion(tt.ldflag, tt.info); got != tt.want {
			t.Errorf("%s: buildVersion = %q, want %q", name, got, tt.want)
		}
	}
}

func TestVersionCommand(t *testing.T) {
	var out bytes.Buffer
	cmd := newVersionCmd(&cli{stdout: &out})
	cmd.SetArgs(nil)
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	want := "flarewarden " + currentVersion() + " " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH + "\n"
	if out.String() != want || strings.Count(out.String(), " ") != 3 {
		t.Errorf("version printed %q, want %q", out.String(), want)
	}
}
