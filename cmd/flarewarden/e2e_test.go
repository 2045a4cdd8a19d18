package main

import (
	"bufio"
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds flarewarden once per test run and returns its path.
func binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "flarewarden-e2e")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "flarewarden")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = &buildError{out: string(out), err: err}
		}
	})
	if buildErr != nil {
		t.Fatalf("build flarewarden: %v", buildErr)
	}
	return binPath
}

type buildError struct {
	out string
	err error
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + e.out }

// command runs the binary with only the scenario's environment.
func (w *world) command(args ...string) *exec.Cmd {
	cmd := exec.Command(binary(w.t), args...)
	cmd.Env = []string{"CLOUDFLARE_API_TOKEN=" + testToken, "FLAREWARDEN_CONFIG=" + w.config, "PATH=" + os.Getenv("PATH")}
	return cmd
}

func TestBinaryDryRunWritesNothing(t *testing.T) {
	w := newWorld(t)
	var out, errOut bytes.Buffer
	cmd := w.command("reconcile", "--dry-run", "--detailed-exitcode")
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if cmd.ProcessState.ExitCode() != exitChanges {
		t.Fatalf("exit %v, want 2\n%s\n%s", err, out.String(), errOut.String())
	}
	if !strings.Contains(out.String(), "takeover of CNAME myhome.duckdns.org") {
		t.Errorf("plan not printed:\n%s", out.String())
	}
	if len(w.writes()) != 0 {
		t.Fatalf("dry run wrote: %v", w.writes())
	}
	w.assertNoToken(testToken, out.String(), errOut.String())
}

func TestBinaryRunStopsOnSIGTERM(t *testing.T) {
	w := newWorld(t)
	var errOut safeBuffer
	cmd := w.command("run")
	cmd.Stderr = &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for w.record("home.example.com", "A") != "203.0.113.7" && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	if err != nil || !strings.Contains(errOut.String(), "daemon stopped") {
		t.Fatalf("run after SIGTERM: %v\n%s", err, errOut.String())
	}
	if w.record("home.example.com", "A") != "203.0.113.7" {
		t.Fatalf("daemon did not converge before SIGTERM:\n%s", errOut.String())
	}
}

func TestBinarySimServesAState(t *testing.T) {
	w := newWorld(t)
	state := filepath.Join(t.TempDir(), "state.yaml")
	seed := "tokens: [{token: " + testToken + "}]\nzones:\n  - name: example.com\n    records:\n      - {name: home, type: CNAME, content: myhome.duckdns.org}\n"
	if err := os.WriteFile(state, []byte(seed), 0o600); err != nil {
		t.Fatal(err)
	}
	simCmd := w.command("sim", "--listen", "127.0.0.1:0", "--edge-listen", "127.0.0.1:0", "--log", "--state", state)
	stdout, err := simCmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := simCmd.Start(); err != nil {
		t.Fatal(err)
	}
	stopped := false
	defer func() {
		if !stopped {
			_ = simCmd.Process.Kill()
			_ = simCmd.Wait()
		}
	}()
	lines := bufio.NewReader(stdout)
	api, edge := simBanner(t, lines, "cloudflare simulator"), simBanner(t, lines, "simulated edge")
	rec := w.command("reconcile", "--dry-run", "-o", "json")
	rec.Env = append(rec.Env, "CLOUDFLARE_API_BASE_URL="+api)
	out, err := rec.Output()
	if err != nil || !strings.Contains(string(out), `"content": "myhome.duckdns.org"`) {
		t.Fatalf("reconcile against the sim process: %v\n%s", err, out)
	}
	if line, err := lines.ReadString('\n'); err != nil || !strings.HasPrefix(line, "GET /client/v4/") {
		t.Fatalf("--log printed %q, %v; want the first API request", line, err)
	}
	req, _ := http.NewRequest(http.MethodGet, edge+"/", nil)
	req.Host = "nope.example.com" // no record: 409, error 1001 (as the real edge answers)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusConflict || resp.Header.Get("Server") != "cloudflare" {
		t.Fatalf("edge answered %d (server %q), want 409 from cloudflare", resp.StatusCode, resp.Header.Get("Server"))
	}
	if err := simCmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	stopped = true
	if err := simCmd.Wait(); err != nil {
		t.Fatalf("sim did not stop cleanly on SIGTERM: %v", err)
	}
}

// simBanner reads the sim's next line, which must announce what with a
// loopback URL, and returns the URL.
func simBanner(t *testing.T, lines *bufio.Reader, what string) string {
	t.Helper()
	line, err := lines.ReadString('\n')
	if err != nil {
		t.Fatalf("sim printed no %s banner: %v", what, err)
	}
	fields := strings.Fields(line) // <what> listening on URL
	url := fields[len(fields)-1]
	if !strings.HasPrefix(line, what) || !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("unexpected sim banner %q", line)
	}
	return url
}
