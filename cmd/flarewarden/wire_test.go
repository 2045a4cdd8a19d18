package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/flarewarden/flarewarden/cmd/flarewarden/config"
)

// Every command loads the config with checkProviders: the sections the
// providers own are validated by building them, their problems name the
// full field path and come after the cloudflare section's and before the
// records'. The wants are exact, so no secret (s3cret) is repeated.
func TestLoadConfigReportsTheProvidersProblems(t *testing.T) {
	tests := []struct {
		name, give string
		want       []string
	}{
		{"every section", `cloudflare: {rate_limit: -1}
detect: {ipv4: {sources: ['carrier-pigeon']}}
records: [{name: 'bad name!'}]
health: {notify_hold: -1m, checks: [{name: a, url: 'ftp://a.example.com/'}]}
notify: {healthchecks: ['https:///x'], retries: -1}
policy: mirror`, []string{
			"cloudflare.rate_limit: must be positive",
			`detect.ipv4.sources[0]: unknown source kind "carrier-pigeon" (want cloudflare-trace, cloudflare-doh, dns, url, iface, static)`,
			"health.checks[0].url: scheme must be http or https",
			"notify.healthchecks[0]: has no host",
			`records[0].name: "bad name!" is not a valid DNS name`,
			"health.notify_hold: must not be negative",
			"notify.retries: must not be negative",
			`policy: "mirror" is not one of sync, upsert-only, create-only`,
		}},
		{"no family: the detector is not built", "detect: {timeout: -1s, ipv4: {enabled: false, sources: [x]}}\nrecords: [{name: a.example.com}]",
			[]string{"detect: enable at least one of ipv4 and ipv6"}},
		{"bad source", "detect: {ipv4: {sources: [cloudflare-trace, 'carrier-pigeon']}}\nrecords: [{name: a.example.com}]",
			[]string{`detect.ipv4.sources[1]: unknown source kind "carrier-pigeon" (want cloudflare-trace, cloudflare-doh, dns, url, iface, static)`}},
		{"quorum", "detect: {ipv4: {sources: ['static:203.0.113.7'], quorum: 2}}\nrecords: [{name: a.example.com}]",
			[]string{"detect.ipv4.quorum: 2 is more than the 1 sources"}},
		{"health origin address", `records: [{name: a.example.com}]
health:
  checks:
    - {name: a, url: 'https://a.example.com/', origin: {address: 'host:'}}
    - {name: b, url: 'https://b.example.com/', origin: {address: ':80'}}`,
			[]string{"health.checks[0].origin.address: has an invalid port", `health.checks[1].origin.address: must be "host:port"`}},
		{"health names", `records: [{name: a.example.com}]
health: {checks: [{name: 'Home Site', url: 'https://a.example.com/'}, {name: 'Home Site', url: 'https://a.example.com/'}, {url: 'https://a.example.com/'}]}`,
			[]string{`health.checks[1].name: "Home Site" is already the name of checks[0]`, "health.checks[2].name: is empty",
				`health.checks[0].name: "Home Site" must be lower-case letters, digits, _ and -`,
				`health.checks[1].name: "Home Site" must be lower-case letters, digits, _ and -`}},
		{"health url, header and dns server", `records: [{name: a.example.com}]
health:
  dns_server: 127.0.0.1
  checks: [{name: a, url: 'ftp://a.example.com/s3cret', headers: {Authorization: "Bearer s3cret\r\nX: y"}}]`,
			[]string{`health.dns_server: must be "host:port"`, "health.checks[0].url: scheme must be http or https",
				"health.checks[0].headers: the value of Authorization has a control character (a line break?)"}},
		{"notify urls", `records: [{name: a.example.com}]
notify: {webhooks: [{url: 'ftp://hooks.example.com/s3cret'}], healthchecks: ['https:///s3cret'], retries: -1}`,
			[]string{`notify.webhooks[0].url: scheme "ftp" is not http or https`, "notify.healthchecks[0]: has no host",
				"notify.retries: must not be negative"}},
		{"notify email", `records: [{name: a.example.com}]
notify: {email: {host: smtp.example.com, tls: none, username: u, password_file: /nonexistent/smtp_password, from: a@example.com, to: [b@example.com, x]}}`,
			[]string{"notify.email.tls: none (plain SMTP) is allowed for a loopback host only: the password and messages would travel in clear",
				`notify.email.to[1]: "x" is not an e-mail address`,
				"notify.email.password_file: open /nonexistent/smtp_password: no such file or directory"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := loadProblems(t, tt.give); fmt.Sprintf("%q", got) != fmt.Sprintf("%q", tt.want) {
				t.Errorf("problems:\n%q\nwant:\n%q", got, tt.want)
			}
		})
	}
}

// loadProblems writes give to a config file, loads it as every command does
// and returns its problems.
func loadProblems(t *testing.T, give string) []error {
	t.Helper()
	path := filepath.Join(t.TempDir(), "flarewarden.yaml")
	if err := os.WriteFile(path, []byte(give), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := (&cli{configPath: path}).loadConfig()
	var p *config.Problems
	if !errors.As(err, &p) {
		t.Fatalf("error %v is not config.Problems", err)
	}
	return p.Errs
}

func TestExampleConfigBuildsProviders(t *testing.T) {
	if _, err := config.Load("../../deploy/flarewarden.example.yaml", checkProviders); err != nil {
		t.Fatal(err)
	}
}

func TestOriginAddressGetsThePort(t *testing.T) {
	tests := []struct {
		give config.OriginCheck
		want string
	}{
		{config.OriginCheck{Port: 443}, ""},
		{config.OriginCheck{Port: 443, Address: "192.0.2.1"}, "192.0.2.1:443"},
		{config.OriginCheck{Port: 443, Address: "2001:db8::1"}, "[2001:db8::1]:443"},
		{config.OriginCheck{Port: 443, Address: "origin.example.net:8443"}, "origin.example.net:8443"},
	}
	for _, tt := range tests {
		if got := originHostPort(tt.give); got != tt.want {
			t.Errorf("originHostPort(%+v) = %q, want %q", tt.give, got, tt.want)
		}
	}
}
