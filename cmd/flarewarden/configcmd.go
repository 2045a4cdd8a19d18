package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/flarewarden/flarewarden/cmd/flarewarden/config"
)

func newConfigCmd(c *cli) *cobra.Command {
	cmd := &cobra.Command{Use: "config", Short: "Configuration commands"}
	cmd.AddCommand(&cobra.Command{
		Use:   "validate",
		Short: "Load the config and print it with defaults applied and secrets redacted",
		Long: `Load the config, apply defaults and environment overrides, read the API token
and server.token_file as run would, and print the effective configuration with
the token redacted; or print every error, each naming its field path (e.g.
records[2].name). Exit 1 on any error.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error { return c.validateConfig() },
	})
	return cmd
}

func (c *cli) validateConfig() error {
	cfg, err := c.loadConfig()
	if err != nil {
		return err
	}
	if _, err := config.ApplyEnv(cfg, c.env, os.ReadFile); err != nil {
		return err
	}
	// run reads server.token_file at start and exits if it cannot.
	if _, err := cfg.Server.ResolveToken(c.env, os.ReadFile); err != nil {
		return err
	}
	out, err := cfg.YAML()
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(c.stdout, "# effective configuration (valid)\n%s", out)
	return err
}
