package main

import (
	"github.com/spf13/cobra"

	"github.com/flarewarden/flarewarden/cmd/flarewarden/demo"
)

func newDemoCmd(c *cli) *cobra.Command {
	var opts demo.Options
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
1 if any step does not end as expected.
The status page that "flarewarden run" serves is up while the story plays (its
URL is printed first, on --listen) and tells the story in its timeline. With
--serve, flarewarden then keeps running on the simulator with the story's last
config, as "flarewarden run" would, its status page up, until Ctrl-C.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return demo.Play(cmd.Context(), buildInstrumentedApp, c.stdout, c.stderr, opts)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&opts.Verbose, "verbose", "v", false, "also print flarewarden's logs")
	f.BoolVar(&opts.Serve, "serve", false, "after the story, keep flarewarden and its status page running until Ctrl-C")
	f.StringVar(&opts.Listen, "listen", "127.0.0.1:0", "address of the status page (port 0: any free port)")
	return cmd
}
