package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// probeFlags are the flags of `probe`.
type probeFlags struct {
	address string
	path    string
	timeout time.Duration
}

func newProbeCmd(c *cli) *cobra.Command {
	var f probeFlags
	cmd := &cobra.Command{
		Use:   "probe",
		Short: "Ask a running flarewarden's HTTP endpoint whether it is alive or ready (for container healthchecks)",
		Long: `Send GET PATH to a running flarewarden's HTTP endpoint (server.listen) and exit
0 when it answers 200, 1 otherwise, printing the answer. Made for container
healthchecks, where the image has no shell and no HTTP client:
  flarewarden probe                    # GET http://127.0.0.1:9090/healthz
  flarewarden probe --path /readyz`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return c.probe(cmd.Context(), f) },
	}
	cmd.Flags().StringVar(&f.address, "address", "127.0.0.1:9090", "host:port of the endpoint")
	cmd.Flags().StringVar(&f.path, "path", "/healthz", "/healthz (alive) or /readyz (ready)")
	cmd.Flags().DurationVar(&f.timeout, "timeout", 3*time.Second, "give up after this long")
	return cmd
}

// probe asks the endpoint once; a non-200 answer or no answer is exit 1.
func (c *cli) probe(ctx context.Context, f probeFlags) error {
	if !strings.HasPrefix(f.path, "/") {
		return fmt.Errorf("--path %q: must start with /", f.path)
	}
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	url := "http://" + f.address + f.path
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("probe %s: %w", url, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("probe %s: %w", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096)) // a short reason, shown as is
	fmt.Fprintf(c.stdout, "%s: HTTP %d %s\n", url, resp.StatusCode, strings.TrimSpace(string(body)))
	if resp.StatusCode != http.StatusOK {
		return exitCodeError{code: exitError}
	}
	return nil
}
