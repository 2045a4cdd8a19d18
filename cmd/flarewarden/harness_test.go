package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/flarewarden/flarewarden/providers/cloudflare/sim"
)

const testToken = "test-token-5f2c9e0d7a"

// world is a scenario's environment: a simulated Cloudflare with zone
// example.com, and an IP echo service, both on loopback.
type world struct {
	t        testing.TB
	sim      *sim.Server
	api      *httptest.Server
	ip       *httptest.Server
	publicIP atomic.Value // string, or a whole body when it starts with "<"
	ipHits   atomic.Int64 // answers of the IP echo service
	config   string
	// detectInterval is detect.interval in the config ("30s" unless set).
	detectInterval string
}

func newWorld(t testing.TB, opts ...sim.Option) *world {
	t.Helper()
	w := &world{t: t, sim: sim.New(opts...)}
	w.publicIP.Store("203.0.113.7")
	w.sim.AddToken(testToken, sim.TokenOptions{})
	w.sim.AddZone("example.com")
	w.add(sim.Record{Name: "home.example.com", Type: "CNAME", Content: "myhome.duckdns.org", Proxied: true, TTL: 1})
	w.add(sim.Record{Name: "www.example.com", Type: "A", Content: "198.51.100.20", TTL: 1, Comment: "hand made"})
	w.api = httptest.NewServer(w.sim)
	w.ip = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w.ipHits.Add(1)
		body := w.publicIP.Load().(string)
		if r.URL.Query().Has("html") {
			body = "<html><body>Your IP is 203.0.113.7</body></html>"
		}
		fmt.Fprintln(rw, body)
	}))
	t.Cleanup(func() { w.api.Close(); w.ip.Close() })
	w.writeConfig(fmt.Sprintf(`["url:%s/a", "url:%s/b"]`, w.ip.URL, w.ip.URL), "")
	return w
}

func (w *world) add(r sim.Record) {
	w.t.Helper()
	if _, err := w.sim.AddRecord("example.com", r); err != nil {
		w.t.Fatal(err)
	}
}

// writeConfig writes the scenario's config with the given IPv4 sources and
// extra top-level YAML.
func (w *world) writeConfig(sources, extra string) {
	w.t.Helper()
	cfg := fmt.Sprintf(`cloudflare:
  api_base_url: %s/client/v4
  rate_limit: 1000
detect:
  interval: %s
  ipv4: {sources: %s, quorum: 2}
records:
  - {name: home.example.com, proxied: true}
  - {name: vpn.example.com}
retry: {base: 10ms, max: 50ms}
log: {level: debug}
%s
%s`, w.api.URL, cmp.Or(w.detectInterval, "30s"), sources, testServer(extra), extra)
	w.useConfig(cfg)
}

// useConfig makes cfg the scenario's config file.
func (w *world) useConfig(cfg string) {
	w.t.Helper()
	w.config = filepath.Join(w.t.TempDir(), "flarewarden.yaml")
	if err := os.WriteFile(w.config, []byte(cfg), 0o600); err != nil {
		w.t.Fatal(err)
	}
}

// startDaemon runs `run` until stop, which returns its result (and may be
// called again), or the end of the test.
func (w *world) startDaemon() (stop func() result) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan result, 1)
	go func() { done <- w.cli(ctx, testToken, "run") }()
	var once sync.Once
	var r result
	stop = func() result { once.Do(func() { cancel(); r = <-done }); return r }
	w.t.Cleanup(func() { stop() })
	return stop
}

// testServer is the server section of a test config: an ephemeral
// loopback port, unless extra has a server section of its own.
func testServer(extra string) string {
	if strings.Contains(extra, "\nserver:") || strings.HasPrefix(extra, "server:") {
		return ""
	}
	return `server: {listen: "127.0.0.1:0"}`
}

// result is what one CLI invocation printed and returned.
type result struct {
	code           int
	stdout, stderr string
}

// safeBuffer is a bytes.Buffer safe for a daemon writing while a test reads.
type safeBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *safeBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *safeBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// cli runs flarewarden in-process with the scenario's environment.
func (w *world) cli(ctx context.Context, token string, args ...string) result {
	w.t.Helper()
	var out, errOut safeBuffer
	env := map[string]string{"CLOUDFLARE_API_TOKEN": token, "FLAREWARDEN_CONFIG": w.config}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	code := execute(ctx, args, &out, &errOut, lookup)
	r := result{code: code, stdout: out.String(), stderr: errOut.String()}
	w.assertNoToken(token, r.stdout, r.stderr)
	return r
}

func (w *world) run(args ...string) result {
	w.t.Helper()
	return w.cli(context.Background(), testToken, args...)
}

// assertNoToken fails the test if a token shows up in any output.
func (w *world) assertNoToken(token string, outputs ...string) {
	w.t.Helper()
	for _, o := range outputs {
		if token != "" && strings.Contains(o, token) {
			w.t.Fatalf("the api token leaked into the output:\n%s", o)
		}
	}
}

// underAttack sets example.com's security level to under_attack ("I'm Under
// Attack" mode) in the simulator.
func (w *world) underAttack() {
	w.t.Helper()
	if err := w.sim.SetSecurityLevel("example.com", "under_attack"); err != nil {
		w.t.Fatal(err)
	}
}

// writes returns the simulator's logged write requests as "METHOD path".
func (w *world) writes() []string {
	var out []string
	for _, r := range w.sim.Writes() {
		out = append(out, r.Method+" "+r.Path)
	}
	return out
}

// record returns the content of the first record of name and type, or "".
func (w *world) record(name, typ string) string {
	for _, r := range w.sim.Records("example.com") {
		if r.Name == name && r.Type == typ {
			return r.Content
		}
	}
	return ""
}

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }

func readFile(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// webhook is a loopback webhook that keeps every event it is sent.
type webhook struct {
	*httptest.Server
	mu     sync.Mutex
	events []map[string]any
}

// newWebhook starts a webhook, closed when the test ends.
func newWebhook(t testing.TB) *webhook {
	h := &webhook{}
	h.Server = httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		var e map[string]any
		if json.NewDecoder(r.Body).Decode(&e) == nil {
			h.mu.Lock()
			h.events = append(h.events, e)
			h.mu.Unlock()
		}
	}))
	t.Cleanup(h.Close)
	return h
}

// of returns, for each event of kind, its summary, and " | " and its
// detail when withDetail.
func (h *webhook) of(kind string, withDetail bool) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, e := range h.events {
		if e["kind"] != kind {
			continue
		}
		line := fmt.Sprint(e["summary"])
		if withDetail {
			line += fmt.Sprintf(" | %v", e["detail"])
		}
		out = append(out, line)
	}
	return out
}
