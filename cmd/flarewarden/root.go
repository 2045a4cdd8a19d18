package main

import (
	"context"
	"io"
	"net"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/flarewarden/flarewarden/providers/leader"
)

// cli is what every command shares: its streams, the environment, and the
// global flags.
type cli struct {
	stdout, stderr io.Writer
	env            func(string) (string, bool)
	configPath     string
	logLevel       string
	logOnce        sync.Once
	logFormat      string          // log.format of every logger of the process (see processLogging)
	level          zap.AtomicLevel // shared by every logger of the process

	// Test hooks of run; zero values mean the real thing.
	reload     <-chan struct{}                                                                       // reload triggers instead of SIGHUP
	configPoll time.Duration                                                                         // config file poll interval
	onListen   func(net.Addr)                                                                        // told the HTTP endpoint's address
	elect      func(context.Context, leader.Config, func(context.Context), func(bool, string)) error // leader.Run
}

func newRootCmd(c *cli) *cobra.Command {
	root := &cobra.Command{
		Use:   "flarewarden",
		Short: "Self-healing DDNS and WAF controller for sites behind Cloudflare",
		Long: `flarewarden detects this host's public IP, keeps Cloudflare A/AAAA records
current in place of a third-party DDNS CNAME, and reverts drift on the records
it owns. Start with "flarewarden demo" (no account, no network needed).`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().StringVarP(&c.configPath, "config", "c", "", "config file (env FLAREWARDEN_CONFIG)")
	root.PersistentFlags().StringVar(&c.logLevel, "log-level", "", "override log.level: debug, info, warn, error")
	root.AddCommand(newReconcileCmd(c), newRunCmd(c), newDetectCmd(c), newConfigCmd(c),
		newCheckCmd(c), newProbeCmd(c), newDemoCmd(c), newSimCmd(c), newVersionCmd(c))
	return root
}
