package service

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"golang.org/x/net/html"

	"github.com/flarewarden/flarewarden/cmd/flarewarden/config"
	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/controller/controllertest"
	"github.com/flarewarden/flarewarden/controller/daemon"
	"github.com/flarewarden/flarewarden/controller/history"
	"github.com/flarewarden/flarewarden/providers/metrics"
)

// Secrets that must never reach the page.
const (
	fakeAPIToken    = "cf-api-token-9f8e7d6c5b4a"
	fakeServerToken = "srv-token-0a1b2c3d"
	secretSource    = "url:https://user:pw@ip.example/secret?k=v"
)

var pageNow = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

// pageEndpoint is an endpoint of a config managing home.example.com and
// vpn.example.com, whose api token and bearer token are fakes.
func pageEndpoint(t *testing.T, h *history.History) *Endpoint {
	t.Helper()
	cfg, err := config.Parse([]byte(`records: [{name: home.example.com}, {name: vpn.example.com}]
health: {checks: [{name: home, url: "https://user:pw@home.example.com/health?key=s3cret"}]}
notify: {webhooks: [{url: "https://hooks.example/T0/B1/s3cret-hook", headers: {Authorization: "Bearer s3cret-header"}}]}
`))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Cloudflare.TokenSource = fakeAPIToken
	return &Endpoint{State: NewRunState(cfg, LeaderView{}), Metrics: metrics.New(), History: h, Token: fakeServerToken,
		Log: zap.NewNop(), Now: func() time.Time { return pageNow }}
}

func get(e *Endpoint, path string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	e.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec
}

func TestPageHeadersAndRoutes(t *testing.T) {
	e := pageEndpoint(t, nil)
	rec := get(e, "/")
	want := map[string]string{
		"Content-Type":            "text/html; charset=utf-8",
		"Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "no-referrer",
		"Cache-Control":           "no-store",
	}
	if rec.Code != http.StatusOK {
		t.Fatalf("GET / = %d %s", rec.Code, rec.Body)
	}
	for k, v := range want {
		if got := rec.Header().Get(k); got != v {
			t.Errorf("GET / %s = %q, want %q", k, got, v)
		}
	}
	css := get(e, "/status/page.css")
	if css.Code != http.StatusOK || !strings.HasPrefix(css.Header().Get("Content-Type"), "text/css") ||
		!strings.Contains(css.Header().Get("Cache-Control"), "max-age=") || !strings.Contains(css.Body.String(), "prefers-color-scheme: dark") {
		t.Errorf("GET /status/page.css = %d %v", css.Code, css.Header())
	}
	if rec := get(e, "/nothing-here"); rec.Code != http.StatusNotFound {
		t.Errorf("GET /nothing-here = %d, want 404 (the page is at the root only)", rec.Code)
	}
	post := httptest.NewRecorder()
	e.Handler().ServeHTTP(post, httptest.NewRequest(http.MethodPost, "/", nil))
	if post.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST / = %d, want 405", post.Code)
	}
}

