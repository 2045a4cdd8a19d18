// Command flarewarden keeps a site behind Cloudflare reachable: it detects
// the public IP, keeps A/AAAA records current in place of a DDNS CNAME, and
// reverts drift. See README.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Exit codes. With --detailed-exitcode, reconcile exits 2 when it planned
// or applied changes.
const (
	exitOK      = 0
	exitError   = 1
	exitChanges = 2
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	code := execute(ctx, os.Args[1:], os.Stdout, os.Stderr, os.LookupEnv)
	stop()
	os.Exit(code)
}

// exitCodeError carries a non-default exit code out of a command.
type exitCodeError struct{ code int }

func (e exitCodeError) Error() string { return fmt.Sprintf("exit code %d", e.code) }

// execute runs the CLI with the given arguments and environment and returns
// the process exit code. It is main without the process: tests call it.
func execute(ctx context.Context, args []string, stdout, stderr io.Writer, env func(string) (string, bool)) int {
	return executeCLI(ctx, &cli{stdout: stdout, stderr: stderr, env: env}, args)
}

// executeCLI is execute with a prepared cli (tests set its hooks).
func executeCLI(ctx context.Context, c *cli, args []string) int {
	stdout, stderr := c.stdout, c.stderr
	root := newRootCmd(c)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	var ec exitCodeError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ec):
		return ec.code
	default:
		fmt.Fprintln(stderr, "error:", err)
		return exitError
	}
}
