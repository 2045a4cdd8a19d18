package notify

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/nicholas-fedor/shoutrrr/pkg/types"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/controller/redact"
)

// shoutrrr sends an event's line through one shoutrrr service (ntfy,
// Gotify, Discord, Telegram, Slack...), built from its URL.
type shoutrrr struct {
	url *url.URL
	svc types.Service
}

// plan sends "health", "change" and "pass_fail" events, what a human acts
// on, as one line of text, and ignores the heartbeat kinds "pass_start"
// and "pass_ok", as webhooks do.
func (s shoutrrr) plan(e controller.Event) (call, decision) {
	if d := forPeople(e.Kind); d != send {
		return call{}, d
	}
	msg := eventText(e)
	return call{url: s.url, push: func() error { return s.svc.Send(msg, &types.Params{types.TitleKey: "flarewarden"}) }}, send
}

// hostIsSecret lists the services whose URL's host is a key or an ID
// (pushover://shoutrrr:token@userKey, ifttt://key): their targets are
// shown as "scheme://…", the others as redact.URL shows them.
var hostIsSecret = map[string]bool{
	"discord": true, "ifttt": true, "lark": true, "notifiarr": true, "pushbullet": true,
	"pushover": true, "teams": true, "wecom": true,
}

// shoutrrrName shows a shoutrrr URL without its secrets.
func shoutrrrName(u *url.URL, raw string) string {
	if hostIsSecret[serviceScheme(u)] {
		return u.Scheme + "://…"
	}
	return redact.URL(raw)
}

// serviceScheme is the service part of u's scheme: "teams" of
// "teams+https".
func serviceScheme(u *url.URL) string {
	scheme, _, _ := strings.Cut(strings.ToLower(u.Scheme), "+")
	return scheme
}

// parseShoutrrr builds the shoutrrr service of raw without sending
// anything, as shoutrrr's router would (see shoutrrrServices): the
// scheme's part before any "+" names the service, and a "teams+https://"
// or "notifiarr+https://" webhook URL, the custom form only those two
// services of the map take, is converted to the service's own URL first.
// Errors never repeat raw: what shoutrrr says is scrubbed of the URL's
// parts.
func parseShoutrrr(raw string) (*url.URL, types.Service, error) {
	switch {
	case raw == "":
		return nil, nil, errors.New("is empty")
	case strings.TrimSpace(raw) != raw:
		return nil, nil, errors.New("has leading or trailing spaces")
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return nil, nil, errors.New("is not a valid URL")
	case u.Scheme == "":
		return nil, nil, errors.New("has no scheme: want a shoutrrr URL such as ntfy://ntfy.sh/topic")
	}
	scheme := serviceScheme(u)
	if why, ok := notBuiltIn[scheme]; ok {
		return nil, nil, errors.New(why)
	}
	newService, ok := shoutrrrServices[scheme]
	if !ok {
		return nil, nil, fmt.Errorf("scheme %q is not a shoutrrr service (ntfy, gotify, discord, telegram, slack...)", scheme)
	}
	svc := newService()
	config := *u // Initialize and conversions may change the URL they are given
	configURL := &config
	if u.Scheme != scheme {
		custom, ok := svc.(types.CustomURLService)
		if !ok {
			return nil, nil, fmt.Errorf("the %s service takes no custom URL (%s): want %s://", scheme, u.Scheme, scheme)
		}
		if configURL, err = custom.GetConfigURLFromCustom(configURL); err != nil {
			return nil, nil, fmt.Errorf("is not a valid %s URL: %s", u.Scheme, shoutrrrScrubber(u).scrub(err.Error()))
		} else if configURL == nil {
			return nil, nil, fmt.Errorf("is not a valid %s URL", u.Scheme)
		}
	}
	if err := svc.Initialize(configURL, nil); err != nil { // nil: shoutrrr's discarding logger
		return nil, nil, fmt.Errorf("is not a valid %s URL: %s", scheme, shoutrrrScrubber(u, configURL).scrub(err.Error()))
	}
	return u, svc, nil
}

// shoutrrrScrubber hides the parts of every URL of us, and their hosts
// when the service's host is a secret; a custom URL's conversion may
// quote it without its "service+" prefix.
func shoutrrrScrubber(us ...*url.URL) scrubber {
	var s scrubber
	for _, u := range us {
		s = append(s, newScrubber(u, nil)...)
		if i := strings.IndexByte(u.Scheme, '+'); i >= 0 {
			s = append(s, strings.TrimPrefix(u.String(), u.Scheme[:i+1]))
		}
		if hostIsSecret[serviceScheme(u)] {
			s = append(s, u.Host)
		}
	}
	return s
}