// TestPageWithoutPassOrHistory renders the page before anything happened.
func TestPageWithoutPassOrHistory(t *testing.T) {
	tests := []struct {
		name  string
		setup func(e *Endpoint)
		want  []string
	}{
		{"no config", func(e *Endpoint) { e.State.Cfg = nil }, []string{"not ready: config not loaded",
			"No managed name: no config is loaded.", "on the next trigger", "No history is kept here."}},
		{"no daemon yet", func(*Endpoint) {}, []string{"Not checked", "Last pass none yet", "ready: starting",
			"home.example.com no pass yet", "No pass yet: nothing detected.", "No history is kept here."}},
		{"daemon, no pass yet", func(e *Endpoint) { e.State.SetDaemon(&daemon.Daemon{Log: zap.NewNop()}, nil, pageNow) },
			[]string{"Last pass none yet", "Next pass 2026-01-01 12:05:00 UTC (in 5m), or sooner on a trigger"}},
		{"follower", func(e *Endpoint) { e.State.Election = LeaderView{Enabled: true, Identity: "pod-a", Leader: "pod-b"} },
			[]string{"follower of pod-b: the leader runs the passes", "Next pass on the leader"}},
		{"empty history", func(e *Endpoint) { e.History = history.New(func() time.Time { return pageNow.Add(-time.Hour) }) },
			[]string{"watching since 2026-01-01 11:00:00 UTC (1h ago) (a restart starts an empty history)", "Nothing recorded yet"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := pageEndpoint(t, nil)
			tt.setup(e)
			rec := get(e, "/")
			if rec.Code != http.StatusOK {
				t.Fatalf("GET / = %d %s", rec.Code, rec.Body)
			}
			text := visibleText(t, rec.Body.String())
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("page lacks %q:\n%s", w, text)
				}
			}
		})
	}
}

// TestPageFromARealDaemon serves the page of a daemon whose first pass
// took a dead CNAME over.
func TestPageFromARealDaemon(t *testing.T) {
	h := history.New(time.Now)
	e := pageEndpoint(t, h)
	e.Now = time.Now
	dns := &controllertest.MemDNS{Listed: []controller.Zone{controllertest.Zone}, Stored: map[string][]controller.Record{
		"z1": {{ID: "r1", ZoneID: "z1", Name: "home.example.com", Type: "CNAME", Content: "myhome.duckdns.org", TTL: 1}}}}
	sched, err := config.CronParser.Parse("@every 1h")
	if err != nil {
		t.Fatal(err)
	}
	d := &daemon.Daemon{Reconciler: controllertest.NewReconciler(dns, zap.NewNop(),
		controller.NameSpec{Field: "records[0]", Name: "home.example.com", TakeoverCNAME: true}),
		Schedule: sched, Backoff: daemon.Backoff{Base: time.Second, Max: time.Minute}, Observer: h, Log: zap.NewNop()}
	e.State.SetDaemon(d, nil, time.Now())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	defer func() { cancel(); <-done }()
	for deadline := time.Now().Add(5 * time.Second); d.Snapshot().LastPassAt.IsZero(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no pass within 5 s")
		}
	}
	text := visibleText(t, get(e, "/").Body.String())
	for _, w := range []string{"taken over home.example.com A 203.0.113.7",
		"takeover: the CNAME to myhome.duckdns.org was replaced by the detected address",
		"home.example.com CNAME myhome.duckdns.org -> A 203.0.113.7", "Pass ok, 1 change", "ipv4 203.0.113.7"} {
		if !strings.Contains(text, w) {
			t.Errorf("page lacks %q:\n%s", w, text)
		}
	}
}

// scenarioView is a daemon whose last pass took home.example.com's CNAME
// over and followed a new address; the home check fails, and the
// detection and the check's explanation carry URLs with secrets.
func scenarioView(t *testing.T, e *Endpoint) RunView {
	t.Helper()
	v := e.State.view()
	rep := scenarioReport("203.0.113.8")
	v.Snap = &daemon.Status{LastPass: &rep, LastPassAt: pageNow.Add(-time.Hour - 2*time.Second), LastOKAt: pageNow.Add(-time.Hour),
		Health: scenarioHealth(controller.ClassOriginDown, pageNow.Add(-time.Minute)),
		Uplinks: []daemon.UplinkState{{Uplink: "fiber", Up: true, Since: pageNow.Add(-3 * time.Hour)},
			{Uplink: "lte", Reason: "canary check lte failing", Since: pageNow.Add(-10 * time.Minute)}}}
	return v
}

