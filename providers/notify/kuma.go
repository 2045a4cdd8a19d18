package notify

import (
	"net/http"
	"net/url"

	"github.com/flarewarden/flarewarden/controller"
)

// maxKumaMsg bounds the msg parameter, which travels in the URL.
const maxKumaMsg = 1000

// kuma reports to an Uptime Kuma push monitor (.../api/push/<token>) with
// a GET whose query says status=up or status=down, msg=<summary> and an
// empty ping.
type kuma struct {
	url *url.URL
}

// plan maps "pass_ok" to status=up and "pass_fail" to status=down: the
// push monitor says whether flarewarden's passes succeed. The other kinds
// are ignored: "pass_start" is no result, and health transitions and
// changes go to webhooks. Query parameters of the configured URL are kept,
// except status, msg and ping, which are replaced.
func (k kuma) plan(e controller.Event) (call, decision) {
	var status string
	switch e.Kind {
	case controller.EventPassOK:
		status = "up"
	case controller.EventPassFail:
		status = "down"
	case controller.EventPassStart, controller.EventHealth, controller.EventChange, controller.EventUplink:
		return call{}, ignore
	default:
		return call{}, undecided
	}
	msg := e.Summary
	if msg == "" {
		msg = string(e.Kind)
	}
	u := *k.url
	q := u.Query()
	q.Set("status", status)
	q.Set("msg", truncate(msg, maxKumaMsg))
	q.Set("ping", "")
	u.RawQuery = q.Encode()
	return call{method: http.MethodGet, url: &u}, send
}
