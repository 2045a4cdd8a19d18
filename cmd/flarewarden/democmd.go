package main

import (
	"github.com/spf13/cobra"

	"github.com/flarewarden/flarewarden/cmd/flarewarden/demo"
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
a hand-made rule alone), tells a dead origin (521) from a DNS problem without
writing anything, moves the site to a backup LTE uplink when the fiber line dies
(and back when it is repaired), and keeps a NAS's AAAA under a new IPv6 prefix.
It prints the diagnosis and plan of every step and the final records, and exits
1 if any step does not end as expected.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return demo.Play(cmd.Context(), buildApp, c.stdout, c.stderr, verbose)
		},
	}
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "also print flarewarden's logs")
	return cmd
}
