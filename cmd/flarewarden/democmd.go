package main

import (
	"context"

	"github.com/spf13/cobra"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/flarewarden/flarewarden/cmd/flarewarden/config"
	"github.com/flarewarden/flarewarden/cmd/flarewarden/demo"
	"github.com/flarewarden/flarewarden/cmd/flarewarden/service"
	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/controller/daemon"
)

func newDemoCmd(c *cli) *cobra.Command {
	var verbose bool
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Play a scripted story on the built-in Cloudflare simulator (no account, no network)",
		Long: `Play a scripted story on the built-in Cloudflare simulator, on loopback only:
a zone whose "home" name is a CNAME to a dead DDNS host, with a hand-made record
beside it. flarewarden diagnoses the 1016 and takes over the CNAME, creates a
missing record, follows a public IP change in place, reverts a dashboard edit,
puts a WAF skip rule first for your scripts when the zone is under attack (leaving
a hand-made rule alone), and tells a dead origin (521) from a DNS problem without
writing anything. It prints the diagnosis and plan of every step and the final
records, and exits 1 if any step does not end as expected.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return demo.Play(cmd.Context(), c.demoBuild, c.stdout, verbose)
		},
	}
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "also print flarewarden's logs")
	return cmd
}

// demoBuild wires the demo's flarewarden as every command wires it, its
// logs (when verbose) on stderr.
func (c *cli) demoBuild(cfg *config.Config, token string, verbose bool) (demo.Flarewarden, error) {
	log := zap.NewNop()
	if verbose {
		log = service.NewLogger(c.stderr, "console", zapcore.DebugLevel)
	}
	a, err := buildApp(cfg, token, log)
	if err != nil {
		return nil, err
	}
	return demoApp{a}, nil
}

// demoApp is an app as the demo drives it (Verify is the app's).
type demoApp struct{ *service.App }

func (d demoApp) RunOnce(ctx context.Context) (controller.Report, error) {
	return d.Rec.RunOnce(ctx, controller.PassOptions{})
}

func (d demoApp) Check(ctx context.Context) ([]controller.CheckResult, error) {
	_, results, err := daemon.Diagnose(ctx, d.Rec, d.Prober)
	return results, err
}
