package config

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// The variables of favonia/cloudflare-ddns that flarewarden reads, with
// favonia's meaning, when no config file is named (see FromEnv).
const (
	EnvDomains          = "DOMAINS"
	EnvIP4Domains       = "IP4_DOMAINS"
	EnvIP6Domains       = "IP6_DOMAINS"
	EnvIP4Provider      = "IP4_PROVIDER"
	EnvIP6Provider      = "IP6_PROVIDER"
	EnvProxied          = "PROXIED"
	EnvTTL              = "TTL"
	EnvUpdateCron       = "UPDATE_CRON"
	EnvDetectionTimeout = "DETECTION_TIMEOUT"
	EnvUpdateTimeout    = "UPDATE_TIMEOUT"
	EnvHealthchecks     = "HEALTHCHECKS"
	EnvUptimeKuma       = "UPTIMEKUMA"
	EnvShoutrrr         = "SHOUTRRR"
)

// envSettings are the variables FromEnv maps, in the order it reads them.
var envSettings = []string{EnvDomains, EnvIP4Domains, EnvIP6Domains, EnvIP4Provider, EnvIP6Provider,
	EnvProxied, EnvTTL, EnvUpdateCron, EnvDetectionTimeout, EnvUpdateTimeout,
	EnvHealthchecks, EnvUptimeKuma, EnvShoutrrr}

// refusal is a favonia variable that changes what favonia writes and that
// flarewarden has no equivalent for: refused when set to anything but
// favonia's default (def, "" when every value is refused).
type refusal struct{ def, hint string }

var envRefused = map[string]refusal{
	"IP4_POLICY":                           {"", "favonia's old name: use IP4_PROVIDER"},
	"IP6_POLICY":                           {"", "favonia's old name: use IP6_PROVIDER"},
	"IP4_DETECTION_FILTER":                 {"keep-all", "flarewarden has no detection filter"},
	"IP6_DETECTION_FILTER":                 {"keep-all", "flarewarden has no detection filter"},
	"UPDATE_ON_START":                      {"true", "flarewarden run always does a pass at start"},
	"DELETE_ON_STOP":                       {"false", "flarewarden never deletes records when it stops"},
	"RECORD_COMMENT":                       {"", "flarewarden's comment is its ownership marker (ownership.comment_marker in a config file)"},
	"MANAGED_RECORDS_COMMENT_REGEX":        {"", "flarewarden owns the records that carry ownership.comment_marker (in a config file)"},
	"WAF_LISTS":                            {"", "use waf.ip_lists in a config file"},
	"WAF_LIST_DESCRIPTION":                 {"", "use waf.ip_lists in a config file"},
	"WAF_LIST_ITEM_COMMENT":                {"", "use waf.ip_lists in a config file"},
	"MANAGED_WAF_LIST_ITEMS_COMMENT_REGEX": {"", "use waf.ip_lists in a config file"},
	"SHOUTRRR_FILE":                        {"", "set SHOUTRRR, or notify.shoutrrr in a config file"},
}

// envOldToken are favonia's old token variables, refused (never echoed)
// only when the environment is the configuration.
var envOldToken = map[string]string{"CF_API_TOKEN": EnvToken, "CF_API_TOKEN_FILE": EnvTokenFile}

// EnvSettings returns the favonia variables set (non-empty) in env, the
// token's aside, in a stable order: the environment is the configuration
// when no file is named; beside a file they are refused.
func EnvSettings(env Env) []string {
	var out []string
	for _, k := range envSettings {
		if envValue(env, k) != "" {
			out = append(out, k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(envRefused)) {
		if envValue(env, k) != "" {
			out = append(out, k)
		}
	}
	return out
}

// EnvConfigured reports whether env names something to manage (DOMAINS,
// IP4_DOMAINS or IP6_DOMAINS), which makes it a configuration.
func EnvConfigured(env Env) bool {
	return envValue(env, EnvDomains)+envValue(env, EnvIP4Domains)+envValue(env, EnvIP6Domains) != ""
}

// FromEnv builds the configuration favonia/cloudflare-ddns's variables
// stand for (see README "Configuration from the environment"): it renders
// them as the config file they mean and parses that as Parse does, with
// checks. Every error names its variable; none shows a URL's secret.
func FromEnv(env Env, checks ...Check) (*Config, error) {
	doc, errs := envDocument(env)
	if len(errs) > 0 {
		return nil, fmt.Errorf("configuration from the environment: %w", &Problems{Errs: errs})
	}
	data, err := yaml.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("configuration from the environment: %w", err)
	}
	c, err := Parse(data, checks...)
	if err != nil {
		return nil, fmt.Errorf("configuration from the environment: %w", nameVariables(err))
	}
	return c, nil
}

// envDocument maps env to the config file it stands for, or returns every
// problem.
func envDocument(env Env) (map[string]any, []error) {
	errs := envRefusals(env)
	names, detect, famErrs := envFamilies(env)
	errs = append(errs, famErrs...)
	rec, recErrs := envRecordOptions(env)
	errs = append(errs, recErrs...)
	records := make([]map[string]any, len(names))
	for i, n := range names {
		records[i] = map[string]any{"name": n, "takeover_cname": false}
		for k, v := range rec {
			records[i][k] = v
		}
	}
	doc := map[string]any{"detect": detect, "records": records}
	errs = append(errs, envPasses(env, doc)...)
	if n := envNotify(env); len(n) > 0 {
		doc["notify"] = n
	}
	return doc, errs
}

func envRefusals(env Env) []error {
	var errs []error
	for _, k := range slices.Sorted(maps.Keys(envRefused)) {
		r, v := envRefused[k], envValue(env, k)
		if v != "" && !sameSetting(v, r.def) {
			errs = append(errs, fmt.Errorf("%s: not supported: %s", k, r.hint))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(envOldToken)) {
		if envValue(env, k) != "" {
			errs = append(errs, fmt.Errorf("%s: not read: use %s", k, envOldToken[k]))
		}
	}
	return errs
}

// sameSetting reports whether v is def, booleans compared as
// strconv.ParseBool reads them.
func sameSetting(v, def string) bool {
	b, err1 := strconv.ParseBool(v)
	d, err2 := strconv.ParseBool(def)
	if err1 == nil && err2 == nil {
		return b == d
	}
	return v == def
}

// envRecordOptions maps PROXIED and TTL to the options of every record.
// favonia's are fallbacks for new records; flarewarden's are kept on every
// record, so its defaults (false, 1) map to unset: keep what a record has,
// new records get false and 1.
func envRecordOptions(env Env) (map[string]any, []error) {
	out := map[string]any{}
	var errs []error
	proxied := false
	if v := envValue(env, EnvProxied); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %q is not true or false: flarewarden takes no expression "+
				"(is(), sub(), !, &&, ||); give proxied per name in a config file", EnvProxied, v))
		}
		proxied = b
	}
	if proxied {
		out["proxied"] = true
	}
	v := envValue(env, EnvTTL)
	if v == "" {
		return out, errs
	}
	ttl, err := strconv.Atoi(v)
	switch {
	case err != nil:
		errs = append(errs, fmt.Errorf("%s: %q is not a number", EnvTTL, v))
	case ttl != 1 && (ttl < 60 || ttl > 86400):
		errs = append(errs, fmt.Errorf("%s: %d must be 1 (automatic) or 60..86400 seconds", EnvTTL, ttl))
	case ttl != 1 && proxied:
		errs = append(errs, fmt.Errorf("%s: %d with %s=true: a proxied record's TTL is always 1 (automatic)", EnvTTL, ttl, EnvProxied))
	case ttl != 1:
		out["ttl"] = ttl
	}
	return out, errs
}

