package config

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
)

const minimal = `
records:
  - name: home.example.com
`

func TestParseDefaults(t *testing.T) {
	c, err := Parse([]byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	if c.Cloudflare.APIBaseURL != DefaultBaseURL || c.Policy != "sync" || c.Schedule != "@every 5m" ||
		c.Ownership.CommentMarker != DefaultMarker {
		t.Errorf("defaults not applied: %+v", c)
	}
	if !c.Detect.IPv4.On() || c.Detect.IPv6.On() || c.Detect.IPv4.Quorum != 2 || len(c.Detect.IPv4.Sources) != 2 {
		t.Errorf("detect defaults = %+v", c.Detect)
	}
	if tk := c.Records[0].TakeoverCNAME; tk == nil || *tk != TakeoverAlways {
		t.Errorf("takeover_cname default = %v, want true", tk)
	}
}

func TestParseErrorsNameTheField(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string
	}{
		{"unknown key", "records: [{name: a.example.com, nmae: x}]\nschedul: x\n",
			[]string{"records[0].nmae: unknown key (line 1)", "schedul: unknown key (line 2)"}},
		{"nested unknown key", "detect: {ipv4: {quorom: 2}}\nrecords: [{name: a.example.com}]",
			[]string{"detect.ipv4.quorom: unknown key"}},
		{"bad record name", "records: [{name: a.example.com}, {name: 'bad name!'}]",
			[]string{`records[1].name: "bad name!" is not a valid DNS name`}},
		{"duplicate", "records: [{name: a.example.com}, {name: A.example.com.}]",
			[]string{"records[1].name: a.example.com is already managed by records[0]"}},
		{"outside pinned zone", "records: [{name: a.example.com, zone: example.org}]",
			[]string{"records[0].name: a.example.com is not inside its zone example.org"}},
		{"ttl", "records: [{name: a.example.com, ttl: 30}, {name: b.example.com, ttl: 300, proxied: true}]",
			[]string{"records[0].ttl: 30 must be 1", "records[1].ttl: a proxied record always has ttl 1"}},
		{"policy and schedule", "policy: mirror\nschedule: 'every five'\nrecords: [{name: a.example.com}]",
			[]string{`policy: "mirror" is not one of`, "schedule: "}},
		{"schedule that never fires", "schedule: '0 0 30 2 *'\nrecords: [{name: a.example.com}]",
			[]string{`schedule: "0 0 30 2 *" never fires`}},
		{"no records", "policy: sync", []string{"records: list at least one name"}},
		{"base url", "cloudflare: {api_base_url: 'ftp://x'}\nrecords: [{name: a.example.com}]",
			[]string{`cloudflare.api_base_url: "ftp://x" is not an http(s) URL`}},
		{"no family", "detect: {ipv4: {enabled: false}}\nrecords: [{name: a.example.com}]",
			[]string{"detect: enable at least one"}},
		{"type error", "records: [{name: a.example.com, ttl: soon}]", []string{"line 1"}},
		{"plain http to a remote API", "cloudflare: {api_base_url: 'http://api.cloudflare.com/client/v4'}\nrecords: [{name: a.example.com}]",
			[]string{"cloudflare.api_base_url: http:// is allowed for a loopback host only"}},
		{"token in the file", "cloudflare: {api_token: supersecret}\nrecords: [{name: a.example.com}]",
			[]string{"cloudflare.api_token: the token never goes in the config file"}},
		{"health name spelling", `records: [{name: a.example.com}]
health: {checks: [{name: 'Home Site', url: 'https://a.example.com/'}, {name: 'Home Site', url: 'https://a.example.com/'}, {url: 'https://a.example.com/'}]}`,
			[]string{`health.checks[0].name: "Home Site" must be lower-case`, `health.checks[1].name: "Home Site" must be lower-case`}},
		{"negative notify hold", "records: [{name: a.example.com}]\nhealth: {notify_hold: -1m}",
			[]string{"health.notify_hold: must not be negative"}},
		{"negative notify retries", "records: [{name: a.example.com}]\nnotify: {retries: -1}",
			[]string{"notify.retries: must not be negative"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := wantParseErrors(t, tt.yaml, tt.want)
			if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("error %q repeats a secret", err)
			}
		})
	}
}

