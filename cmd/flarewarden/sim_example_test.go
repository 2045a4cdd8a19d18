package main

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flarewarden/flarewarden/cmd/flarewarden/config"
)

// simExample is deploy/sim.example.yaml, the config README points a new
// user at to try flarewarden against `flarewarden sim`.
var simExample = filepath.Join("..", "..", "deploy", "sim.example.yaml")

// TestSimExampleWorksAsWritten runs the commands of deploy/sim.example.yaml
// against `flarewarden sim` with its built-in state: validate, a dry run,
// a pass, and a second pass with nothing to do. The sim listens on a free
// port here; the file's api_base_url is the sim's default address.
func TestSimExampleWorksAsWritten(t *testing.T) {
	data, err := os.ReadFile(simExample)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse(data)
	if err != nil {
		t.Fatalf("%s: %v", simExample, err)
	}
	if cfg.Cloudflare.APIBaseURL != "http://127.0.0.1:8787/client/v4" {
		t.Fatalf("%s points at %s, not at `flarewarden sim`'s default address", simExample, cfg.Cloudflare.APIBaseURL)
	}
	w := newWorld(t)
	simCmd := w.command("sim", "--listen", "127.0.0.1:0")
	stdout, err := simCmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := simCmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = simCmd.Process.Kill(); _ = simCmd.Wait() })
	api := simBanner(t, bufio.NewReader(stdout), "cloudflare simulator")
	for _, step := range []struct {
		args []string
		want string
	}{
		{[]string{"config", "validate"}, "static:203.0.113.7"},
		{[]string{"reconcile", "--dry-run"}, "takeover of CNAME myhome.duckdns.org"},
		{[]string{"reconcile"}, "changes applied"},
		{[]string{"reconcile"}, "no changes"},
	} {
		cmd := w.command(append(step.args, "--config", simExample)...)
		cmd.Env = append(cmd.Env, "CLOUDFLARE_API_TOKEN=sim-token", "CLOUDFLARE_API_BASE_URL="+api)
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), step.want) {
			t.Fatalf("%s: %v, want %q in:\n%s", strings.Join(step.args, " "), err, step.want, out)
		}
	}
}
