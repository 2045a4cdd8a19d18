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
// push monitor says whether flarewarden's passes succeed. Other kinds,
// health transitions among them (they go to webhooks), are not wanted.
// Query parameters of the configured URL are kept, except status, msg and
// ping, which are replaced.
func (k kuma) plan(e controller.Event) (call, bool) {
	var status string
	switch e.Kind {
	case "pass_ok":
		status = "up"
	case "pass_fail":
		status = "down"
	default:
		return call{}, false
	}
	msg := e.Summary
	if msg == "" {
		msg = e.Kind
	}
	u := *k.url
	q := u.Query()
	q.Set("status", status)
	q.Set("msg", truncate(msg, maxKumaMsg))
	q.Set("ping", "")
	u.RawQuery = q.Encode()
	return call{method: http.MethodGet, url: &u}, true
}
