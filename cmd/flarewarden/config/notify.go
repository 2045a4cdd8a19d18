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
	// Email sends e-mails through an SMTP server.
	Email   *Email   `yaml:"email,omitempty"`
	Timeout Duration `yaml:"timeout"`
	// Retries after a failed delivery; nil means 3, 0 none.
	Retries *int `yaml:"retries"`
}

// Webhook is a generic JSON webhook.
type Webhook struct {
	URL     string            `yaml:"url"`
	Headers map[string]string `yaml:"headers,omitempty"`
}

// Email is an SMTP server and the recipients of its e-mails. The password
// is never in the config: password_file holds it, and the notify provider
// reads it when it is built.
type Email struct {
	Host         string   `yaml:"host"`
	Port         int      `yaml:"port"`
	Username     string   `yaml:"username,omitempty"`
	PasswordFile string   `yaml:"password_file,omitempty"`
	From         string   `yaml:"from"`
	To           []string `yaml:"to"`
	// TLS is starttls (default, port 587), tls (port 465) or none (plain
	// SMTP, loopback hosts only, port 25).
	TLS string `yaml:"tls"`
}

func (n *Notify) applyDefaults() {
	if n.Email != nil {
		n.Email.applyDefaults()
	}
	n.Timeout = orDur(n.Timeout, 10*time.Second)
	if n.Retries == nil {
		three := 3
		n.Retries = &three
	}
}

// applyDefaults sets the TLS mode and its port. The notify provider
// checks the section.
func (e *Email) applyDefaults() {
	if e.TLS == "" {
		e.TLS = "starttls"
	}
	if e.Port == 0 {
		e.Port = map[string]int{"starttls": 587, "tls": 465, "none": 25}[e.TLS]
	}
}

// validate checks what the notify provider leaves to the config; the rest
// (URLs, headers, timeout, email) is the provider's to check, when main's Check
// builds it.
func (n Notify) validate(add adder) {
	if n.Retries != nil && *n.Retries < 0 {
		add("notify.retries", "must not be negative")
	}
}
