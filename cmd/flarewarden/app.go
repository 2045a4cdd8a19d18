package main

import (
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/flarewarden/flarewarden/cmd/flarewarden/config"
	"github.com/flarewarden/flarewarden/cmd/flarewarden/service"
	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/providers/cloudflare"
	"github.com/flarewarden/flarewarden/providers/leader"
	"github.com/flarewarden/flarewarden/providers/metrics"
)

// configFile is the config path named by --config or FLAREWARDEN_CONFIG,
// or "" when the environment alone is the configuration (config.FromEnv).
// A file beside favonia-style settings in the environment is refused.
func (c *cli) configFile() (string, error) {
	path := c.configPath
	if path == "" {
		path, _ = c.env(config.EnvConfig)
	}
	set := config.EnvSettings(c.env)
	switch {
	case path != "" && len(set) > 0:
		return "", fmt.Errorf("config file %s and settings in the environment (%s): choose one: "+
			"move them into the file, or drop --config and %s", path, strings.Join(set, ", "), config.EnvConfig)
	case path == "" && !config.EnvConfigured(c.env):
		return "", fmt.Errorf("no config file: pass --config or set %s, or configure from the environment "+
			"alone with %s (or %s, %s)", config.EnvConfig, config.EnvDomains, config.EnvIP4Domains, config.EnvIP6Domains)
	}
	return path, nil
}

// loadConfig reads the config named by --config or FLAREWARDEN_CONFIG, or
// builds it from the environment, and validates it, the sections the
// providers own by building them (see checkProviders). Every command that
// reads the config, `config validate` and each reload included, loads it
// here.
func (c *cli) loadConfig() (*config.Config, error) {
	path, err := c.configFile()
	if err != nil {
		return nil, err
	}
	if path == "" {
		return config.FromEnv(c.env, checkProviders)
	}
	return config.Load(path, checkProviders)
}

// newApp loads the config, resolves the token and builds every component.
// It makes no network call.
func (c *cli) newApp() (*service.App, error) { return c.newInstrumentedApp(nil) }

// newInstrumentedApp is newApp with every component reporting to m (nil:
// none).
func (c *cli) newInstrumentedApp(m *metrics.Metrics) (*service.App, error) {
	cfg, err := c.loadConfig()
	if err != nil {
		return nil, err
	}
	token, err := config.ApplyEnv(cfg, c.env, os.ReadFile)
	if err != nil {
		return nil, err
	}
	level, err := service.LogLevel(cfg.Log, c.logLevel)
	if err != nil {
		return nil, err
	}
	setting, shared := c.processLogging(cfg.Log, level)
	a, err := buildInstrumentedApp(cfg, token, service.NewLogger(c.stderr, service.LogFormat(setting, c.stderr), shared), m)
	if err != nil {
		return nil, err
	}
	a.Level, a.LogFormat = level, setting
	return a, nil
}

// processLogging returns the log.format setting and the level of every
// logger of the process, taken from the first config loaded (first, at
// level); service.LogFormat turns the setting into a format. A reload
// sets the level (see supervisor), so that a new log.level also reaches
// the loggers made at start, but keeps the format, so that one stream
// never mixes JSON and console lines.
func (c *cli) processLogging(first config.Log, level zapcore.Level) (format string, shared zap.AtomicLevel) {
	c.logOnce.Do(func() { c.logFormat, c.level = first.Format, zap.NewAtomicLevelAt(level) })
	return c.logFormat, c.level
}

// buildApp wires the components of a validated config.
func buildApp(cfg *config.Config, token string, log *zap.Logger) (*service.App, error) {
	return buildInstrumentedApp(cfg, token, log, nil)
}

// buildInstrumentedApp is buildApp with the Cloudflare client and the
// detector reporting to m (nil: none).
func buildInstrumentedApp(cfg *config.Config, token string, log *zap.Logger, m *metrics.Metrics) (*service.App, error) {
	det, err := newDetector(cfg)
	if err != nil {
		return nil, err
	}
	opts := cloudflare.Options{
		Token: token, BaseURL: cfg.Cloudflare.APIBaseURL, RateLimit: cfg.Cloudflare.RateLimit,
		// leader.Transport: a leader's request is not sent once its lease term is over (by the clock).
		HTTPClient: &http.Client{Timeout: time.Duration(cfg.Cloudflare.Timeout), Transport: leader.Transport(nil)}, Logger: log.Named("cloudflare"),
		UserAgent: "flarewarden/" + currentVersion(),
	}
	detector := det
	if m != nil {
		opts.Observer, detector = m, m.Detector(det)
	}
	cf, err := cloudflare.New(opts)
	if err != nil {
		return nil, fmt.Errorf("cloudflare client: %w", err)
	}
	rec := &controller.Reconciler{Detector: detector, DNS: cf, Names: nameSpecs(cfg),
		Policy: controller.Policy{Mode: controller.Mode(cfg.Policy), Marker: cfg.Ownership.CommentMarker},
		Log:    log}
	self, err := wireWAF(rec, cfg, cf)
	if err != nil {
		return nil, err
	}
	a := &service.App{Cfg: cfg, Log: log, CF: cf, Rec: rec, Metrics: m, Watch: ifaceWatch(cfg.Detect), Self: self}
	a.Uplinks = uplinkChecks(cfg.Uplinks)
	if a.Prober, err = newProber(cfg); err != nil {
		return nil, err
	}
	if a.Notifiers, err = newNotifiers(cfg.Notify, a); err != nil {
		return nil, err
	}
	return a, nil
}

// nameSpecs returns the managed names: the records, then each uplink's
// canary (proxied, pinned to its uplink).
func nameSpecs(cfg *config.Config) []controller.NameSpec {
	out := make([]controller.NameSpec, 0, len(cfg.Records)+len(cfg.Uplinks))
	for i, r := range cfg.Records {
		mode := r.Takeover()
		out = append(out, controller.NameSpec{Field: fmt.Sprintf("records[%d]", i), Name: r.Name, Zone: r.Zone,
			Proxied: r.Proxied, TTL: r.TTL, TakeoverCNAME: mode == config.TakeoverAlways,
			TakeoverOnFailure: mode == config.TakeoverOnFailure, IPv6Host: r.IPv6HostIn(cfg.Detect.IPv6),
			Uplinks: cfg.UplinkNames(r), UplinkMode: controller.UplinkMode(r.UplinkMode)})
	}
	proxied := true
	for i, u := range cfg.Uplinks {
		out = append(out, controller.NameSpec{Field: fmt.Sprintf("uplinks[%d].canary.name", i), Name: u.Canary.Name,
			Proxied: &proxied, Uplinks: []string{u.Name}, UplinkMode: controller.UplinkPinned})
	}
	return out
}
