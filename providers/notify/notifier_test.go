package notify

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flarewarden/flarewarden/controller"
)

func TestNewValidation(t *testing.T) {
	good := "https://hc-ping.com/secret-uuid-1"
	tests := []struct {
		name string
		o    Options
		want []string // substrings of the error, in any order
	}{
		{"webhook without scheme", Options{Webhooks: []Webhook{{URL: "hooks.example.com/secret-path"}}},
			[]string{"notify.webhooks[0].url: has no scheme"}},
		{"empty webhook", Options{Webhooks: []Webhook{{URL: good}, {URL: ""}}},
			[]string{"notify.webhooks[1].url: is empty"}},
		{"bad header name", Options{Webhooks: []Webhook{{URL: good, Headers: map[string]string{"Bad Name": "secret-value"}}}},
			[]string{`notify.webhooks[0].headers: "Bad Name" is not a valid header name`}},
		{"header value with a line break", Options{Webhooks: []Webhook{{URL: good, Headers: map[string]string{"Authorization": "Bearer secret\r\nX: y"}}}},
			[]string{"notify.webhooks[0].headers[Authorization]: the value has a control character"}},
		{"healthchecks ftp", Options{Healthchecks: []string{good, "ftp://hc.example/secret-uuid"}},
			[]string{`notify.healthchecks[1]: scheme "ftp" is not http or https`}},
		{"healthchecks spaces", Options{Healthchecks: []string{" " + good}},
			[]string{"notify.healthchecks[0]: has leading or trailing spaces"}},
		{"kuma without host", Options{UptimeKuma: []string{"https:///api/push/secret-token"}},
			[]string{"notify.uptime_kuma[0]: has no host"}},
		{"kuma bad escape", Options{UptimeKuma: []string{"https://kuma.example/api/push/%zz-secret-token"}},
			[]string{"notify.uptime_kuma[0]: is not a valid URL"}},
		{"kuma opaque", Options{UptimeKuma: []string{"http:secret-token"}},
			[]string{"notify.uptime_kuma[0]: is not a valid URL"}},
		{"negative timeout and backoff", Options{Timeout: -time.Second, Backoff: -time.Second},
			[]string{"notify.timeout: -1s is negative", "notify.backoff: -1s is negative"}},
		{"all joined", Options{
			Webhooks:     []Webhook{{URL: "mailto:secret@example.com"}},
			Healthchecks: []string{"hc-ping.com/secret-uuid"},
			UptimeKuma:   []string{"https://kuma.example/api/push/secret-token", "//kuma.example/secret-token"},
			Timeout:      -1,
		}, []string{"notify.webhooks[0].url:", "notify.healthchecks[0]:", "notify.uptime_kuma[1]:", "notify.timeout:"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n, err := New(tc.o)
			if err == nil {
				t.Fatalf("New = %v, nil; want an error", n)
			}
			msg := err.Error()
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not contain %q", msg, w)
				}
			}
			if strings.Contains(msg, "secret") {
				t.Errorf("error %q repeats a secret", msg)
			}
		})
	}
}

