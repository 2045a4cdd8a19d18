// Package leader runs flarewarden's Kubernetes leader election: replicas of a Deployment campaign
// for one coordination.k8s.io Lease (client-go's leaderelection algorithm, elector.go, on a client
// that knows the Lease type alone, client.go), and only the
// replica holding it detects and writes. It needs get, create and update on that Lease only.
package leader

import (
	"errors"
	"fmt"
	"os"
	"time"

	"go.uber.org/zap"
)

// Default lease timings, the ones Kubernetes' own controllers use.
const (
	DefaultLeaseDuration = 15 * time.Second
	DefaultRenewDeadline = 10 * time.Second
	DefaultRetryPeriod   = 2 * time.Second
)

// Config says which Lease to campaign for, as whom, with which client and timings.
type Config struct {
	// Kubeconfig is the path of a kubeconfig file; empty means the in-cluster config
	// (the Pod's ServiceAccount token).
	Kubeconfig string
	// Namespace and Name identify the Lease.
	Namespace, Name string
	// Identity is this replica's holder identity in the Lease; empty means the hostname
	// (the Pod name in Kubernetes).
	Identity string
	// LeaseDuration is how long followers wait after the last renewal before taking over;
	// RenewDeadline is how long the leader keeps retrying a renewal before it steps down;
	// RetryPeriod is the pause between tries. Zero means DefaultLeaseDuration,
	// DefaultRenewDeadline and DefaultRetryPeriod. They must satisfy
	// LeaseDuration > RenewDeadline > 1.2*RetryPeriod and LeaseDuration >= 1s, LeaseDuration
	// counted in whole seconds (as a Lease stores it). lead stops at the latest RenewDeadline after
	// the last successful renewal, so LeaseDuration - RenewDeadline is its time to wind down.
	LeaseDuration, RenewDeadline, RetryPeriod time.Duration
	// Log receives the election's logs (also client-go's); nil means none.
	Log *zap.Logger
}

// withDefaults returns c with its zero fields filled in, or an error naming the first field
// that cannot be filled in.
func (c Config) withDefaults() (Config, error) {
	if c.LeaseDuration == 0 {
		c.LeaseDuration = DefaultLeaseDuration
	}
	if c.RenewDeadline == 0 {
		c.RenewDeadline = DefaultRenewDeadline
	}
	if c.RetryPeriod == 0 {
		c.RetryPeriod = DefaultRetryPeriod
	}
	if c.Log == nil {
		c.Log = zap.NewNop()
	}
	if c.Identity == "" {
		host, err := os.Hostname()
		if err != nil {
			return c, fmt.Errorf("leader: Identity (--leader-elect-identity) is empty and the hostname is unknown: %w", err)
		}
		c.Identity = host
	}
	return c, nil
}

// validate reports every invalid field of a defaulted Config, each naming the field and its flag.
func (c Config) validate() error {
	var errs []error
	if c.Namespace == "" {
		errs = append(errs, errors.New("leader: Namespace (--leader-elect-namespace) is empty"))
	}
	if c.Name == "" {
		errs = append(errs, errors.New("leader: Name (--leader-elect-name) is empty"))
	}
	if c.Identity == "" {
		errs = append(errs, errors.New("leader: Identity (--leader-elect-identity) is empty"))
	}
	errs = append(errs, c.validateTimings()...)
	return errors.Join(errs...)
}

// validateTimings checks the ordering that the election requires (as client-go's
// NewLeaderElector does), with messages that name the fields and flags.
func (c Config) validateTimings() []error {
	var errs []error
	if c.LeaseDuration < time.Second {
		errs = append(errs, fmt.Errorf("leader: LeaseDuration (--leader-elect-lease-duration) %v is under 1s (a Lease stores whole seconds)", c.LeaseDuration))
	}
	if c.RenewDeadline <= 0 {
		errs = append(errs, fmt.Errorf("leader: RenewDeadline (--leader-elect-renew-deadline) %v is not positive", c.RenewDeadline))
	}
	if c.RetryPeriod <= 0 {
		errs = append(errs, fmt.Errorf("leader: RetryPeriod (--leader-elect-retry-period) %v is not positive", c.RetryPeriod))
	}
	// Followers wait the Lease's whole seconds; the leader's term ends RenewDeadline after a renewal.
	if whole := c.LeaseDuration.Truncate(time.Second); whole <= c.RenewDeadline {
		errs = append(errs, fmt.Errorf("leader: LeaseDuration (--leader-elect-lease-duration) %v must be greater than RenewDeadline (--leader-elect-renew-deadline) %v, counted in the whole seconds a Lease stores (%v)", c.LeaseDuration, c.RenewDeadline, whole))
	}
	if minDeadline := time.Duration(jitterFactor * float64(c.RetryPeriod)); c.RenewDeadline <= minDeadline {
		errs = append(errs, fmt.Errorf("leader: RenewDeadline (--leader-elect-renew-deadline) %v must be greater than %v times RetryPeriod (--leader-elect-retry-period) %v, i.e. above %v", c.RenewDeadline, jitterFactor, c.RetryPeriod, minDeadline))
	}
	return errs
}
