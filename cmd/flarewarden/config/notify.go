package config

import (
	"fmt"
	"net/url"
	"time"
)

// Notify configures where events go. URLs often carry secrets: they are
// shown redacted by `config validate` and never logged.
type Notify struct {
	Webhooks     []Webhook `yaml:"webhooks,omitempty"`
	Healthchecks []string  `yaml:"healthchecks,omitempty"`
	UptimeKuma   []string  `yaml:"uptime_kuma,omitempty"`
	Timeout      Duration  `yaml:"timeout"`
	// Retries after a failed delivery; nil means 3, 0 none.
	Retries *int `yaml:"retries"`
}

// Webhook is a generic JSON webhook.
type Webhook struct {
	URL     string            `yaml:"url"`
	Headers map[string]string `yaml:"headers,omitempty"`
}

func (n *Notify) applyDefaults() {
	n.Timeout = orDur(n.Timeout, 10*time.Second)
	if n.Retries == nil {
		three := 3
		n.Retries = &three
	}
}

func (n Notify) validate(add adder) {
	check := func(field, raw string) {
		if u, err := url.Parse(raw); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			add(field, "not an http(s) URL")
		}
	}
	for i, w := range n.Webhooks {
		check(fmt.Sprintf("notify.webhooks[%d].url", i), w.URL)
	}
	for i, u := range n.Healthchecks {
		check(fmt.Sprintf("notify.healthchecks[%d]", i), u)
	}
	for i, u := range n.UptimeKuma {
		check(fmt.Sprintf("notify.uptime_kuma[%d]", i), u)
	}
	if n.Retries != nil && *n.Retries < 0 {
		add("notify.retries", "must not be negative")
	}
}

// redacted returns a copy whose URLs keep only scheme and host and whose
// header values are hidden.
func (n Notify) redacted() Notify {
	out := n
	out.Webhooks = make([]Webhook, len(n.Webhooks))
	for i, w := range n.Webhooks {
		out.Webhooks[i] = Webhook{URL: redactURL(w.URL)}
		if len(w.Headers) > 0 {
			out.Webhooks[i].Headers = map[string]string{}
			for k := range w.Headers {
				out.Webhooks[i].Headers[k] = "[redacted]"
			}
		}
	}
	out.Healthchecks = redactAll(n.Healthchecks)
	out.UptimeKuma = redactAll(n.UptimeKuma)
	return out
}

func redactAll(urls []string) []string {
	out := make([]string, len(urls))
	for i, u := range urls {
		out[i] = redactURL(u)
	}
	return out
}

// redactURL keeps scheme and host: paths and queries of ping URLs are secrets.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "[redacted]"
	}
	return u.Scheme + "://" + u.Host + "/[redacted]"
}