// A Check is given the defaulted config, and its problems are listed after
// those of the cloudflare and detect sections and before the others'.
func TestParseListsTheChecksProblemsInPlace(t *testing.T) {
	var seen *Config
	check := func(c *Config) []error {
		seen = c
		return []error{errors.New("detect.ipv4.sources[0]: from the check")}
	}
	_, err := Parse([]byte("cloudflare: {rate_limit: -1}\npolicy: mirror\n"), check)
	var p *Problems
	if !errors.As(err, &p) {
		t.Fatalf("error %v is not Problems", err)
	}
	want := []string{"cloudflare.rate_limit: must be positive", "detect.ipv4.sources[0]: from the check",
		"records: list at least one name to manage", `policy: "mirror" is not one of sync, upsert-only, create-only`}
	if got := fmt.Sprint(p.Errs); got != fmt.Sprint(want) {
		t.Errorf("problems = %s\nwant        %s", got, want)
	}
	if seen == nil || seen.Schedule != DefaultSchedule {
		t.Errorf("check saw %+v, want the defaulted config", seen)
	}
}

func env(m map[string]string) Env {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestApplyEnvTokenSources(t *testing.T) {
	read := readFiles(map[string]string{"/run/secrets/cf": "file-token\n", "/env/file": "env-file-token"}, os.ErrNotExist)
	tests := []struct {
		name, file string
		env        map[string]string
		want       string
		wantErr    string
	}{
		{name: "env token wins", file: "/run/secrets/cf", env: map[string]string{EnvToken: "env-token"}, want: "env-token"},
		{name: "env file beats config file", file: "/run/secrets/cf", env: map[string]string{EnvTokenFile: "/env/file"}, want: "env-file-token"},
		{name: "config file", file: "/run/secrets/cf", want: "file-token"},
		{name: "missing file", file: "/nope", wantErr: "cloudflare.api_token_file: read token file"},
		{name: "none", wantErr: "no api token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(minimal))
			if err != nil {
				t.Fatal(err)
			}
			c.Cloudflare.APITokenFile = tt.file
			got, err := ApplyEnv(c, env(tt.env), read)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("token = %q, %v; want %q", got, err, tt.want)
			}
			out, _ := c.YAML()
			if strings.Contains(string(out), got) || !strings.Contains(string(out), "[redacted]") {
				t.Errorf("effective config leaks or lacks the redaction:\n%s", out)
			}
		})
	}
}

func TestApplyEnvBaseURL(t *testing.T) {
	c, _ := Parse([]byte(minimal))
	_, err := ApplyEnv(c, env(map[string]string{EnvToken: "t", EnvBaseURL: "http://127.0.0.1:8787/client/v4"}), nil)
	if err != nil || c.Cloudflare.APIBaseURL != "http://127.0.0.1:8787/client/v4" {
		t.Fatalf("base url = %q, %v", c.Cloudflare.APIBaseURL, err)
	}
	for _, ok := range []string{"http://[::1]:8787/client/v4", "http://localhost:8787/client/v4", "https://api.example.net/client/v4"} {
		if _, err := ApplyEnv(c, env(map[string]string{EnvToken: "t", EnvBaseURL: ok}), nil); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"nope", "http://api.example.net/client/v4", "http://10.0.0.1/client/v4"} {
		_, err = ApplyEnv(c, env(map[string]string{EnvToken: "t", EnvBaseURL: bad}), nil)
		if err == nil || !strings.Contains(err.Error(), EnvBaseURL) {
			t.Errorf("%s: error = %v", bad, err)
		}
	}
}

// FuzzParse checks that no input makes the loader panic, and that what it
// accepts is valid and survives a round trip through its own output.
func FuzzParse(f *testing.F) {
	f.Add([]byte(minimal))
	f.Add([]byte("records: [{name: a.example.com, ttl: 300, proxied: false, zone: example.com}]\npolicy: upsert-only"))
	f.Add([]byte("detect: {ipv6: {enabled: true, sources: ['static:2001:db8::1'], quorum: 1}}\nrecords: [{name: x.io}]"))
	f.Add([]byte(uplinksExample))
	f.Add([]byte("{}"))
	f.Add([]byte("records: *a"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data)
		if err != nil {
			return
		}
		if len(c.Records) == 0 {
			t.Fatal("accepted a config without records")
		}
		out, err := c.YAML()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Parse(out); err != nil {
			t.Fatalf("effective config does not parse again: %v\n%s", err, out)
		}
	})
}

func TestExampleConfigIsValid(t *testing.T) {
	c, err := Load("../../../deploy/flarewarden.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Records) != 2 || c.Detect.IPv4.Quorum != 2 || c.Cloudflare.APITokenFile != "/run/secrets/cloudflare_token" {
		t.Errorf("example config = %+v", c)
	}
}

