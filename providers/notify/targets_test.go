package notify

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/flarewarden/flarewarden/controller"
)

func failing() controller.Event {
	return controller.Event{
		Kind: controller.EventHealth, Check: "home", Host: "home.example.com", From: controller.ClassOK, To: controller.ClassOriginDNSError,
		Summary: "home.example.com is failing: origin_dns_error", Detail: "Cloudflare cannot resolve the origin",
		Hint: "check the DDNS record", At: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC),
	}
}

func TestWebhookJSONAndHeaders(t *testing.T) {
	srv := newServer(t, nil)
	n, _ := newTest(t, Options{Webhooks: []Webhook{{
		URL:     srv.URL + "/hook?token=abc",
		Headers: map[string]string{"Authorization": "Bearer tok", "X-Extra": "1"},
	}}})
	if err := n.Notify(testCtx(t), failing()); err != nil {
		t.Fatal(err)
	}
	reqs := srv.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if r.method != http.MethodPost || r.path != "/hook" || r.query != "token=abc" {
		t.Errorf("request %s %s?%s, want POST /hook?token=abc", r.method, r.path, r.query)
	}
	for k, want := range map[string]string{"Authorization": "Bearer tok", "X-Extra": "1",
		"User-Agent": "flarewarden", "Content-Type": "application/json"} {
		if got := r.header.Get(k); got != want {
			t.Errorf("header %s = %q, want %q", k, got, want)
		}
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(r.body), &got); err != nil {
		t.Fatalf("body %q: %v", r.body, err)
	}
	want := map[string]any{
		"kind": "health", "check": "home", "host": "home.example.com", "from": "ok", "to": "origin_dns_error",
		"healthy": false, "summary": "home.example.com is failing: origin_dns_error",
		"detail": "Cloudflare cannot resolve the origin", "hint": "check the DDNS record", "at": "2025-01-02T03:04:05Z",
		"text": "flarewarden: home.example.com is failing: origin_dns_error — Cloudflare cannot resolve the origin (hint: check the DDNS record)",
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("body[%q] = %#v, want %#v", k, got[k], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("body has %d fields, want %d: %v", len(got), len(want), got)
	}
}

func TestHealthchecksPaths(t *testing.T) {
	tests := []struct {
		name     string
		e        controller.Event
		suffix   string // after the configured path, without its final /
		bodyHave string
	}{
		{"pass_start", controller.Event{Kind: controller.EventPassStart, Summary: "reconcile pass started"}, "/start", "reconcile pass started"},
		{"pass_ok", controller.Event{Kind: controller.EventPassOK, Healthy: true, Summary: "reconcile pass ok"}, "", "reconcile pass ok"},
		{"pass_fail", controller.Event{Kind: controller.EventPassFail, Summary: "reconcile pass failed", Detail: "zone not found"}, "/fail", "reconcile pass failed — zone not found"},
	}
	for _, tc := range tests {
		for _, base := range []string{"/ping/key/slug", "/ping/key/slug/"} {
			t.Run(tc.name+base, func(t *testing.T) {
				r := notifyOnce(t, tc.e, func(srv string) Options {
					return Options{Healthchecks: []string{srv + base + "?create=1&rid=7"}}
				})
				want := strings.TrimSuffix(base, "/") + tc.suffix
				if tc.suffix == "" {
					want = base // success pings the configured URL as it is
				}
				if r.path != want || r.query != "create=1&rid=7" {
					t.Errorf("pinged %s?%s, want %s?create=1&rid=7", r.path, r.query, want)
				}
				if !strings.Contains(r.body, tc.bodyHave) || r.header.Get("User-Agent") != "flarewarden" {
					t.Errorf("body %q (User-Agent %q), want it to contain %q", r.body, r.header.Get("User-Agent"), tc.bodyHave)
				}
			})
		}
	}
}

func TestWithSuffixKeepsEscapes(t *testing.T) {
	u, err := url.Parse("https://hc.example/ping/a%2Fb?x=%2F")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := withSuffix(u, "fail").String(), "https://hc.example/ping/a%2Fb/fail?x=%2F"; got != want {
		t.Errorf("withSuffix = %s, want %s", got, want)
	}
	if u.String() != "https://hc.example/ping/a%2Fb?x=%2F" {
		t.Errorf("withSuffix changed its argument: %s", u)
	}
}

func TestHealthchecksBodyCapped(t *testing.T) {
	c, d := healthchecks{url: &url.URL{Scheme: "http", Host: "h"}}.plan(controller.Event{Kind: controller.EventPassFail, Detail: strings.Repeat("é", maxPingBody)})
	if d != send || len(c.body) > maxPingBody || !strings.HasSuffix(string(c.body), "…") {
		t.Errorf("body of %d bytes (decision %d), want at most %d ending with …", len(c.body), d, maxPingBody)
	}
}

// TestTargetsDecideEveryKind checks, per target, that its switch names
// every kind of controller.EventKinds, to send or to ignore, and leaves
// only unknown kinds undecided: a new kind fails here until every target
// has decided on it.
func TestTargetsDecideEveryKind(t *testing.T) {
	u := &url.URL{Scheme: "https", Host: "example.com", Path: "/p"}
	for name, p := range map[string]planner{"webhook": webhook{url: u}, "healthchecks": healthchecks{url: u}, "kuma": kuma{url: u},
		"shoutrrr": shoutrrr{url: u}, "email": email{server: u}} {
		t.Run(name, func(t *testing.T) {
			for _, k := range controller.EventKinds {
				if _, d := p.plan(controller.Event{Kind: k}); d != send && d != ignore {
					t.Errorf("kind %q is undecided: name it in the target's switch, to send or to ignore", k)
				}
			}
			if _, d := p.plan(controller.Event{Kind: "pass_strat"}); d != undecided {
				t.Errorf("an unknown kind has decision %d, want undecided", d)
			}
		})
	}
}

func TestKumaQuery(t *testing.T) {
	tests := []struct {
		name   string
		e      controller.Event
		status string
		msg    string
	}{
		{"pass_ok", controller.Event{Kind: controller.EventPassOK, Healthy: true, Summary: "reconcile pass ok"}, "up", "reconcile pass ok"},
		{"pass_fail", controller.Event{Kind: controller.EventPassFail, Summary: "reconcile pass failed", Detail: "boom"}, "down", "reconcile pass failed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// As Uptime Kuma shows it, with defaults to replace and one extra parameter to keep.
			r := notifyOnce(t, tc.e, func(srv string) Options {
				return Options{UptimeKuma: []string{srv + "/api/push/tok3n?status=up&msg=OK&ping=&extra=1"}}
			})
			q, err := url.ParseQuery(r.query)
			if err != nil {
				t.Fatal(err)
			}
			want := url.Values{"status": {tc.status}, "msg": {tc.msg}, "ping": {""}, "extra": {"1"}}
			if r.method != http.MethodGet || r.path != "/api/push/tok3n" || q.Encode() != want.Encode() {
				t.Errorf("got %s %s?%s, want GET /api/push/tok3n?%s", r.method, r.path, r.query, want.Encode())
			}
		})
	}
}

