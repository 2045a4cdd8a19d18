package notify

import (
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/flarewarden/flarewarden/controller"
)

// webhook POSTs events as JSON to a URL, with configured headers.
type webhook struct {
	url     *url.URL
	headers map[string]string
}

// webhookPayload is the JSON body of a webhook: the event's own fields
// (kind, check, host, zone, from, to, healthy, summary, detail, hint, at)
// plus "text", one human line for chat integrations.
type webhookPayload struct {
	controller.Event
	Text string `json:"text"`
}

// plan sends "health", "change" and "pass_fail" events, what a human
// acts on, and ignores the heartbeat kinds "pass_start" and "pass_ok".
func (w webhook) plan(e controller.Event) (call, decision) {
	if d := forPeople(e.Kind); d != send {
		return call{}, d
	}
	body, err := json.Marshal(webhookPayload{Event: e, Text: eventText(e)})
	if err != nil { // an Event always marshals; keep the text at least
		body, _ = json.Marshal(map[string]string{"kind": string(e.Kind), "text": eventText(e)})
	}
	return call{
		method:      http.MethodPost,
		url:         w.url,
		body:        body,
		contentType: "application/json",
		headers:     w.headers,
	}, send
}

// forPeople is the decision of the targets that people read (webhooks,
// shoutrrr services): send "health", "change", "uplink" and "pass_fail", what a
// human acts on; ignore the heartbeat kinds "pass_start" and "pass_ok".
func forPeople(k controller.EventKind) decision {
	switch k {
	case controller.EventHealth, controller.EventChange, controller.EventPassFail, controller.EventUplink:
		return send
	case controller.EventPassStart, controller.EventPassOK:
		return ignore
	}
	return undecided
}
