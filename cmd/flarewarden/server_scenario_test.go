package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// daemonRun is `flarewarden run` in the background, with its endpoint.
type daemonRun struct {
	t      testing.TB
	base   string // http://127.0.0.1:port
	stderr *safeBuffer
	cancel context.CancelFunc
	done   chan int
}

// startRun starts `run` with the world's config and the given test hooks
// (c's streams and env are filled in) and waits for the endpoint.
func (w *world) startRun(c *cli, args ...string) *daemonRun {
	w.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &daemonRun{t: w.t, stderr: &safeBuffer{}, cancel: cancel, done: make(chan int, 1)}
	env := map[string]string{"CLOUDFLARE_API_TOKEN": testToken, "FLAREWARDEN_CONFIG": w.config}
	c.stdout, c.stderr = io.Discard, r.stderr
	c.env = func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	addr := make(chan net.Addr, 1)
	then := c.onListen // a test's own hook runs first
	c.onListen = func(a net.Addr) {
		if then != nil {
			then(a)
		}
		addr <- a
	}
	go func() { r.done <- executeCLI(ctx, c, append([]string{"run"}, args...)) }()
	select {
	case a := <-addr:
		r.base = "http://" + a.String()
	case code := <-r.done:
		w.t.Fatalf("run exited with %d before listening:\n%s", code, r.stderr.String())
	case <-time.After(10 * time.Second):
		w.t.Fatal("endpoint not listening")
	}
	w.t.Cleanup(func() { r.stop() })
	return r
}

// stop cancels the run and returns its exit code.
func (r *daemonRun) stop() int {
	r.cancel()
	select {
	case code := <-r.done:
		r.done <- code
		return code
	case <-time.After(10 * time.Second):
		r.t.Fatal("run did not stop")
		return -1
	}
}

// get returns the status and body of GET path.
func (r *daemonRun) get(path string) (int, string) {
	r.t.Helper()
	resp, err := http.Get(r.base + path)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// status decodes GET /status.
func (r *daemonRun) status() map[string]any {
	r.t.Helper()
	code, body := r.get("/status")
	var doc map[string]any
	if code != http.StatusOK || json.Unmarshal([]byte(body), &doc) != nil {
		r.t.Fatalf("GET /status: %d %s", code, body)
	}
	return doc
}

// waitFor polls cond until it holds, or fails the test after 10s.
// waitNotReady waits for /readyz to answer 503 and returns its reason.
func (r *daemonRun) waitNotReady() string {
	var body string
	r.waitFor("/readyz 503", func() bool {
		var code int
		code, body = r.get("/readyz")
		return code == 503
	})
	return body
}

func (r *daemonRun) waitFor(what string, cond func() bool) {
	r.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			r.t.Fatalf("timed out waiting for %s; log:\n%s", what, r.stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// passes waits until the last pass is ok and at least n passes ran (per
// the passes counter).
func (r *daemonRun) waitPassOK() {
	r.t.Helper()
	r.waitFor("a successful pass", func() bool {
		lp, ok := r.status()["last_pass"].(map[string]any)
		return ok && lp["ok"] == true
	})
}

func TestRunServesMetricsAfterScenario(t *testing.T) {
	w := newWorld(t)
	r := w.startRun(&cli{})
	r.waitPassOK()
	if code, body := r.get("/healthz"); code != 200 || strings.TrimSpace(body) != "ok" {
		t.Fatalf("/healthz: %d %q", code, body)
	}
	if code, body := r.get("/readyz"); code != 200 {
		t.Fatalf("/readyz: %d %q", code, body)
	}
	_, metrics := r.get("/metrics")
	for _, want := range []string{
		`flarewarden_passes_total{result="ok"} 1`,
		`flarewarden_cloudflare_requests_total{endpoint="/zones/{zone_id}/dns_records",method="GET",status="200"}`,
		`flarewarden_cloudflare_requests_total{endpoint="/zones/{zone_id}/dns_records/batch",method="POST",status="200"} 1`,
		`flarewarden_records_changed_total{action="create"} 2`,
		`flarewarden_records_changed_total{action="delete"} 1`,
		`flarewarden_ip_source_answers_total{family="ipv4",result="ok",source="url:` + w.ip.URL + `/…"} 2`,
		`flarewarden_leader 1`,
		`flarewarden_consecutive_soft_errors 0`,
		`flarewarden_pass_duration_seconds_count 1`,
		`go_goroutines`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s\n%s", want, grepLines(metrics, "flarewarden_"))
		}
	}
	if strings.Contains(metrics, `flarewarden_last_successful_pass_timestamp_seconds 0`) {
		t.Error("last successful pass timestamp not set")
	}
	for _, z := range w.sim.Zones() {
		if strings.Contains(metrics, z.ID) {
			t.Errorf("/metrics carries the zone id %s", z.ID)
		}
	}
	w.assertNoToken(testToken, metrics)
	if code := r.stop(); code != exitOK {
		t.Fatalf("run exited %d:\n%s", code, r.stderr.String())
	}
}

func TestRunStatusShape(t *testing.T) {
	w := newWorld(t)
	r := w.startRun(&cli{})
	r.waitPassOK()
	code, body := r.get("/status")
	w.assertNoToken(testToken, body)
	if code != 200 || strings.Contains(body, "/a\"") || strings.Contains(body, "/b\"") {
		t.Fatalf("status %d, with URL paths?\n%s", code, body)
	}
	doc := r.status()
	if doc["ready"] != true || doc["leader"].(map[string]any)["is_leader"] != true {
		t.Errorf("ready/leader: %v %v", doc["ready"], doc["leader"])
	}
	v4 := doc["detection"].(map[string]any)["ipv4"].(map[string]any)
	if v4["addr"] != "203.0.113.7" || len(v4["answers"].([]any)) != 2 {
		t.Errorf("detection: %v", v4)
	}
	records := map[string]string{}
	for _, rec := range doc["records"].([]any) {
		m := rec.(map[string]any)
		records[m["name"].(string)] = m["state"].(string)
	}
	if records["home.example.com"] != "changed" || records["vpn.example.com"] != "changed" {
		t.Errorf("records: %v", records)
	}
	lp := doc["last_pass"].(map[string]any)
	if changes := lp["plan"].(map[string]any)["changes"].([]any); len(changes) != 3 {
		t.Errorf("plan changes: %v", changes)
	}
}

func TestReconcileFromLoopbackTriggersPass(t *testing.T) {
	w := newWorld(t)
	r := w.startRun(&cli{})
	r.waitPassOK()
	hits := w.ipHits.Load()
	resp, err := http.Post(r.base+"/reconcile", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("POST /reconcile: %d", resp.StatusCode)
	}
	r.waitFor("a second pass", func() bool {
		_, m := r.get("/metrics")
		return strings.Contains(m, `flarewarden_passes_total{result="ok"} 2`)
	})
	if w.ipHits.Load() <= hits {
		t.Error("the triggered pass did not detect")
	}
}

// grepLines returns the lines of s that contain sub.
func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
