package main

import (
	"os"
	"time"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/flarewarden/flarewarden/cmd/flarewarden/service"
	"github.com/flarewarden/flarewarden/providers/leader"
)

// electFlags are run's leader election flags.
type electFlags struct {
	enabled                                   bool
	namespace, name, identity, kubeconfig     string
	leaseDuration, renewDeadline, retryPeriod time.Duration
}

func (f *electFlags) register(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.BoolVar(&f.enabled, "leader-elect", false, "run the daemon only while holding a Kubernetes Lease (several replicas, one leader)")
	fs.StringVar(&f.namespace, "leader-elect-namespace", "", "namespace of the Lease (default $POD_NAMESPACE, else \"default\")")
	fs.StringVar(&f.name, "leader-elect-name", "flarewarden", "name of the Lease")
	fs.StringVar(&f.identity, "leader-elect-identity", "", "holder identity of this replica (default $POD_NAME, else the hostname)")
	fs.DurationVar(&f.leaseDuration, "leader-elect-lease-duration", leader.DefaultLeaseDuration, "how long followers wait after the last renewal before taking over")
	fs.DurationVar(&f.renewDeadline, "leader-elect-renew-deadline", leader.DefaultRenewDeadline, "how long the leader retries a renewal before stepping down")
	fs.DurationVar(&f.retryPeriod, "leader-elect-retry-period", leader.DefaultRetryPeriod, "pause between election attempts")
	fs.StringVar(&f.kubeconfig, "kubeconfig", "", "kubeconfig file for leader election (default: in-cluster config)")
}

// config resolves the flags' defaults from the environment.
func (f *electFlags) config(env func(string) (string, bool), log *zap.Logger) leader.Config {
	c := leader.Config{Kubeconfig: f.kubeconfig, Namespace: f.namespace, Name: f.name, Identity: f.identity,
		LeaseDuration: f.leaseDuration, RenewDeadline: f.renewDeadline, RetryPeriod: f.retryPeriod, Log: log.Named("leader")}
	if c.Namespace == "" {
		c.Namespace, _ = env("POD_NAMESPACE")
	}
	if c.Namespace == "" {
		c.Namespace = "default"
	}
	if c.Identity == "" {
		c.Identity, _ = env("POD_NAME")
	}
	if c.Identity == "" {
		c.Identity, _ = os.Hostname()
	}
	return c
}

// electFunc is the election run uses: leader.Run, or a test's double.
func (c *cli) electFunc() service.Elect {
	if c.elect != nil {
		return c.elect
	}
	return leader.Run
}
