package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/flarewarden/flarewarden/cmd/flarewarden/render"
	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/controller/daemon"
)

type reconcileOpts struct {
	dryRun       bool
	detailedExit bool
	output       outputFormat
}

func newReconcileCmd(c *cli) *cobra.Command {
	var o reconcileOpts
	cmd := &cobra.Command{
		Use:   "reconcile",
		Short: "Run one pass: detect, plan, apply",
		Long: `Run one pass: detect the public IP, read the managed records, plan and apply.
--dry-run prints the plan and writes nothing. Exit codes: 0 success (with
--detailed-exitcode: nothing to change), 2 changes planned or applied (only with
--detailed-exitcode), 1 error.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return c.reconcile(cmd, o) },
	}
	cmd.Flags().BoolVar(&o.dryRun, "dry-run", false, "print the plan, write nothing")
	cmd.Flags().BoolVar(&o.detailedExit, "detailed-exitcode", false, "exit 2 when changes were planned or applied")
	addOutputFlag(cmd, &o.output, "plan output")
	return cmd
}

func (c *cli) reconcile(cmd *cobra.Command, o reconcileOpts) error {
	a, err := c.newApp()
	if err != nil {
		return err
	}
	defer a.Close()
	ctx := cmd.Context()
	if err := a.Verify(ctx); err != nil {
		return err
	}
	down, det := daemon.JudgeUplinks(ctx, a.Rec.Detector, a.Prober, a.Uplinks) // nil without uplinks
	rep, passErr := a.Rec.RunOnce(ctx, controller.PassOptions{DryRun: o.dryRun, UplinkDown: down, Detection: det})
	if o.output.json() {
		if err := render.JSON(c.stdout, rep); err != nil {
			return err
		}
	} else {
		render.Detection(c.stdout, rep.Detection)
		render.Uplinks(c.stdout, rep.Uplinks)
		render.Security(c.stdout, rep.Security)
		fmt.Fprintln(c.stdout)
		render.Plan(c.stdout, rep.Plan, o.dryRun)
	}
	if passErr != nil {
		return passErr
	}
	if o.detailedExit && !rep.Plan.Empty() {
		return exitCodeError{code: exitChanges}
	}
	return nil
}
