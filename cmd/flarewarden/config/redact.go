package config

import "github.com/flarewarden/flarewarden/controller/redact"

// Redaction of the effective config (Config.YAML): what may hold a secret
// is cut to what identifies it.

// redacted returns a copy whose URL sources keep only scheme and host.
func (d Detect) redacted() Detect {
	d.IPv4, d.IPv6 = d.IPv4.redacted(), d.IPv6.redacted()
	return d
}

// redacted returns a copy whose URL sources keep only scheme and host.
func (f Family) redacted() Family {
	srcs := make([]string, len(f.Sources))
	for i, s := range f.Sources {
		srcs[i] = redact.Label(s)
	}
	f.Sources = srcs
	return f
}

// redactedUplinks returns a copy of us whose detect sources are redacted
// as the top-level detect's are; nil for none.
func redactedUplinks(us []Uplink) []Uplink {
	if us == nil {
		return nil
	}
	out := make([]Uplink, len(us))
	for i, u := range us {
		for _, f := range []**Family{&u.Detect.IPv4, &u.Detect.IPv6} {
			if *f != nil {
				r := (*f).redacted()
				*f = &r
			}
		}
		out[i] = u
	}
	return out
}

// redacted returns a copy whose check URLs lose user info and query and
// whose header values are hidden.
func (h Health) redacted() Health {
	out := h
	out.Checks = make([]HealthCheck, len(h.Checks))
	for i, c := range h.Checks {
		c.URL = redact.URL(c.URL)
		c.Headers = redactValues(c.Headers)
		out.Checks[i] = c
	}
	return out
}

// redacted returns a copy whose URLs keep only scheme and host and whose
// header values are hidden.
func (n Notify) redacted() Notify {
	out := n
	out.Webhooks = make([]Webhook, len(n.Webhooks))
	for i, w := range n.Webhooks {
		out.Webhooks[i] = Webhook{URL: redact.URL(w.URL), Headers: redactValues(w.Headers)}
	}
	out.Healthchecks = redactAll(n.Healthchecks)
	out.UptimeKuma = redactAll(n.UptimeKuma)
	out.Shoutrrr = redactAll(n.Shoutrrr)
	return out
}

// redactValues returns a copy of h with every value hidden; nil for none.
func redactValues(h map[string]string) map[string]string {
	if len(h) == 0 {
		return nil
	}
	out := make(map[string]string, len(h))
	for k := range h {
		out[k] = "[redacted]"
	}
	return out
}

// redactAll is notify.Redact of each URL: what the notifier itself shows
// of them in logs and errors.
func redactAll(urls []string) []string {
	out := make([]string, len(urls))
	for i, u := range urls {
		out[i] = redact.URL(u)
	}
	return out
}