func TestNewAcceptsValidOptions(t *testing.T) {
	n, err := New(Options{
		Webhooks:     []Webhook{{URL: "https://hooks.example.com/x", Headers: map[string]string{"Authorization": "Bearer t"}}},
		Healthchecks: []string{"https://hc-ping.com/uuid?create=1"},
		UptimeKuma:   []string{"http://[::1]:3001/api/push/token?status=up&msg=OK&ping="},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(n.targets) != 3 || n.s.timeout != defaultTimeout || n.s.retries != defaultRetries || n.s.backoff != defaultBackoff {
		t.Errorf("targets %d, settings %+v: want 3 targets and the defaults", len(n.targets), n.s)
	}
	if err := (&Notifier{}).Notify(t.Context(), controller.Event{Kind: controller.EventHealth}); err != nil {
		t.Errorf("Notify without targets = %v", err)
	}
}

// TestNotifyRoutesKinds checks which target wants which kind: the others
// are not sent anything.
func TestNotifyRoutesKinds(t *testing.T) {
	tests := []struct {
		e    controller.Event
		want []string // paths hit, sorted
	}{
		{controller.Event{Kind: controller.EventHealth, Healthy: false}, []string{"/hook"}},
		{controller.Event{Kind: controller.EventHealth, Healthy: true}, []string{"/hook"}},
		{controller.Event{Kind: controller.EventChange}, []string{"/hook"}},
		{controller.Event{Kind: controller.EventPassStart}, []string{"/hc/uuid/start"}},
		{controller.Event{Kind: controller.EventPassOK, Healthy: true}, []string{"/hc/uuid", "/kuma"}},
		{controller.Event{Kind: controller.EventPassFail}, []string{"/hc/uuid/fail", "/hook", "/kuma"}},
		{controller.Event{Kind: "something_else"}, nil},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s healthy=%t", tc.e.Kind, tc.e.Healthy), func(t *testing.T) {
			srv := newServer(t, nil)
			n, _ := newTest(t, Options{
				Webhooks:     []Webhook{{URL: srv.URL + "/hook"}},
				Healthchecks: []string{srv.URL + "/hc/uuid"},
				UptimeKuma:   []string{srv.URL + "/kuma"},
			})
			if err := n.Notify(testCtx(t), tc.e); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range srv.requests() {
				got = append(got, r.path)
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("paths hit = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestNotifyJoinsFailures checks that every failure is returned, in
// configuration order, named by field and redacted URL.
func TestNotifyJoinsFailures(t *testing.T) {
	bad := newServer(t, status(http.StatusBadRequest))
	ok := newServer(t, nil)
	n, _ := newTest(t, Options{
		Webhooks:     []Webhook{{URL: bad.URL + "/hook"}},
		Healthchecks: []string{ok.URL + "/uuid"},
		UptimeKuma:   []string{closedURL(t) + "/api/push/token"},
		Retries:      -1,
	})
	err := n.Notify(testCtx(t), controller.Event{Kind: controller.EventPassFail, Summary: "reconcile pass failed"})
	if err == nil {
		t.Fatal("Notify = nil, want two failures")
	}
	msg := err.Error()
	hook := "notify.webhooks[0] " + bad.URL + "/…: answered 400 Bad Request"
	kuma := "notify.uptime_kuma[0] http://127.0.0.1:"
	if i, j := strings.Index(msg, hook), strings.Index(msg, kuma); i < 0 || j < i {
		t.Errorf("error %q: want %q then %q", msg, hook, kuma)
	}
	if strings.Contains(msg, "healthchecks") {
		t.Errorf("error %q names the target that succeeded", msg)
	}
}

// TestNotifyConcurrent checks that targets are sent to at the same time:
// each server waits for the other's request before answering.
func TestNotifyConcurrent(t *testing.T) {
	var arrived sync.WaitGroup
	arrived.Add(2)
	both := make(chan struct{})
	go func() { arrived.Wait(); close(both) }()
	wait := func(_ int, w http.ResponseWriter, _ *http.Request) {
		arrived.Done()
		select {
		case <-both:
		case <-time.After(2 * time.Second):
			w.WriteHeader(http.StatusTeapot)
		}
	}
	a, b := newServer(t, wait), newServer(t, wait)
	n, _ := newTest(t, Options{Healthchecks: []string{a.URL + "/a", b.URL + "/b"}, Retries: -1})
	if err := n.Notify(testCtx(t), controller.Event{Kind: controller.EventPassStart}); err != nil {
		t.Fatalf("Notify = %v: the targets were not sent to concurrently", err)
	}
}

func TestPerTargetSendsOnlyToItsTarget(t *testing.T) {
	hook, ping := newServer(t, status(http.StatusBadRequest)), newServer(t, nil)
	n, _ := newTest(t, Options{Webhooks: []Webhook{{URL: hook.URL + "/hook"}}, Healthchecks: []string{ping.URL + "/uuid"},
		Retries: -1})
	parts := n.PerTarget()
	if len(parts) != 2 {
		t.Fatalf("PerTarget() has %d notifiers, want 2", len(parts))
	}
	ev := controller.Event{Kind: controller.EventPassFail, Summary: "reconcile pass failed"}
	if err := parts[1].Notify(testCtx(t), ev); err != nil {
		t.Fatalf("the ping target's Notify = %v", err)
	}
	if len(hook.requests()) != 0 || len(ping.requests()) != 1 {
		t.Fatalf("webhook got %d requests, ping %d: want 0 and 1", len(hook.requests()), len(ping.requests()))
	}
	if err := parts[0].Notify(testCtx(t), ev); err == nil || !strings.Contains(err.Error(), "notify.webhooks[0]") {
		t.Fatalf("the webhook's Notify = %v, want its 400", err)
	}
	if (*Notifier)(nil).PerTarget() != nil {
		t.Fatal("a nil Notifier has targets")
	}
	if got, want := parts[1].String(), "notify.healthchecks[0] "+ping.URL+"/…"; got != want {
		t.Fatalf("String() = %q, want %q (the path is a secret)", got, want)
	}
}
