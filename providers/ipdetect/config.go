package ipdetect

import (
	"errors"
	"fmt"
	"time"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/controller/redact"
)

// defaultTimeout bounds each source's lookup when Config.Timeout is zero.
const defaultTimeout = 5 * time.Second

// FamilyConfig configures the detection of one address family.
type FamilyConfig struct {
	// Enabled turns detection of the family on. A disabled family is
	// reported as controller.StateDisabled and nothing is queried.
	Enabled bool
	// Sources are source specs (see ParseSource), asked concurrently; their
	// answers are reported in this order.
	Sources []string
	// Quorum is how many sources must agree; 1 <= Quorum <= len(Sources).
	Quorum int
	// AllowPrivate accepts loopback, link-local, private and CGNAT answers
	// (see Validate), for hosts that are not directly on the Internet.
	AllowPrivate bool
}

// Config configures a Detector.
type Config struct {
	V4, V6 FamilyConfig
	// Timeout bounds each source's lookup; zero means 5 s.
	Timeout time.Duration
	// Bind, when set, sends every HTTP and plain DNS source out through
	// one uplink; iface and static sources ask nothing over the network
	// and are unaffected. The zero Bind follows the routing table.
	Bind Bind
}

// familyConfig is a checked family: its parsed sources.
type familyConfig struct {
	family  controller.Family
	cfg     FamilyConfig
	sources []Source
}

// checkTimeout returns the effective per-source timeout.
func checkTimeout(t time.Duration) (time.Duration, error) {
	switch {
	case t < 0:
		return 0, fmt.Errorf("timeout: %s is negative", t)
	case t == 0:
		return defaultTimeout, nil
	}
	return t, nil
}

// buildFamily parses and checks the sources of one family. Errors name the
// field ("ipv4.sources[1]: ..."), all of them joined.
func buildFamily(f controller.Family, cfg FamilyConfig, out outbound) (familyConfig, error) {
	fc := familyConfig{family: f, cfg: cfg}
	if !cfg.Enabled {
		return fc, nil
	}
	var errs []error
	if len(cfg.Sources) == 0 {
		errs = append(errs, fmt.Errorf("%s.sources: an enabled family needs at least one source", f))
	}
	seen := make(map[string]int)
	for i, spec := range cfg.Sources {
		s, err := parseSource(spec, out)
		if err == nil {
			err = checkSource(s, f, cfg.AllowPrivate, seen, i)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s.sources[%d]: %w", f, i, err))
			continue
		}
		fc.sources = append(fc.sources, s)
	}
	if err := checkQuorum(cfg.Quorum, len(cfg.Sources)); err != nil {
		errs = append(errs, fmt.Errorf("%s.quorum: %w", f, err))
	}
	return fc, errors.Join(errs...)
}

// checkSource applies the family checks of s and refuses a source listed
// twice (it would count twice toward the quorum).
func checkSource(s Source, f controller.Family, allowPrivate bool, seen map[string]int, i int) error {
	if j, dup := seen[s.Name()]; dup {
		return fmt.Errorf("%q is already sources[%d]: a source counts once toward the quorum", redact.Label(s.Name()), j)
	}
	seen[s.Name()] = i
	if c, ok := s.(configChecker); ok {
		return c.checkConfig(f, allowPrivate)
	}
	return nil
}

// checkQuorum requires 1 <= quorum <= n.
func checkQuorum(quorum, n int) error {
	switch {
	case quorum < 1:
		return fmt.Errorf("%d is less than 1", quorum)
	case quorum > n:
		return fmt.Errorf("%d is more than the %d sources", quorum, n)
	}
	return nil
}
