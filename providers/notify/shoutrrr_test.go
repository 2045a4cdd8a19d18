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

// The secrets of the shoutrrr URLs below: none may appear in a message,
// an error or a log.
const (
	shoutrrrSecret = "s3cretPathKey"
	gotifyToken    = "AsEcr3tT0ken.xy" // 15 characters from A, as Gotify's are
	apiToken       = "cf-api-t0ken-never-sent"
)

// changeEvent and healthEvent are events as the daemon builds them.
func changeEvent() controller.Event {
	return controller.Event{Kind: controller.EventChange, Healthy: true, Summary: "2 changes applied",
		Detail: "home.example.com A 203.0.113.7 -> 203.0.113.8; nas.example.com CNAME myhome.duckdns.org -> A 203.0.113.8",
		At:     time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func healthEvent() controller.Event {
	return controller.Event{Kind: controller.EventHealth, Check: "home", Host: "home.example.com", From: controller.ClassOK,
		To: controller.ClassOriginDNSError, Summary: "check home: home.example.com is failing: origin_dns_error, Cloudflare cannot resolve the origin's address (error 1016)",
		Detail: "Cloudflare cannot resolve the origin", Hint: "check the DDNS record", At: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)}
}

// TestShoutrrrServicesOnLoopback sends a change and a health event through
// shoutrrr's ntfy, Gotify, Mattermost and Bark services, each pointed at a
// plain-http server on 127.0.0.1, and checks what each received.
func TestShoutrrrServicesOnLoopback(t *testing.T) {
	tests := []struct {
		name    string
		url     func(hostPort string) string
		path    string
		message func(t *testing.T, body string) string // the event's text in the body
	}{
		{"ntfy", func(hp string) string { return "ntfy://" + hp + "/alerts-" + shoutrrrSecret + "?scheme=http" }, "/alerts-" + shoutrrrSecret, plainBody},
		{"gotify", func(hp string) string { return "gotify://" + hp + "/" + gotifyToken + "?disabletls=yes" }, "/message", jsonField("message")},
		{"mattermost", func(hp string) string { return "mattermost://" + hp + "/" + shoutrrrSecret + "?disabletls=yes" }, "/hooks/" + shoutrrrSecret, jsonField("text")},
		{"bark", func(hp string) string { return "bark://:" + shoutrrrSecret + "@" + hp + "/?scheme=http" }, "/push", jsonField("body")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t, jsonOK) // ntfy, Gotify and Bark read a JSON answer
			n, logs := newTest(t, Options{Shoutrrr: []string{tc.url(strings.TrimPrefix(srv.URL, "http://"))}})
			for _, e := range []controller.Event{changeEvent(), healthEvent()} {
				if err := n.Notify(testCtx(t), e); err != nil {
					t.Fatalf("Notify(%s): %v", e.Kind, err)
				}
			}
			reqs := srv.requests()
			if len(reqs) != 2 {
				t.Fatalf("%d requests, want one per event", len(reqs))
			}
			for i, want := range []string{
				"flarewarden: 2 changes applied — home.example.com A 203.0.113.7 -> 203.0.113.8; nas.example.com CNAME myhome.duckdns.org -> A 203.0.113.8",
				"flarewarden: check home: home.example.com is failing: origin_dns_error, Cloudflare cannot resolve the origin's address (error 1016) — Cloudflare cannot resolve the origin (hint: check the DDNS record)",
			} {
				r := reqs[i]
				if r.method != http.MethodPost || r.path != tc.path {
					t.Errorf("request %d: %s %s, want POST %s", i, r.method, r.path, tc.path)
				}
				if got := tc.message(t, r.body); got != want {
					t.Errorf("message %d\n got %q\nwant %q", i, got, want)
				}
			}
			if logs.Len() != 0 {
				t.Errorf("%d warnings logged for deliveries that succeeded", logs.Len())
			}
		})
	}
}

