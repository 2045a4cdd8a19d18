package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"

	"gopkg.in/yaml.v3"
)

// Check validates what the config alone cannot, by building the provider
// that owns a section as the app will (main's checkProviders). It is given
// the defaulted config, which may have other problems, and returns every
// problem it finds, each naming its full field path
// ("detect.ipv4.sources[1]: ..."), in a stable order.
type Check func(*Config) []error

// Parse decodes, defaults and validates a configuration, then runs checks
// on it. Every problem is reported, each naming its field path; the
// checks' are listed after those of the cloudflare and detect sections
// and before the rest (see Config.validate). A Config is returned only
// when there is none. Without checks, the options a provider validates
// (IP sources, health checks, notification URLs) are not checked.
func Parse(data []byte, checks ...Check) (*Config, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("parse config: %w", err)
	}
	if root.Kind == 0 {
		return nil, errors.New("config is empty: at least records is required")
	}
	keyErrs := checkKeys(&root, reflect.TypeFor[Config](), "")
	if hasKey(&root, "cloudflare", "api_token") { // the key of the effective config's token source
		keyErrs = append(keyErrs, errTokenInFile)
	}
	// Unknown keys are listed with the problems of the keys that are known,
	// so that one run of `config validate` shows them all.
	var c Config
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(len(keyErrs) == 0)
	if err := dec.Decode(&c); err != nil {
		if len(keyErrs) > 0 {
			return nil, &Problems{Errs: keyErrs}
		}
		return nil, fmt.Errorf("parse config: %w", err)
	}
	c.WAF.ManageSkipRules = hasKey(&root, "waf", "skip_rules")
	c.WAF.ManageAccessRules = hasKey(&root, "waf", "access_rules")
	c.Server.listenSet = hasKey(&root, "server", "listen")
	c.applyDefaults()
	if errs := append(keyErrs, c.validate(checks)...); len(errs) > 0 {
		return nil, &Problems{Errs: errs}
	}
	return &c, nil
}

// errTokenInFile refuses a token written into the config file, which is
// often world-readable and ends up in backups and ConfigMaps.
var errTokenInFile = fmt.Errorf("cloudflare.api_token: the token never goes in the config file: "+
	"put it in a file named by cloudflare.api_token_file, or set %s or %s", EnvToken, EnvTokenFile)

// Problems lists everything wrong with a config, each naming its field.
type Problems struct{ Errs []error }

// Error renders one problem on its own line, or several as an indented list.
func (p *Problems) Error() string {
	if len(p.Errs) == 1 {
		return p.Errs[0].Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d problems:", len(p.Errs))
	for _, e := range p.Errs {
		b.WriteString("\n  - " + e.Error())
	}
	return b.String()
}

// Unwrap returns the individual problems.
func (p *Problems) Unwrap() []error { return p.Errs }

// Env is a lookup in the process environment (os.LookupEnv in main).
type Env func(key string) (string, bool)

// Environment variables that override the file.
const (
	EnvToken     = "CLOUDFLARE_API_TOKEN"
	EnvTokenFile = "CLOUDFLARE_API_TOKEN_FILE"
	EnvBaseURL   = "CLOUDFLARE_API_BASE_URL"
	EnvConfig    = "FLAREWARDEN_CONFIG"
)

// ApplyEnv applies environment overrides to c and returns the API token:
// CLOUDFLARE_API_TOKEN, else the file named by CLOUDFLARE_API_TOKEN_FILE,
// else cloudflare.api_token_file. readFile reads that file. The token is
// returned, never stored in c; c only records where it came from.
func ApplyEnv(c *Config, env Env, readFile func(string) ([]byte, error)) (string, error) {
	if v, ok := env(EnvBaseURL); ok && v != "" {
		c.Cloudflare.APIBaseURL = v
		if err := checkBaseURL(v); err != nil {
			return "", fmt.Errorf("%s: %w", EnvBaseURL, err)
		}
	}
	if v, ok := env(EnvToken); ok && strings.TrimSpace(v) != "" {
		tok := strings.TrimSpace(v)
		if err := checkToken(tok); err != nil {
			return "", fmt.Errorf("%s: %w", EnvToken, err)
		}
		c.Cloudflare.TokenSource = "[redacted] from " + EnvToken
		return tok, nil
	}
	file, field := c.Cloudflare.APITokenFile, "cloudflare.api_token_file"
	if v, ok := env(EnvTokenFile); ok && v != "" {
		file, field = v, EnvTokenFile
	}
	if file == "" {
		return "", fmt.Errorf("no api token: set %s, %s or cloudflare.api_token_file", EnvToken, EnvTokenFile)
	}
	tok, err := readTokenFile(field, file, readFile)
	if err != nil {
		return "", err
	}
	c.Cloudflare.TokenSource = "[redacted] from " + file
	return tok, nil
}

// Load reads the file at path and parses it with checks (see Parse).
func Load(path string, checks ...Check) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	c, err := Parse(data, checks...)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return c, nil
}

// YAML renders the effective configuration without secrets: the token is
// never part of Config; notification URLs (which embed ping tokens),
// health check URLs' user info and queries, URL IP sources' paths and
// queries (the uplinks' too), and header values are redacted.
// The token's source is a comment, so that the output can serve as a
// config file again.
func (c *Config) YAML() ([]byte, error) {
	out := *c
	out.Notify = c.Notify.redacted()
	out.Health = c.Health.redacted()
	out.Detect = c.Detect.redacted()
	out.Uplinks = redactedUplinks(c.Uplinks)
	out.Cloudflare.TokenSource = ""
	body, err := yaml.Marshal(&out)
	if err != nil || c.Cloudflare.TokenSource == "" {
		return body, err
	}
	return append([]byte("# api token: "+c.Cloudflare.TokenSource+"\n"), body...), nil
}
