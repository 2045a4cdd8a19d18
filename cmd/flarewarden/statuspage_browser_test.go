package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/chromedp"

	"github.com/flarewarden/flarewarden/providers/nettest"
)

// Secrets the status page must never show: an IP source URL's query, a
// health check header's value, a webhook URL's query.
const (
	sourceSecret  = "source-url-secret"
	headerSecret  = "page-header-secret"
	webhookSecret = "webhook-url-secret"
)

// chromium returns the path of a Chromium (or Chrome) to drive, or skips
// the test with how to get one; FLAREWARDEN_REQUIRE_BROWSER=1 (CI) makes a
// missing browser a failure instead.
func chromium(t *testing.T) string {
	t.Helper()
	candidates := []string{os.Getenv("FLAREWARDEN_CHROMIUM"), "chromium", "chromium-browser", "google-chrome", "headless-shell"}
	for _, c := range candidates {
		if c == "" {
			continue
		}
		if p, err := exec.LookPath(c); err == nil {
			return p
		}
	}
	const how = "no Chromium found (set FLAREWARDEN_CHROMIUM, or apt-get install chromium): the status page's browser test needs one"
	if os.Getenv("FLAREWARDEN_REQUIRE_BROWSER") == "1" {
		t.Fatal(how)
	}
	t.Skip(how)
	return ""
}

// artefactDir is where screenshots are kept after the test: the directory
// FLAREWARDEN_ARTEFACTS names, else flarewarden-artefacts in the system's
// temporary directory.
func artefactDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("FLAREWARDEN_ARTEFACTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "flarewarden-artefacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// browser is a headless Chromium tab that collects every console error
// and warning, uncaught exception and browser log entry of those levels
// (a Content-Security-Policy violation is one).
type browser struct {
	ctx      context.Context
	mu       sync.Mutex
	problems []string
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox, chromedp.DisableGPU, chromedp.WindowSize(1280, 900))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	b := &browser{ctx: ctx}
	enableLog := chromedp.Action[chromedp.Void](func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, tg, cdplog.Enable, cdp.Empty{})
		return chromedp.Void{}, err
	})
	if err := chromedp.Do(ctx, enableLog); err != nil { // the first call starts the browser: under ctx, not a timeout
		cancel()
		cancelAlloc()
		t.Fatalf("start chromium: %v", err)
	}
	messages := chromedp.Console(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleWarning || m.IsException() {
				b.mu.Lock()
				b.problems = append(b.problems, fmt.Sprintf("%s: %s (%s:%d)", m.Type, m.Text, m.URL, m.Line+1))
				b.mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() { cancel(); cancelAlloc(); <-done })
	return b
}

// reported returns what the page logged as errors or warnings so far.
func (b *browser) reported() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.problems...)
}

// do runs steps within 30 s.
func (b *browser) do(t *testing.T, steps ...chromedp.Action[chromedp.Void]) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	return chromedp.Do(ctx, steps...)
}