func TestEffectiveConfigRedactsSecrets(t *testing.T) {
	c, err := Parse([]byte(minimal + `notify:
  webhooks: [{url: "https://hooks.example.net/T000/B000/XXXXsecret", headers: {Authorization: "Bearer abc123secret"}}]
  healthchecks: ["https://hc-ping.com/0f0e-uuid-secret"]
  uptime_kuma: ["https://kuma.example.net/api/push/pushsecret?status=up"]
  email: {host: smtp.example.com, username: alerts, password_file: /run/secrets/smtp, from: fw@example.com, to: [ops@example.com]}
health:
  checks: [{name: home, url: "https://probe:pwsecret@home.example.com/healthz?key=querysecret", headers: {X-Token: hdrsecret}}]
detect:
  ipv4: {sources: ["url:https://me:srcpw@ip.example.net/v4/pathsecret?k=srcquery", cloudflare-trace]}
`))
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.YAML()
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"XXXXsecret", "abc123secret", "uuid-secret", "pushsecret", "pwsecret", "querysecret",
		"hdrsecret", "srcpw", "pathsecret", "srcquery"} {
		if strings.Contains(string(out), secret) {
			t.Errorf("effective config shows %q:\n%s", secret, out)
		}
	}
	if !strings.Contains(string(out), "https://hc-ping.com/…") || c.Notify.Healthchecks[0] != "https://hc-ping.com/0f0e-uuid-secret" ||
		!strings.Contains(string(out), "password_file: /run/secrets/smtp") {
		t.Errorf("redaction changed the config itself or lost the host:\n%s", out)
	}
}

// The effective config, fed back as a config file, acts the same: managed
// but empty rule lists stay managed, and the token's source is a comment.
func TestEffectiveConfigRoundTrips(t *testing.T) {
	for _, src := range []string{minimal + "waf: {skip_rules: [], access_rules: []}\n", minimal} {
		c, err := Parse([]byte(src))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ApplyEnv(c, env(map[string]string{EnvToken: "t0ken-value"}), nil); err != nil {
			t.Fatal(err)
		}
		out, err := c.YAML()
		if err != nil {
			t.Fatal(err)
		}
		again, err := Parse(out)
		if err != nil {
			t.Fatalf("effective config does not parse again: %v\n%s", err, out)
		}
		if again.WAF.ManageSkipRules != c.WAF.ManageSkipRules || again.WAF.ManageAccessRules != c.WAF.ManageAccessRules ||
			again.WAF.ReportsUnderAttack() != c.WAF.ReportsUnderAttack() {
			t.Errorf("round trip of %q changed the WAF section: %+v -> %+v\n%s", src, c.WAF, again.WAF, out)
		}
		if !strings.HasPrefix(string(out), "# api token: [redacted] from "+EnvToken+"\n") || strings.Contains(string(out), "t0ken-value") {
			t.Errorf("token source not a redacted comment:\n%s", out)
		}
	}
}

// One run of `config validate` lists the unknown keys, with the known key
// they are closest to, and the problems of the keys it knows.
func TestUnknownKeysAndValueErrorsInOneGo(t *testing.T) {
	_, err := Parse([]byte("policy: bogus\nrecrods: []\nrecords: [{name: a.example.com, proxid: true, ttl: -5}]\n"))
	want := []string{
		"recrods: unknown key (line 2) (did you mean records?)",
		"records[0].proxid: unknown key (line 3) (did you mean proxied?)",
		"records[0].ttl: -5 must be 1 (automatic) or 60..86400 seconds",
		`policy: "bogus" is not one of sync, upsert-only, create-only`,
	}
	var p *Problems
	if !errors.As(err, &p) || len(p.Errs) != len(want) {
		t.Fatalf("Parse = %v, want %d problems", err, len(want))
	}
	for i, w := range want {
		if p.Errs[i].Error() != w {
			t.Errorf("problem %d = %q, want %q", i, p.Errs[i], w)
		}
	}
}

// wantParseErrors parses yaml, which must fail with an error containing
// every text of want, and returns that error.
func wantParseErrors(t *testing.T, yaml string, want []string) error {
	t.Helper()
	_, err := Parse([]byte(yaml))
	if err == nil {
		t.Fatal("Parse succeeded, want an error")
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q\ndoes not contain %q", err, w)
		}
	}
	return err
}
