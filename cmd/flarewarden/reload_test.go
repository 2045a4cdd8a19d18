package main

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/flarewarden/flarewarden/cmd/flarewarden/service"
)

func TestReloadKeepsRunningOnInvalidConfigAndSwapsOnValid(t *testing.T) {
	w := newWorld(t)
	reload := make(chan struct{})
	r := w.startRun(&cli{reload: reload, configPoll: time.Hour})
	r.waitPassOK()
	valid := readFile(t, w.config)

	writeFile(t, w.config, valid+"policy: bogus\nschedule: never\n")
	reload <- struct{}{}
	r.waitFor("the rejection", func() bool { return strings.Contains(r.stderr.String(), "config reload rejected") })
	log := r.stderr.String()
	if !strings.Contains(log, "policy:") || !strings.Contains(log, "schedule:") {
		t.Fatalf("rejection does not name the fields:\n%s", log)
	}
	if code, _ := r.get("/readyz"); code != 200 {
		t.Fatalf("not ready after an invalid reload: %d", code)
	}

	writeFile(t, w.config, strings.Replace(valid, "  - {name: vpn.example.com}", "  - {name: vpn.example.com}\n  - {name: new.example.com}", 1))
	reload <- struct{}{}
	r.waitFor("the new record", func() bool { return w.record("new.example.com", "A") == "203.0.113.7" })
	r.waitFor("the restarted daemon's status", func() bool {
		for _, rec := range r.status()["records"].([]any) {
			if rec.(map[string]any)["name"] == "new.example.com" {
				return true
			}
		}
		return false
	})
	_, m := r.get("/metrics")
	if !strings.Contains(m, `flarewarden_passes_total{result="ok"} 2`) {
		t.Errorf("metrics did not keep counting across the reload:\n%s", grepLines(m, "passes_total"))
	}
	if code := r.stop(); code != exitOK {
		t.Fatalf("run exited %d", code)
	}
}

// A reloaded log.level reaches the loggers made at start too (the
// supervisor's, the endpoint's), not only the new daemon's.
func TestReloadAppliesTheLogLevelToEveryLogger(t *testing.T) {
	w := newWorld(t)
	reload := make(chan struct{})
	r := w.startRun(&cli{reload: reload, configPoll: time.Hour})
	r.waitPassOK()
	cfg := strings.Replace(readFile(t, w.config), "log: {level: debug}", "log: {level: warn, format: console}", 1)
	writeFile(t, w.config, strings.Replace(cfg, "  - {name: vpn.example.com}", "  - {name: vpn.example.com}\n  - {name: new.example.com}", 1))
	reload <- struct{}{}
	r.waitFor("the new record", func() bool { return w.record("new.example.com", "A") == "203.0.113.7" })
	if code := r.stop(); code != exitOK {
		t.Fatalf("run exited %d", code)
	}
	log := r.stderr.String()
	if strings.Contains(log, "config reloaded") || strings.Contains(log, "daemon stopped") {
		t.Fatalf("info messages logged after a reload to level warn:\n%s", log)
	}
	// The format stays the first config's: one stream never mixes JSON and console lines.
	for _, line := range strings.Split(strings.TrimSpace(log), "\n") {
		if !strings.HasPrefix(line, "{") {
			t.Fatalf("a line not in JSON after a reload to format console: %q", line)
		}
	}
	if !strings.Contains(log, `"msg":"log format changed, restart to apply it"`) {
		t.Fatalf("no warning that the format needs a restart:\n%s", log)
	}
}

func TestReloadOnConfigFileChange(t *testing.T) {
	w := newWorld(t)
	r := w.startRun(&cli{reload: make(chan struct{}), configPoll: 20 * time.Millisecond})
	r.waitPassOK()
	valid := readFile(t, w.config)
	writeFile(t, w.config, strings.Replace(valid, "  - {name: vpn.example.com}", "  - {name: vpn.example.com}\n  - {name: new.example.com}", 1))
	r.waitFor("the new record", func() bool { return w.record("new.example.com", "A") == "203.0.113.7" })
	if !strings.Contains(r.stderr.String(), "config file changed") {
		t.Error("reload not logged with its trigger")
	}
}

