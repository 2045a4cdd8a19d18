package main

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/flarewarden/flarewarden/providers/cloudflare/sim"
)

// defaultSimState seeds `flarewarden sim` when no --state is given.
//
//go:embed sim_state.yaml
var defaultSimState []byte

func newSimCmd(c *cli) *cobra.Command {
	var listen, stateFile string
	cmd := &cobra.Command{
		Use:   "sim",
		Short: "Serve the built-in Cloudflare API simulator",
		Long: `Serve the built-in Cloudflare API v4 simulator, seeded from a YAML/JSON state
file (zones, records, tokens), so a config can be tried safely. Point
flarewarden at it with CLOUDFLARE_API_BASE_URL=http://LISTEN/client/v4. Without
--state it serves zone example.com with token "sim-token". Ctrl-C stops it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return c.serveSim(cmd.Context(), listen, stateFile) },
	}
	cmd.Flags().StringVar(&listen, "listen", "127.0.0.1:8787", "address to listen on")
	cmd.Flags().StringVar(&stateFile, "state", "", "YAML/JSON state file to seed from")
	return cmd
}

func (c *cli) serveSim(ctx context.Context, listen, stateFile string) error {
	st, err := loadSimState(stateFile)
	if err != nil {
		return err
	}
	s := sim.New()
	if err := s.Seed(st); err != nil {
		return fmt.Errorf("seed simulator: %w", err)
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return fmt.Errorf("sim --listen: %w", err)
	}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(c.stdout, "cloudflare simulator listening on http://%s/client/v4 (%d zones)\n", ln.Addr(), len(s.Zones()))
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("sim: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("sim shutdown: %w", err)
	}
	return nil
}

func loadSimState(path string) (sim.State, error) {
	if path == "" {
		return sim.ParseState(defaultSimState)
	}
	st, err := sim.LoadState(path)
	if err != nil {
		return sim.State{}, fmt.Errorf("sim --state: %w", err)
	}
	return st, nil
}
