package config

import (
	"fmt"
	"strings"
	"testing"
)

// The TLS mode defaults to starttls, and the port to the mode's.
func TestEmailDefaults(t *testing.T) {
	for give, want := range map[string]string{
		"{host: smtp.example.com}":                       "starttls 587",
		"{host: smtp.example.com, tls: tls}":             "tls 465",
		"{host: localhost, tls: none}":                   "none 25",
		"{host: smtp.example.com, tls: tls, port: 2465}": "tls 2465",
	} {
		c, err := Parse([]byte(minimal + "notify: {email: " + give + "}\n"))
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(c.Notify.Email.TLS, " ", c.Notify.Email.Port); got != want {
			t.Errorf("%s: tls and port = %s, want %s", give, got, want)
		}
	}
}

// The password is never in the config: password is not a key, and the
// effective config shows password_file (TestEffectiveConfigRedactsSecrets).
func TestEmailPasswordIsNotAKey(t *testing.T) {
	_, err := Parse([]byte(minimal + "notify: {email: {host: smtp.example.com, password: hunter2-secret}}\n"))
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("a password in the config: error %v", err)
	}
}
