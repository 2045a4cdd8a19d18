package main

import (
	"context"
	"html"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// pageLine is the demo's line with the status page's URL.
var pageLine = regexp.MustCompile(`(?m)^status page: (http://127\.0\.0\.1:\d+/)$`)

func noEnv(string) (string, bool) { return "", false }

// TestDemoPrintsStatusPage: without --serve the demo prints the page's URL
// before the steps and a hint at the end, exits 0, and the page is gone.
func TestDemoPrintsStatusPage(t *testing.T) {
	var out, errOut safeBuffer
	if code := execute(context.Background(), []string{"demo"}, &out, &errOut, noEnv); code != exitOK {
		t.Fatalf("demo exit %d\n%s\n%s", code, out.String(), errOut.String())
	}
	stdout := out.String()
	m := pageLine.FindStringSubmatch(stdout)
	if m == nil || strings.Index(stdout, m[0]) > strings.Index(stdout, "Step 1:") {
		t.Fatalf("no status page line before the steps:\n%s", stdout)
	}
	if !strings.HasSuffix(stdout, "run with --serve to keep the status page up\n") {
		t.Errorf("no closing hint:\n%s", stdout)
	}
	if resp, err := http.Get(m[1]); err == nil {
		_ = resp.Body.Close()
		t.Errorf("the status page still answers after the demo: %s", resp.Status)
	}
}

// TestDemoServe: with --serve the demo keeps a daemon running after the
// story, its status page telling the story, until the context ends; then
// it exits 0.
func TestDemoServe(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut safeBuffer
	done := make(chan int, 1)
	go func() { done <- execute(ctx, []string{"demo", "--serve"}, &out, &errOut, noEnv) }()
	url := waitServing(t, &out, done)
	waitBody(t, url+"status", `"last_pass"`) // the daemon's first pass
	page := html.UnescapeString(get(t, url))
	for _, want := range []string{"CNAME myhome.duckdns.org -> A 203.0.113.7", "moved from fiber",
		"stale address, proxied drift", "skip rule flarewarden_scripts created", "ok -> origin_down",
		"ipv6 address changed", "single replica", "Next pass", "in sync"} {
		if !strings.Contains(page, want) {
			t.Errorf("status page lacks %q:\n%s", want, page)
		}
	}
	hist := get(t, url+"status/history")
	for _, want := range []string{"home.example.com CNAME myhome.duckdns.org -> A 203.0.113.7",
		"moved from lte 198.51.100.77 to fiber 203.0.113.8", `"health_transitions"`} {
		if !strings.Contains(hist, want) {
			t.Errorf("history lacks %q:\n%s", want, hist)
		}
	}
	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Fatalf("demo --serve exit %d after cancel\n%s\n%s", code, out.String(), errOut.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("demo --serve did not stop after cancel")
	}
}

// waitServing waits for the demo to serve after its story and returns the
// status page's URL; a demo that ends first fails the test.
func waitServing(t *testing.T, out *safeBuffer, done <-chan int) string {
	t.Helper()
	deadline := time.After(60 * time.Second)
	for {
		if s := out.String(); strings.HasSuffix(s, "serving until Ctrl-C\n") {
			m := pageLine.FindAllStringSubmatch(s, -1)
			if len(m) != 2 || m[0][1] != m[1][1] {
				t.Fatalf("want the same status page line before and after the story:\n%s", s)
			}
			return m[1][1]
		}
		select {
		case code := <-done:
			t.Fatalf("demo --serve ended (exit %d) before serving:\n%s", code, out.String())
		case <-deadline:
			t.Fatalf("demo --serve not serving after 60s:\n%s", out.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// waitBody waits until GET url answers a body holding want.
func waitBody(t *testing.T, url, want string) {
	t.Helper()
	for start := time.Now(); time.Since(start) < 20*time.Second; time.Sleep(20 * time.Millisecond) {
		if strings.Contains(get(t, url), want) {
			return
		}
	}
	t.Fatalf("GET %s never held %q", url, want)
}

// get returns the body of GET url, which must answer 200.
func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s, %v\n%s", url, resp.Status, err, b)
	}
	return string(b)
}
