package config

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func envOf(m map[string]string) Env {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// summary is what FromEnv decided, in one line.
func summary(c *Config) string {
	var names []string
	for _, r := range c.Records {
		names = append(names, r.Name)
	}
	r := c.Records[0]
	fam := func(f Family) string {
		if !f.On() {
			return "off"
		}
		return fmt.Sprintf("%s/%d", strings.Join(f.Sources, "+"), f.Quorum)
	}
	opt := func(p *bool, t *int) string {
		s := "keep"
		if p != nil {
			s = fmt.Sprint(*p)
		}
		if t != nil {
			s += fmt.Sprintf(",%d", *t)
		}
		return s
	}
	return fmt.Sprintf("names=%s v4=%s v6=%s proxied=%s takeover=%s schedule=%s",
		strings.Join(names, ","), fam(c.Detect.IPv4), fam(c.Detect.IPv6), opt(r.Proxied, r.TTL), r.Takeover(), c.Schedule)
}

func TestFromEnvMapsFavoniaNames(t *testing.T) {
	const dflt = "cloudflare-trace+cloudflare-doh/2"
	for _, tt := range []struct {
		name string
		give map[string]string
		want string
	}{
		{"DOMAINS manages both families with the default sources",
			map[string]string{"DOMAINS": "a.example.com,B.example.com."},
			"names=a.example.com,b.example.com v4=" + dflt + " v6=" + dflt + " proxied=keep takeover=false schedule=@every 5m"},
		{"spaces and commas separate, duplicates once",
			map[string]string{"DOMAINS": " a.example.com  b.example.com,,a.example.com\n*.example.com"},
			"names=a.example.com,b.example.com,*.example.com v4=" + dflt + " v6=" + dflt + " proxied=keep takeover=false schedule=@every 5m"},
		{"IP4_DOMAINS alone: IPv4 only",
			map[string]string{"IP4_DOMAINS": "a.example.com"},
			"names=a.example.com v4=" + dflt + " v6=off proxied=keep takeover=false schedule=@every 5m"},
		{"IP6_DOMAINS alone: IPv6 only",
			map[string]string{"IP6_DOMAINS": "a.example.com", "IP6_PROVIDER": "local.iface:eth0"},
			"names=a.example.com v4=off v6=iface:eth0/1 proxied=keep takeover=false schedule=@every 5m"},
		{"IP4_DOMAINS adds to DOMAINS when IPv6 is none",
			map[string]string{"DOMAINS": "a.example.com", "IP4_DOMAINS": "b.example.com", "IP6_PROVIDER": "none"},
			"names=a.example.com,b.example.com v4=" + dflt + " v6=off proxied=keep takeover=false schedule=@every 5m"},
		{"providers map to sources",
			map[string]string{"DOMAINS": "a.example.com", "IP4_PROVIDER": "url:https://ip.example/x", "IP6_PROVIDER": "cloudflare.doh"},
			"names=a.example.com v4=url:https://ip.example/x/1 v6=cloudflare-doh/1 proxied=keep takeover=false schedule=@every 5m"},
		{"cloudflare.trace and static (CIDR accepted)",
			map[string]string{"DOMAINS": "a.example.com", "IP4_PROVIDER": "cloudflare.trace", "IP6_PROVIDER": "static: 2001:db8::10/64"},
			"names=a.example.com v4=cloudflare-trace/1 v6=static:2001:db8::10/1 proxied=keep takeover=false schedule=@every 5m"},
		{"PROXIED=true and UPDATE_CRON",
			map[string]string{"DOMAINS": "a.example.com", "IP6_PROVIDER": "none", "PROXIED": "true", "UPDATE_CRON": "*/10 * * * *"},
			"names=a.example.com v4=" + dflt + " v6=off proxied=true takeover=false schedule=*/10 * * * *"},
		{"PROXIED=false and TTL=1 are favonia's defaults: keep",
			map[string]string{"DOMAINS": "a.example.com", "IP6_PROVIDER": "none", "PROXIED": "0", "TTL": "1"},
			"names=a.example.com v4=" + dflt + " v6=off proxied=keep takeover=false schedule=@every 5m"},
		{"TTL",
			map[string]string{"DOMAINS": "a.example.com", "IP6_PROVIDER": "none", "TTL": "300", "UPDATE_ON_START": "true", "DELETE_ON_STOP": "false"},
			"names=a.example.com v4=" + dflt + " v6=off proxied=keep,300 takeover=false schedule=@every 5m"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := FromEnv(envOf(tt.give))
			if err != nil {
				t.Fatal(err)
			}
			if got := summary(c); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestFromEnvNotifyAndTimeouts(t *testing.T) {
	c, err := FromEnv(envOf(map[string]string{"DOMAINS": "a.example.com", "HEALTHCHECKS": "https://hc-ping.com/uuid",
		"UPTIMEKUMA": "https://kuma.example/api/push/x", "SHOUTRRR": "\n# team\nntfy://ntfy.sh/topic\n  gotify://g.example/tok  \n",
		"DETECTION_TIMEOUT": "7s", "UPDATE_TIMEOUT": "1m"}))
	if err != nil {
		t.Fatal(err)
	}
	n := c.Notify
	got := fmt.Sprint(n.Healthchecks, n.UptimeKuma, n.Shoutrrr, time.Duration(c.Detect.Timeout), time.Duration(c.Cloudflare.Timeout))
	want := "[https://hc-ping.com/uuid] [https://kuma.example/api/push/x] [ntfy://ntfy.sh/topic gotify://g.example/tok] 7s 1m0s"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestFromEnvRefuses(t *testing.T) {
	const secret = "s3cr3tkey"
	for _, tt := range []struct {
		name string
		give map[string]string
		want string
	}{
		{"PROXIED expression", map[string]string{"DOMAINS": "a.example.com", "PROXIED": "is(a.example.com)"},
			`PROXIED: "is(a.example.com)" is not true or false: flarewarden takes no expression`},
		{"TTL below 60", map[string]string{"DOMAINS": "a.example.com", "TTL": "30"},
			"TTL: 30 must be 1 (automatic) or 60..86400 seconds"},
		{"TTL not a number", map[string]string{"DOMAINS": "a.example.com", "TTL": "auto"}, `TTL: "auto" is not a number`},
		{"TTL with PROXIED", map[string]string{"DOMAINS": "a.example.com", "TTL": "300", "PROXIED": "true"},
			"TTL: 300 with PROXIED=true: a proxied record's TTL is always 1 (automatic)"},
		{"@once", map[string]string{"DOMAINS": "a.example.com", "UPDATE_CRON": "@once"},
			"UPDATE_CRON: @once is not supported: run does a pass on a schedule; for one pass, unset UPDATE_CRON and run `flarewarden reconcile`"},
		{"bad cron", map[string]string{"DOMAINS": "a.example.com", "UPDATE_CRON": "every 5m"}, "UPDATE_CRON: schedule: "},
		{"local", map[string]string{"DOMAINS": "a.example.com", "IP4_PROVIDER": "local"},
			"IP4_PROVIDER: local is not supported: flarewarden reads a named interface: use local.iface:NAME"},
		{"file", map[string]string{"DOMAINS": "a.example.com", "IP6_PROVIDER": "file:/ip6.txt"}, "IP6_PROVIDER: file is not supported: "},
		{"static.empty", map[string]string{"DOMAINS": "a.example.com", "IP4_PROVIDER": "static.empty"}, "IP4_PROVIDER: static.empty is not supported"},
		{"two static addresses", map[string]string{"DOMAINS": "a.example.com", "IP4_PROVIDER": "static:192.0.2.1,192.0.2.2"},
			"IP4_PROVIDER: static: takes one address in flarewarden (one record per family)"},
		{"unknown provider hides the URL's secret", map[string]string{"DOMAINS": "a.example.com", "IP4_PROVIDER": "foo:https://ip.example/" + secret},
			`IP4_PROVIDER: "foo:https://ip.example/…" is not a provider`},
		{"both none", map[string]string{"DOMAINS": "a.example.com", "IP4_PROVIDER": "none", "IP6_PROVIDER": "none"},
			"IP4_PROVIDER, IP6_PROVIDER: detect: enable at least one of ipv4 and ipv6"},
		{"domains of a family that is none", map[string]string{"DOMAINS": "a.example.com", "IP6_DOMAINS": "b.example.com", "IP6_PROVIDER": "none"},
			"IP6_DOMAINS: set, but IP6_PROVIDER=none stops managing the family: drop one"},
		{"names of one family only", map[string]string{"DOMAINS": "a.example.com", "IP4_DOMAINS": "b.example.com"},
			"IP4_DOMAINS: b.example.com: flarewarden manages each name in every family that is on, IPv6 too: list it in DOMAINS, or set IP6_PROVIDER=none"},
		{"bad name", map[string]string{"IP4_DOMAINS": "a..example.com"}, `IP4_DOMAINS: "a..example.com" is not a valid DNS name`},
		{"hostid6", map[string]string{"DOMAINS": "a.example.com{hostid6=::1}"}, "DOMAINS: \"a.example.com{hostid6=::1}\": per-domain options (hostid6) are not supported"},
		{"WAF_LISTS", map[string]string{"DOMAINS": "a.example.com", "WAF_LISTS": "acc/list"}, "WAF_LISTS: not supported: use waf.ip_lists in a config file"},
		{"DELETE_ON_STOP", map[string]string{"DOMAINS": "a.example.com", "DELETE_ON_STOP": "true"}, "DELETE_ON_STOP: not supported"},
		{"old token variable, never echoed", map[string]string{"DOMAINS": "a.example.com", "CF_API_TOKEN": secret},
			"CF_API_TOKEN: not read: use CLOUDFLARE_API_TOKEN"},
		{"bad timeout", map[string]string{"DOMAINS": "a.example.com", "DETECTION_TIMEOUT": "5"}, "DETECTION_TIMEOUT"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := FromEnv(envOf(tt.give))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v\nwant it to hold %q", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "configuration from the environment: ") || strings.Contains(err.Error(), secret) {
				t.Errorf("err = %v: want it to start with the source and hold no secret", err)
			}
		})
	}
}

func TestEnvSettings(t *testing.T) {
	env := envOf(map[string]string{"CLOUDFLARE_API_TOKEN": "x", "TTL": "300", "DOMAINS": "a.example.com",
		"WAF_LISTS": "a/b", "PROXIED": " ", "TZ": "UTC"})
	if got, want := strings.Join(EnvSettings(env), ","), "DOMAINS,TTL,WAF_LISTS"; got != want {
		t.Errorf("EnvSettings = %s, want %s", got, want)
	}
	if !EnvConfigured(env) || EnvConfigured(envOf(map[string]string{"TTL": "300"})) {
		t.Error("EnvConfigured: want true with DOMAINS only")
	}
}
