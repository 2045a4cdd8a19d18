package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/flarewarden/flarewarden/cmd/flarewarden/demo"
	"github.com/flarewarden/flarewarden/cmd/flarewarden/service"
	"github.com/flarewarden/flarewarden/providers/cloudflare/sim"
)

// simOpts are the flags of `flarewarden sim`.
type simOpts struct {
	listen, edgeListen, stateFile string
	logRequests                   bool
}

func newSimCmd(c *cli) *cobra.Command {
	var o simOpts
	cmd := &cobra.Command{
		Use:   "sim",
		Short: "Serve the built-in Cloudflare API simulator (and, optionally, its edge)",
		Long: `Serve the built-in Cloudflare API v4 simulator, seeded from a YAML/JSON state
file (zones, records, rules, security levels, tokens), so a config can be tried
safely. Point flarewarden at it with CLOUDFLARE_API_BASE_URL=http://LISTEN/client/v4.
Without --state it serves zone example.com with token "sim-token".
--edge-listen also serves the simulated edge: a request's Host names the site, and
the answer follows the zone's records, custom rules and security level (409 error
1001 for a name without record, as the real edge answers; 530 error 1016 for a CNAME chain that ends inside the zones
without an address, a 403 challenge or block, else 200 "ok from origin": CNAME
targets outside the zones are not resolved); the visitor is the X-Sim-Client-IP
header, else the TCP peer. Point a health check's edge_address at it. --log
prints every API request and its status. Ctrl-C stops it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return c.serveSim(cmd.Context(), o) },
	}
	cmd.Flags().StringVar(&o.listen, "listen", "127.0.0.1:8787", "address of the API")
	cmd.Flags().StringVar(&o.edgeListen, "edge-listen", "", "address of the simulated edge (empty: none)")
	cmd.Flags().StringVar(&o.stateFile, "state", "", "YAML/JSON state file to seed from")
	cmd.Flags().BoolVar(&o.logRequests, "log", false, "print each API request: method, path, status")
	return cmd
}

func (c *cli) serveSim(ctx context.Context, o simOpts) error {
	st, err := loadSimState(o.stateFile)
	if err != nil {
		return err
	}
	s := sim.New()
	if err := s.Seed(st); err != nil {
		return fmt.Errorf("seed simulator: %w", err)
	}
	var api http.Handler = s
	if o.logRequests {
		api = sim.PrintRequests(s, c.stdout)
	}
	servers := []simServer{{"--listen", o.listen, api, "cloudflare simulator listening on http://%s/client/v4"}}
	if o.edgeListen != "" {
		servers = append(servers, simServer{"--edge-listen", o.edgeListen, s.Edge(), "simulated edge listening on http://%s"})
	}
	return serveAll(ctx, servers, c.stdout)
}

// simServer is one listener of `flarewarden sim`.
type simServer struct {
	flag, addr string
	handler    http.Handler
	banner     string // printf format of the line announcing the address
}

// serveAll serves every server (service.Serve) until ctx ends or one
// fails, then shuts them all down.
func serveAll(ctx context.Context, servers []simServer, out io.Writer) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, len(servers))
	for _, sv := range servers {
		ln, err := net.Listen("tcp", sv.addr)
		if err != nil {
			return fmt.Errorf("sim %s: %w", sv.flag, err)
		}
		fmt.Fprintf(out, sv.banner+"\n", ln.Addr())
		go func() { errc <- service.Serve(ctx, ln, sv.handler, zap.NewNop()) }()
	}
	var err error
	for range servers {
		if e := <-errc; e != nil && err == nil {
			err = fmt.Errorf("sim: %w", e)
			cancel()
		}
	}
	return err
}

func loadSimState(path string) (sim.State, error) {
	if path == "" {
		return sim.ParseState(demo.SimState)
	}
	st, err := sim.LoadState(path)
	if err != nil {
		return sim.State{}, fmt.Errorf("sim --state: %w", err)
	}
	return st, nil
}