// jsonOK answers 200 with a JSON object, as ntfy, Gotify and Bark do (Bark
// reads its "code").
func jsonOK(_ int, w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"id":1,"code":200}`))
}

// plainBody is a text body as it is.
func plainBody(_ *testing.T, body string) string { return body }

// jsonField reads the string field name of a JSON body: Gotify's
// "message", Mattermost's "text", Bark's "body".
func jsonField(name string) func(t *testing.T, body string) string {
	return func(t *testing.T, body string) string {
		t.Helper()
		var m map[string]any
		if err := json.Unmarshal([]byte(body), &m); err != nil {
			t.Fatalf("body %q: %v", body, err)
		}
		v, _ := m[name].(string)
		return v
	}
}

// TestShoutrrrNeverShowsSecrets makes every shoutrrr service fail (500,
// then a closed port) and checks that the messages sent, the errors and
// the logs hold neither the API token nor the URLs' secrets.
func TestShoutrrrNeverShowsSecrets(t *testing.T) {
	srv := newServer(t, status(http.StatusInternalServerError))
	hp := strings.TrimPrefix(srv.URL, "http://")
	closed := strings.TrimPrefix(closedURL(t), "http://")
	urls := []string{
		"ntfy://" + hp + "/alerts-" + shoutrrrSecret + "?scheme=http&click=https://example.com/" + shoutrrrSecret,
		"ntfy://user:" + shoutrrrSecret + "@" + hp + "/topic?scheme=http",
		"gotify://" + hp + "/" + gotifyToken + "?disabletls=yes",
		"mattermost://" + closed + "/" + shoutrrrSecret + "?disabletls=yes",
	}
	n, logs := newTest(t, Options{Shoutrrr: urls, Retries: 1})
	var texts []string
	for _, e := range []controller.Event{changeEvent(), healthEvent(), {Kind: controller.EventPassFail, Summary: "reconcile pass failed", Detail: "zone example.com: 403 Forbidden"}} {
		err := n.Notify(testCtx(t), e)
		if err == nil {
			t.Fatalf("Notify(%s) succeeded against failing services", e.Kind)
		}
		texts = append(texts, err.Error())
	}
	for _, entry := range logs.All() {
		texts = append(texts, entry.Message+" "+entry.ContextMap()["error"].(string)+" "+entry.ContextMap()["target"].(string))
	}
	for _, r := range srv.requests() {
		texts = append(texts, r.body)
	}
	texts = append(texts, n.String())
	for _, text := range texts {
		for _, secret := range []string{shoutrrrSecret, gotifyToken, apiToken} {
			if strings.Contains(text, secret) {
				t.Errorf("%q shows the secret %q", text, secret)
			}
		}
	}
	if !strings.Contains(texts[0], "notify.shoutrrr[3] mattermost://127.0.0.1:") {
		t.Errorf("error %q does not name notify.shoutrrr[3] by its redacted URL", texts[0])
	}
}

func TestShoutrrrURLErrors(t *testing.T) {
	tests := []struct {
		give string
		want string
	}{
		{"", "notify.shoutrrr[0]: is empty"},
		{"ntfy.sh/" + shoutrrrSecret, "notify.shoutrrr[0]: has no scheme"},
		{"nosuch://" + shoutrrrSecret + "@host/x", `notify.shoutrrr[0]: scheme "nosuch" is not a shoutrrr service`},
		{"ntfy://user:" + shoutrrrSecret + "@ntfy.sh", "notify.shoutrrr[0]: is not a valid ntfy URL: topic is required"},
		{"ntfy+https://ntfy.sh/" + shoutrrrSecret, "notify.shoutrrr[0]: the ntfy service takes no custom URL (ntfy+https): want ntfy://"},
	}
	for _, tc := range tests {
		_, err := New(Options{Shoutrrr: []string{tc.give}})
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("New(%q) = %v, want an error starting %q", tc.give, err, tc.want)
			continue
		}
		if strings.Contains(err.Error(), shoutrrrSecret) {
			t.Errorf("New(%q): error %q shows the secret", tc.give, err)
		}
	}
}

// TestShoutrrrNotBuiltIn checks that the services left out of
// shoutrrrServices, and unknown schemes, are refused with a reason and
// without the URL's secret.
func TestShoutrrrNotBuiltIn(t *testing.T) {
	tests := []struct {
		give string
		want string
	}{
		{"generic://example.com/hook/" + shoutrrrSecret + "?@Authorization=Bearer%20" + shoutrrrSecret,
			"notify.shoutrrr[0]: generic is not built in: use notify.webhooks for a JSON webhook"},
		{"generic+https://example.com/hook/" + shoutrrrSecret, "notify.shoutrrr[0]: generic is not built in: use notify.webhooks"},
		{"smtp://me:" + shoutrrrSecret + "@mail.example.com:587/?to=ops@example.com",
			"notify.shoutrrr[0]: smtp (e-mail) is not built in: its template rendering would add 13 MB to every binary"},
		{"logger://" + shoutrrrSecret, "notify.shoutrrr[0]: logger is not built in: its template rendering would add 13 MB to every binary"},
		{"nosuch://" + shoutrrrSecret + "@host/" + shoutrrrSecret + "?k=" + shoutrrrSecret,
			`notify.shoutrrr[0]: scheme "nosuch" is not a shoutrrr service (ntfy, gotify, discord, telegram, slack...)`},
		{"nosuch+https://host/" + shoutrrrSecret, `notify.shoutrrr[0]: scheme "nosuch" is not a shoutrrr service`},
	}
	for _, tc := range tests {
		_, err := New(Options{Shoutrrr: []string{tc.give}})
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("New(%q) = %v, want an error starting %q", tc.give, err, tc.want)
			continue
		}
		for _, part := range []string{shoutrrrSecret, "example.com", "host/"} {
			if strings.Contains(err.Error(), part) {
				t.Errorf("New(%q): error %q shows %q of the URL", tc.give, err, part)
			}
		}
	}
}

// TestShoutrrrCustomURLs checks the "service+https://" webhook form of the
// two services that take one, Teams and Notifiarr, and that a bad one is
// refused without its secret.
func TestShoutrrrCustomURLs(t *testing.T) {
	for _, give := range []string{
		"teams+https://example.webhook.office.com/webhookb2/11111111-4444-4444-8444-cccccccccccc@22222222-4444-4444-8444-cccccccccccc/IncomingWebhook/33333301222222222233333333333344/44444444-4444-4444-8444-cccccccccccc/V2" + shoutrrrSecret,
		"notifiarr+https://notifiarr.com/api/v1/notification/passthrough/" + shoutrrrSecret,
	} {
		n, err := New(Options{Shoutrrr: []string{give}})
		if err != nil {
			t.Errorf("New(%q): %v", give, err)
			continue
		}
		if strings.Contains(n.String(), shoutrrrSecret) {
			t.Errorf("New(%q) shows the secret: %s", give, n)
		}
	}
	bad := "teams+https://example.webhook.office.com/not-a-webhook/" + shoutrrrSecret
	_, err := New(Options{Shoutrrr: []string{bad}})
	if err == nil || !strings.HasPrefix(err.Error(), "notify.shoutrrr[0]: is not a valid teams+https URL") {
		t.Errorf("New(%q) = %v, want an invalid teams+https URL", bad, err)
	} else if strings.Contains(err.Error(), shoutrrrSecret) || strings.Contains(err.Error(), "office.com") {
		t.Errorf("New(%q): error %q shows the URL", bad, err)
	}
}

func TestShoutrrrNames(t *testing.T) {
	for give, want := range map[string]string{
		"ntfy://ntfy.sh/" + shoutrrrSecret:                  "ntfy://ntfy.sh/…",
		"pushover://shoutrrr:tok3n@" + shoutrrrSecret + "/": "pushover://…",
		"telegram://tok3n@telegram?chats=@chan":             "telegram://telegram/…",
	} {
		u, err := url.Parse(give)
		if err != nil {
			t.Fatal(err)
		}
		if got := shoutrrrName(u, give); got != want {
			t.Errorf("shoutrrrName(%s) = %q, want %q", give, got, want)
		}
	}
}