// look loads url in a viewport width wide (dark: prefers-color-scheme
// dark), saves a full-page screenshot as name in the artefacts and returns
// the page's visible text.
func (b *browser) look(t *testing.T, url, name string, width int64, dark bool) string {
	t.Helper()
	scheme := "light"
	if dark {
		scheme = "dark"
	}
	media := chromedp.Action[chromedp.Void](func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}})
		return chromedp.Void{}, err
	})
	if err := b.do(t, chromedp.EmulateViewport(width, 900), media, chromedp.Navigate(url),
		chromedp.WaitVisible(chromedp.CSS("body"))); err != nil {
		t.Fatalf("load %s: %v", url, err)
	}
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
	if err != nil {
		t.Fatalf("read the page's text: %v", err)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // quality 100 is a PNG
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	path := filepath.Join(artefactDir(t), name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
	if dir := os.Getenv("FLAREWARDEN_SCREENSHOT_DIR"); dir != "" { // docs/ for the README
		if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return text
}

// statusPageWorld runs `run` on the simulator through a DDNS outage taken
// over, an address change and a failing check, and returns the running
// daemon once /status shows all three.
func statusPageWorld(t *testing.T) (*healWorld, *daemonRun) {
	t.Helper()
	h := newHealWorld(t)
	h.detectInterval = "50ms"
	h.configure("records:\n  - {name: home.example.com, proxied: true, takeover_cname: on-failure}\n  - {name: vpn.example.com}\n", "")
	cfg := readFile(t, h.config)
	for old, repl := range map[string]string{
		"/a\"": "/a?key=" + sourceSecret + "\"",
		"headers: {X-Sim-Client-IP: 203.0.113.7}": "headers: {X-Sim-Client-IP: 203.0.113.7, X-Api-Key: " + headerSecret + "}",
		h.hook.URL + "\"":                         h.hook.URL + "/?token=" + webhookSecret + "\"",
	} {
		if !strings.Contains(cfg, old) {
			t.Fatalf("config has no %q:\n%s", old, cfg)
		}
		cfg = strings.Replace(cfg, old, repl, 1)
	}
	writeFile(t, h.config, cfg)

	r := h.world.startRun(&cli{})
	r.waitFor("the first pass", func() bool { return h.record("vpn.example.com", "A") == "203.0.113.7" })
	h.dns.Set("myhome.duckdns.org") // the DDNS provider is down: the CNAME is taken over
	r.waitFor("the takeover", func() bool { return h.record("home.example.com", "A") == "203.0.113.7" })
	h.publicIP.Store("203.0.113.8") // the ISP changes the address
	r.waitFor("the address change", func() bool { return h.record("home.example.com", "A") == "203.0.113.8" })
	dead := nettest.ClosedPort(t)
	for _, ip := range h.originIPs {
		h.sim.SetOrigin(ip, dead) // the web server stops: Cloudflare answers 521
	}
	r.waitFor("the failing check in /status/history", func() bool {
		_, body := r.get("/status/history")
		return strings.Contains(body, `"to": "origin_down"`) && strings.Contains(body, `"to": "203.0.113.8"`)
	})
	return h, r
}

func TestStatusPageInABrowser(t *testing.T) {
	b := newBrowser(t)
	_, r := statusPageWorld(t)
	code, html := r.get("/")
	if code != 200 {
		t.Fatalf("GET / = %d\n%s", code, html)
	}
	_, hist := r.get("/status/history")
	for _, want := range []string{"home.example.com CNAME myhome.duckdns.org -> A 203.0.113.7", `"from": "203.0.113.7"`,
		`"to": "203.0.113.8"`, `"to": "origin_down"`, `"since":`} {
		if !strings.Contains(hist, want) {
			t.Errorf("/status/history lacks %s:\n%s", want, hist)
		}
	}
	for _, body := range []string{html, hist} {
		for _, secret := range []string{testToken, sourceSecret, headerSecret, webhookSecret} {
			if strings.Contains(body, secret) {
				t.Errorf("a secret (%s) is on the page or in the history", secret)
			}
		}
	}
	text := b.look(t, r.base+"/", "status-page.png", 1280, false)
	for _, want := range statusPageTexts {
		if !strings.Contains(text, want) {
			t.Errorf("the page does not show %q; it reads:\n%s", want, text)
		}
	}
	b.look(t, r.base+"/", "status-page-phone-dark.png", 390, true)
	if p := b.reported(); len(p) > 0 {
		t.Errorf("the browser reported:\n%s", strings.Join(p, "\n"))
	}
}

// statusPageTexts are what the page must show after statusPageWorld:
// the failing check in plain words, the takeover, the address change and
// the records that followed it, and the failure before the takeover.
var statusPageTexts = []string{
	"Unhealthy", "1 of 1 health checks fail: home (home.example.com)",
	"the origin refused Cloudflare's connection (521)", "home (home.example.com): ok -> origin_down",
	"home.example.com CNAME myhome.duckdns.org -> A 203.0.113.7",
	"home (home.example.com): ok -> ddns_target_down",
	"ipv4 address changed: 203.0.113.7 -> 203.0.113.8", "records that followed: home.example.com, vpn.example.com",
	"watching since",
}
