package main

import (
	"context"
	"errors"

	"github.com/spf13/cobra"

	"github.com/flarewarden/flarewarden/cmd/flarewarden/render"
	"github.com/flarewarden/flarewarden/controller/daemon"
)

func newCheckCmd(c *cli) *cobra.Command {
	var output outputFormat
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Diagnose every site once: edge, origin, DNS and WAF state, with causes and hints",
		Long: `Run every health check once and print a report per site: how Cloudflare's edge
answers (classified: origin_dns_error, origin_down, challenged, not_cloudflare...),
the direct origin probe, whether the name is still a CNAME and its target
resolves, the planned DNS/WAF changes (a dry run: nothing is written) and the
zone's security level. Exit 0 when every check is healthy, 1 otherwise.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return c.check(cmd.Context(), output) },
	}
	addOutputFlag(cmd, &output, "report")
	return cmd
}

func (c *cli) check(ctx context.Context, output outputFormat) error {
	a, err := c.newApp()
	if err != nil {
		return err
	}
	defer a.Close()
	if a.Prober == nil {
		return errors.New("no health checks configured: add health.checks to the config")
	}
	if err := a.Verify(ctx); err != nil {
		return err
	}
	rep, results, passErr := daemon.Diagnose(ctx, a.Rec, a.Prober, a.Uplinks)
	out := render.CheckReport{Pass: rep, Checks: results, Healthy: passErr == nil}
	for _, r := range results {
		out.Healthy = out.Healthy && r.Healthy()
	}
	if output.json() {
		err = render.JSON(c.stdout, out)
	} else {
		render.Check(c.stdout, out, passErr)
	}
	if err != nil {
		return err
	}
	if !out.Healthy {
		return exitCodeError{code: exitError}
	}
	return nil
}