func scenarioReport(addr string) controller.Report {
	ip := netip.MustParseAddr(addr)
	return controller.Report{
		Detection: controller.Detection{V4: controller.FamilyResult{State: controller.StateKnown, Addr: ip, Quorum: 2,
			Answers: []controller.SourceAnswer{{Source: secretSource, Addr: ip}, {Source: "cloudflare-trace", Addr: ip},
				{Source: "dns", Err: "timeout"}}}, V6: controller.FamilyResult{State: controller.StateDisabled}},
		Plan: controller.PlanResult{Changes: []controller.Change{
			{Action: controller.ActionDelete, Name: "home.example.com", Type: "CNAME", Reason: "takeover: CNAME replaced by A",
				Before: &controller.Record{Content: "myhome.duckdns.org"}},
			{Action: controller.ActionCreate, Name: "home.example.com", Type: "A", Reason: "takeover of CNAME myhome.duckdns.org",
				After: &controller.Record{Content: addr}},
			{Action: controller.ActionUpdate, Name: "vpn.example.com", Type: "A", Reason: "stale address",
				Before: &controller.Record{Content: "203.0.113.7"}, After: &controller.Record{Content: addr}}}},
		Security: []controller.SecurityStatus{{Zone: "example.com", Level: "under_attack", UnderAttack: true,
			Exemptions: []controller.Exemption{{Rule: "scripts", Source: "self", Exempted: true}}}},
	}
}

func scenarioHealth(home controller.Class, at time.Time) []controller.CheckResult {
	edge := controller.Diagnosis{Class: home}
	if home != controller.ClassOK {
		edge = controller.Diagnosis{Class: home, Status: 521, Hint: "start the web server on the origin, or let Cloudflare's addresses through its firewall",
			Explanation: `Cloudflare reached no server at the origin: Get "https://user:pw@home.example.com/health?key=s3cret": 521`}
	}
	return []controller.CheckResult{{Check: "home", Host: "home.example.com", Edge: edge, At: at},
		{Check: "vpn", Host: "vpn.example.com", Edge: controller.Diagnosis{Class: controller.ClassOK}, At: at}}
}

// scenarioHistory: a first pass at .7, a failed pass, the pass that
// followed .8, then home failing for the last half hour.
func scenarioHistory() *history.History {
	clock := pageNow.Add(-2 * time.Hour)
	h := history.New(func() time.Time { return clock })
	at := func(d time.Duration) { clock = pageNow.Add(d) }
	at(-2 * time.Hour)
	h.ObservePass(controller.Report{Detection: scenarioReport("203.0.113.7").Detection}, nil, time.Second)
	at(-100 * time.Minute)
	h.ObservePass(controller.Report{Detection: scenarioReport("203.0.113.7").Detection}, errors.New(`list zones: Get "https://api.example/zones?token=s3cret": EOF`), 3*time.Second)
	h.ObserveHealth(scenarioHealth(controller.ClassOK, pageNow.Add(-90*time.Minute)), pageNow.Add(-90*time.Minute))
	at(-time.Hour)
	h.ObservePass(scenarioReport("203.0.113.8"), nil, 2*time.Second)
	for _, d := range []time.Duration{-30 * time.Minute, -time.Minute} {
		h.ObserveHealth(scenarioHealth(controller.ClassOriginDown, pageNow.Add(d)), pageNow.Add(d))
	}
	return h
}