func TestEventText(t *testing.T) {
	tests := []struct {
		e    controller.Event
		want string
	}{
		{failing(), "flarewarden: home.example.com is failing: origin_dns_error — Cloudflare cannot resolve the origin (hint: check the DDNS record)"},
		{controller.Event{Kind: controller.EventChange, Zone: "example.com", Summary: "2 changes applied", Detail: "create a"},
			"flarewarden: example.com: 2 changes applied — create a"},
		{controller.Event{Kind: controller.EventHealth, Host: "h.example", Summary: "still failing", Hint: "look"},
			"flarewarden: h.example: still failing (hint: look)"},
		{controller.Event{Kind: controller.EventPassFail, Summary: "reconcile pass failed"}, "flarewarden: reconcile pass failed"},
		{controller.Event{Kind: controller.EventPassStart}, "flarewarden: pass_start"},
	}
	for _, tc := range tests {
		if got := eventText(tc.e); got != tc.want {
			t.Errorf("eventText(%+v)\n got %q\nwant %q", tc.e, got, tc.want)
		}
	}
}

// notifyOnce sends e through a Notifier whose options opts builds from a
// test server's base URL, and returns the one request the server got.
func notifyOnce(t *testing.T, e controller.Event, opts func(srv string) Options) seen {
	t.Helper()
	srv := newServer(t, nil)
	n, _ := newTest(t, opts(srv.URL))
	if err := n.Notify(testCtx(t), e); err != nil {
		t.Fatal(err)
	}
	reqs := srv.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	return reqs[0]
}
