package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/flarewarden/flarewarden/cmd/flarewarden/config"
	"github.com/flarewarden/flarewarden/cmd/flarewarden/service"
	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/controller/daemon"
	"github.com/flarewarden/flarewarden/providers/health"
	"github.com/flarewarden/flarewarden/providers/ipdetect"
	"github.com/flarewarden/flarewarden/providers/notify"
)

// checkProviders is the config.Check of every command that loads the
// config: it validates the sections the providers own by building each
// provider from its options, as the app does, and returns every problem,
// each naming its full field path, in the order detect, health, notify.
// The detector is not built when no family is enabled: config reports
// that. It makes no network call.
func checkProviders(cfg *config.Config) []error {
	var errs []error
	if cfg.Detect.On() {
		_, err := ipdetect.New(detectorConfig(cfg.Detect))
		errs = append(errs, splitLines("detect.", err)...)
	}
	if len(cfg.Uplinks) > 0 {
		_, err := ipdetect.NewUplinks(uplinksConfig(cfg))
		errs = append(errs, splitLines("", err)...)
	}
	_, err := health.New(proberOptions(cfg))
	errs = append(errs, splitLines("health.", err)...)
	_, err = notify.New(notifierOptions(cfg.Notify)) // its errors name notify.* fields
	return append(errs, splitLines("", err)...)
}

// splitLines returns the lines of a provider's joined error, each with
// prefix so that it names the full field path; nil for nil.
func splitLines(prefix string, err error) []error {
	if err == nil {
		return nil
	}
	var errs []error
	for _, line := range strings.Split(err.Error(), "\n") {
		if line != "" {
			errs = append(errs, errors.New(prefix+line))
		}
	}
	return errs
}

// newDetector builds the IP detector: the uplinks' when there are
// uplinks, else detect's.
func newDetector(cfg *config.Config) (controller.Detector, error) {
	if len(cfg.Uplinks) > 0 {
		det, err := ipdetect.NewUplinks(uplinksConfig(cfg))
		if err != nil {
			return nil, err // its errors name uplinks[i]
		}
		return det, nil
	}
	det, err := ipdetect.New(detectorConfig(cfg.Detect))
	if err != nil {
		return nil, fmt.Errorf("detect: %w", err)
	}
	return det, nil
}

// newProber builds the health prober, or nil when no check and no
// uplink is configured.
func newProber(cfg *config.Config) (*health.Prober, error) {
	if len(cfg.Health.Checks) == 0 && len(cfg.Uplinks) == 0 {
		return nil, nil
	}
	p, err := health.New(proberOptions(cfg))
	if err != nil {
		return nil, fmt.Errorf("health: %w", err)
	}
	return p, nil
}

// newNotifiers builds one notifier per configured target, so that each
// is delivered to through a queue of its own.
func newNotifiers(n config.Notify, a *service.App) ([]daemon.Notifier, error) {
	opts := notifierOptions(n)
	opts.Logger = a.Log.Named("notify")
	nt, err := notify.New(opts)
	if err != nil {
		return nil, err
	}
	var out []daemon.Notifier
	for _, t := range nt.PerTarget() {
		out = append(out, t)
	}
	return out, nil
}
