package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/flarewarden/flarewarden/cmd/flarewarden/render"
	"github.com/flarewarden/flarewarden/controller"
)

func newDetectCmd(c *cli) *cobra.Command {
	var output outputFormat
	cmd := &cobra.Command{
		Use:   "detect",
		Short: "Ask every configured IP source and print the answers and the quorum verdict",
		Long: `Ask every configured IP source, print each answer (or its error) and the quorum
verdict per family. Makes no Cloudflare API call. Exits 1 when an enabled family
is unknown.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return c.detect(cmd.Context(), output) },
	}
	addOutputFlag(cmd, &output, "answers")
	return cmd
}

func (c *cli) detect(ctx context.Context, output outputFormat) error {
	cfg, err := c.loadConfig()
	if err != nil {
		return err
	}
	det, err := newDetector(cfg)
	if err != nil {
		return err
	}
	d := det.Detect(ctx)
	if output.json() {
		if err := render.JSON(c.stdout, d); err != nil {
			return err
		}
	} else {
		render.Answers(c.stdout, d)
		fmt.Fprintln(c.stdout)
		render.Detection(c.stdout, d)
	}
	for _, f := range controller.Families {
		if d.Get(f).State == controller.StateUnknown {
			return exitCodeError{code: exitError}
		}
	}
	return nil
}
