package config

import (
	"net/url"
	"time"

	"github.com/flarewarden/flarewarden/providers/notify"
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

// validate checks what the notify provider leaves to the config;
// Config.validate checks the rest through notify.New.
func (n Notify) validate(add adder) {
	if n.Retries != nil && *n.Retries < 0 {
		add("notify.retries", "must not be negative")
	}
}

// NotifierOptions converts the section for the notify provider, without a
// logger. Retries 0 means none.
func (n Notify) NotifierOptions() notify.Options {
	retries := -1 // notify's "none"; its zero means its default
	if n.Retries != nil && *n.Retries > 0 {
		retries = *n.Retries
	}
	opts := notify.Options{Healthchecks: n.Healthchecks, UptimeKuma: n.UptimeKuma, Timeout: time.Duration(n.Timeout),
		Retries: retries}
	for _, w := range n.Webhooks {
		opts.Webhooks = append(opts.Webhooks, notify.Webhook{URL: w.URL, Headers: w.Headers})
	}
	return opts
}

// redacted returns a copy whose URLs keep only scheme and host and whose
// header values are hidden.
func (n Notify) redacted() Notify {
	out := n
	out.Webhooks = make([]Webhook, len(n.Webhooks))
	for i, w := range n.Webhooks {
		out.Webhooks[i] = Webhook{URL: redactURL(w.URL), Headers: redactValues(w.Headers)}
	}
	out.Healthchecks = redactAll(n.Healthchecks)
	out.UptimeKuma = redactAll(n.UptimeKuma)
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