// envPasses maps UPDATE_CRON and the timeouts into doc.
func envPasses(env Env, doc map[string]any) []error {
	var errs []error
	switch v := envValue(env, EnvUpdateCron); v {
	case "":
	case "@once", "@disabled", "@nevermore":
		errs = append(errs, fmt.Errorf("%s: %s is not supported: run does a pass on a schedule; "+
			"for one pass, unset %s and run `flarewarden reconcile`", EnvUpdateCron, v, EnvUpdateCron))
	default:
		doc["schedule"] = v
	}
	for _, d := range []struct{ key, section string }{{EnvDetectionTimeout, "detect"}, {EnvUpdateTimeout, "cloudflare"}} {
		v := envValue(env, d.key)
		if v == "" {
			continue
		}
		if t, err := time.ParseDuration(v); err != nil || t <= 0 {
			errs = append(errs, fmt.Errorf("%s: %q is not a positive duration (like 5s or 1m)", d.key, v))
			continue
		}
		section, _ := doc[d.section].(map[string]any)
		if section == nil {
			section = map[string]any{}
			doc[d.section] = section
		}
		section["timeout"] = v
	}
	return errs
}

// envNotify maps HEALTHCHECKS, UPTIMEKUMA and SHOUTRRR (one URL a line;
// blank lines and # comments skipped).
func envNotify(env Env) map[string]any {
	out := map[string]any{}
	if v := envValue(env, EnvHealthchecks); v != "" {
		out["healthchecks"] = []string{v}
	}
	if v := envValue(env, EnvUptimeKuma); v != "" {
		out["uptime_kuma"] = []string{v}
	}
	var urls []string
	for _, line := range strings.Split(envValue(env, EnvShoutrrr), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			urls = append(urls, line)
		}
	}
	if len(urls) > 0 {
		out["shoutrrr"] = urls
	}
	return out
}

// envFields are the config fields each variable maps to, to name the
// variable in the errors of Parse and of the checks.
var envFields = []struct{ prefix, vars string }{
	{"detect.ipv4", EnvIP4Provider}, {"detect.ipv6", EnvIP6Provider},
	{"detect.timeout", EnvDetectionTimeout}, {"detect", EnvIP4Provider + ", " + EnvIP6Provider},
	{"records", EnvDomains + ", " + EnvIP4Domains + ", " + EnvIP6Domains},
	{"schedule", EnvUpdateCron}, {"cloudflare.timeout", EnvUpdateTimeout},
	{"notify.healthchecks", EnvHealthchecks}, {"notify.uptime_kuma", EnvUptimeKuma},
	{"notify.shoutrrr", EnvShoutrrr},
}

// nameVariables prefixes each of Parse's problems with the variables its
// field comes from: "IP4_PROVIDER: detect.ipv4.sources[0]: ...".
func nameVariables(err error) error {
	var p *Problems
	if !errors.As(err, &p) {
		return err
	}
	out := make([]error, len(p.Errs))
	for i, e := range p.Errs {
		out[i] = e
		for _, f := range envFields {
			if strings.HasPrefix(e.Error(), f.prefix) {
				out[i] = fmt.Errorf("%s: %w", f.vars, e)
				break
			}
		}
	}
	return &Problems{Errs: out}
}

// envValue is the value of key, trimmed; "" when unset or env is nil (no
// environment).
func envValue(env Env, key string) string {
	if env == nil {
		return ""
	}
	v, _ := env(key)
	return strings.TrimSpace(v)
}
