package notify

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/flarewarden/flarewarden/controller"
)

// maxPingBody is the largest body Healthchecks.io keeps as a ping's log.
const maxPingBody = 100_000

// healthchecks pings a Healthchecks.io-style URL: <url>/start when a pass
// starts, <url> on success, <url>/fail on failure. Every ping is a POST
// whose text body (the event's line, at most 100 kB) becomes the ping's
// log entry.
type healthchecks struct {
	url *url.URL
}

// plan maps "pass_start" to /start, "pass_ok" to the URL itself and
// "pass_fail" to /fail: the heartbeat says whether flarewarden's passes
// run and succeed. Health transitions and changes are ignored (they go to
// webhooks): a success ping after them would hide a failing site.
func (h healthchecks) plan(e controller.Event) (call, decision) {
	var suffix string
	switch e.Kind {
	case controller.EventPassStart:
		suffix = "start"
	case controller.EventPassOK:
	case controller.EventPassFail:
		suffix = "fail"
	case controller.EventHealth, controller.EventChange, controller.EventUplink:
		return call{}, ignore
	default:
		return call{}, undecided
	}
	return call{
		method:      http.MethodPost,
		url:         withSuffix(h.url, suffix),
		body:        []byte(truncate(eventText(e), maxPingBody)),
		contentType: "text/plain; charset=utf-8",
	}, send
}

// withSuffix returns a copy of u with "/suffix" appended to its path,
// before any query, which is kept as is. An empty suffix returns u.
func withSuffix(u *url.URL, suffix string) *url.URL {
	if suffix == "" {
		return u
	}
	out := *u
	out.Path = strings.TrimSuffix(u.Path, "/") + "/" + suffix
	if u.RawPath != "" {
		out.RawPath = strings.TrimSuffix(u.RawPath, "/") + "/" + suffix
	}
	return &out
}