// TestReloadOnConfigFileChangeDuringStartUp edits the config after run
// has loaded it but before the config file poll starts (the endpoint
// starts in between): the edit must still be reloaded.
func TestReloadOnConfigFileChangeDuringStartUp(t *testing.T) {
	w := newWorld(t)
	edited := strings.Replace(readFile(t, w.config), "  - {name: vpn.example.com}", "  - {name: vpn.example.com}\n  - {name: new.example.com}", 1)
	edit := func(net.Addr) { // on run's goroutine: no t.Fatal
		if err := os.WriteFile(w.config, []byte(edited), 0o600); err != nil {
			t.Error(err)
		}
	}
	r := w.startRun(&cli{reload: make(chan struct{}), configPoll: 20 * time.Millisecond, onListen: edit})
	r.waitFor("the new record", func() bool { return w.record("new.example.com", "A") == "203.0.113.7" })
	if !strings.Contains(r.stderr.String(), "config file changed") {
		t.Error("reload not logged with its trigger")
	}
}

// TestPollFileSeesSymlinkSwap lays a config out as a Kubernetes ConfigMap
// volume does (config.yaml -> ..data/config.yaml, ..data -> a timestamped
// directory) and swaps ..data atomically.
func TestPollFileSeesSymlinkSwap(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"v1", "v2"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, d, "config.yaml"), "records: [{name: "+d+".example.com}]\n")
	}
	must(t, os.Symlink("v1", filepath.Join(dir, "..data")))
	must(t, os.Symlink(filepath.Join("..data", "config.yaml"), filepath.Join(dir, "config.yaml")))
	path := filepath.Join(dir, "config.yaml")
	ver := service.NewConfigVersion(path)
	var changes atomic.Int64
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		service.PollFile(ctx, ver, 5*time.Millisecond, func() { changes.Add(1) }, zap.NewNop())
		close(done)
	}()
	defer func() { cancel(); <-done }()
	time.Sleep(30 * time.Millisecond)
	if n := changes.Load(); n != 0 {
		t.Fatalf("%d changes before the swap", n)
	}
	must(t, os.Symlink("v2", filepath.Join(dir, "..data_tmp")))
	must(t, os.Rename(filepath.Join(dir, "..data_tmp"), filepath.Join(dir, "..data")))
	deadline := time.Now().Add(5 * time.Second)
	for changes.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("symlink swap not seen")
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(30 * time.Millisecond)
	if n := changes.Load(); n != 1 {
		t.Fatalf("%d changes for one swap", n)
	}
}

// An edit that a load has already read (after a SIGHUP) is no change for
// the poll: it is not loaded a second time.
func TestPollFileSkipsAVersionAlreadyLoaded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	writeFile(t, path, "records: [{name: a.example.com}]\n")
	ver := service.NewConfigVersion(path)
	writeFile(t, path, "records: [{name: b.example.com}]\n")
	ver.Refresh() // what a reload's load does first
	var changes atomic.Int64
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		service.PollFile(ctx, ver, time.Millisecond, func() { changes.Add(1) }, zap.NewNop())
		close(done)
	}()
	time.Sleep(50 * time.Millisecond)
	cancel()
	<-done
	if n := changes.Load(); n != 0 {
		t.Fatalf("%d reloads of a version already loaded", n)
	}
	writeFile(t, path, "records: [{name: c.example.com}]\n")
	if !ver.ChangedTo(mustVersion(t, path)) {
		t.Fatal("a new edit is no change")
	}
}

func mustVersion(t *testing.T, path string) service.FileVersion {
	t.Helper()
	v, err := service.ReadVersion(path)
	must(t, err)
	return v
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// A SIGHUP caught by catchHangups is a value on its channel, not the
// signal's default action (which would end the test binary).
func TestCatchHangupsTurnsSIGHUPIntoAValue(t *testing.T) {
	hups, stop := (&cli{}).catchHangups()
	defer stop()
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	select {
	case <-hups:
	case <-time.After(10 * time.Second):
		t.Fatal("no hangup received")
	}
}