func TestPageTellsWhatHappened(t *testing.T) {
	h := scenarioHistory()
	e := pageEndpoint(t, h)
	s := h.Snapshot()
	rec := httptest.NewRecorder()
	e.writePage(context.Background(), rec, buildPage(scenarioView(t, e), &s, pageNow))
	body := rec.Body.String()
	text := visibleText(t, body)
	for _, w := range []string{
		"Unhealthy", "1 of 2 health checks fail: home (home.example.com)",
		"taken over home.example.com A 203.0.113.8 takeover: the CNAME to myhome.duckdns.org was replaced by the detected address",
		"home.example.com CNAME myhome.duckdns.org -> A 203.0.113.8",
		"updated vpn.example.com A 203.0.113.8 the last pass changed it: update A",
		"ipv4 203.0.113.8 quorum 2 of 3 sources", "url:https://ip.example/…: 203.0.113.8", "dns: error: timeout",
		"failing home (home.example.com) checked 2026-01-01 11:59:00 UTC (1m ago) the origin refused Cloudflare's connection (521) origin_down",
		"Hint: start the web server on the origin, or let Cloudflare's addresses through its firewall",
		"last 24 h: failing 30m, ok 1h, not checked 22h30m",
		"down lte since 2026-01-01 11:50:00 UTC (10m ago): canary check lte failing",
		"example.com security level under_attack: Under Attack mode is on skip rule scripts, self: exempted from the challenge",
		"ipv4 address changed: 203.0.113.7 -> 203.0.113.8 records that followed: home.example.com, vpn.example.com",
		"home (home.example.com): ok -> origin_down now: the origin refused Cloudflare's connection (521) ok had lasted 1h",
		"Pass failed took 3s error: list zones: Get \"https://api.example/…\": EOF",
		"Pass durations, last 3 passes: 1 failed, the longest took 3s (red: failed)",
		"JSON: /status (this page's data), /status/history (everything kept since the start), /metrics (Prometheus).",
	} {
		if !strings.Contains(text, w) {
			t.Errorf("page lacks %q:\n%s", w, text)
		}
	}
	for _, never := range []string{fakeAPIToken, fakeServerToken, "s3cret", "user:pw", "pw@", "k=v", "/secret", "hooks.example", "Bearer", "ZgotmplZ"} {
		if strings.Contains(body, never) {
			t.Errorf("page shows %q", never)
		}
	}
	if bad := barRects(t, body, "home (home.example.com)", "bad"); bad == 0 {
		t.Error("the failing check's bar has no red segment")
	}
	if bad := barRects(t, body, "vpn (vpn.example.com)", "bad"); bad != 0 {
		t.Errorf("the passing check's bar has %d red segments", bad)
	}
}

// visibleText is the text a browser shows of the page's body, a space
// between blocks, white space collapsed; the page must parse.
func visibleText(t *testing.T, body string) string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatalf("page does not parse: %v", err)
	}
	var b strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		switch {
		case n.Type == html.TextNode:
			b.WriteString(n.Data)
		case n.Type == html.ElementNode && (n.Data == "head" || n.Data == "svg"):
			return
		}
		block := n.Type == html.ElementNode && blocks[n.Data]
		if block {
			b.WriteString(" ")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if block {
			b.WriteString(" ")
		}
	}
	walk(doc)
	return strings.Join(strings.Fields(b.String()), " ")
}

// blocks are the block elements of the page.
var blocks = map[string]bool{"header": true, "section": true, "footer": true, "h1": true, "h2": true, "h3": true, "p": true,
	"dl": true, "dt": true, "dd": true, "ul": true, "ol": true, "li": true, "figure": true, "figcaption": true}

// inside reports whether n has an ancestor named one of names.
func inside(n *html.Node, names ...string) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		for _, name := range names {
			if p.Data == name {
				return true
			}
		}
	}
	return false
}

// barRects counts the rects of class tone in the health bar of the check
// whose row names check.
func barRects(t *testing.T, body, check, tone string) int {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	count := 0
	for n := range doc.Descendants() {
		if n.Data != "rect" || attr(n, "class") != tone || !inside(n, "svg") {
			continue
		}
		row := n.Parent
		for row != nil && row.Data != "li" {
			row = row.Parent
		}
		if row != nil && row.FirstChild != nil && strings.Contains(visibleRow(row), check) {
			count++
		}
	}
	return count
}

// visibleRow is the text of a row's strong element (its name).
func visibleRow(li *html.Node) string {
	for n := range li.Descendants() {
		if n.Data == "strong" && n.FirstChild != nil {
			return n.FirstChild.Data
		}
	}
	return ""
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}
