package config

import "time"

// Notify configures where events go. URLs often carry secrets: they are
// shown redacted by `config validate` and never logged.
type Notify struct {
	Webhooks     []Webhook `yaml:"webhooks,omitempty"`
	Healthchecks []string  `yaml:"healthchecks,omitempty"`
	UptimeKuma   []string  `yaml:"uptime_kuma,omitempty"`
	// Shoutrrr holds shoutrrr service URLs (ntfy://, gotify://, discord://...).
	Shoutrrr []string `yaml:"shoutrrr,omitempty"`
	Timeout  Duration `yaml:"timeout"`
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

// validate checks what the notify provider leaves to the config; the rest
// (URLs, headers, timeout) is the provider's to check, when main's Check
// builds it.
func (n Notify) validate(add adder) {
	if n.Retries != nil && *n.Retries < 0 {
		add("notify.retries", "must not be negative")
	}
}
