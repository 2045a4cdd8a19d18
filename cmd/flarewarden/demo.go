package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync/atomic"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/flarewarden/flarewarden/cmd/flarewarden/config"
	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/providers/cloudflare/sim"
)

const (
	demoZone  = "example.com"
	demoToken = "sim-token" // the token of sim_state.yaml
)

func newDemoCmd(c *cli) *cobra.Command {
	var verbose bool
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Play a scripted story on the built-in Cloudflare simulator (no account, no network)",
		Long: `Play a scripted story on the built-in Cloudflare simulator, on loopback only:
a zone whose "home" name is a CNAME to a dead DDNS host, with a hand-made record
beside it. flarewarden takes over the CNAME, creates a missing record, follows a
public IP change in place, and reverts a dashboard edit. It prints the plan of
every step and the final records, and exits 1 if any step does not end as
expected.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return c.demo(cmd.Context(), verbose) },
	}
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "also print flarewarden's logs")
	return cmd
}

// demoEnv is the demo's little world: a simulated Cloudflare and a public
// IP echo service, both on loopback.
type demoEnv struct {
	sim      *sim.Server
	publicIP atomic.Value // string
	apiURL   string
	ipURL    string
	closers  []func()
}

func (c *cli) demo(ctx context.Context, verbose bool) error {
	env, err := startDemoEnv()
	if err != nil {
		return err
	}
	defer env.close()
	a, err := env.app(c.stderr, verbose)
	if err != nil {
		return err
	}
	if err := a.verify(ctx); err != nil {
		return err
	}
	w := c.stdout
	fmt.Fprintf(w, "flarewarden demo: a simulated Cloudflare account at %s, nothing leaves this machine.\n\n", env.apiURL)
	env.printRecords(w, "Zone example.com at the start")
	for i, s := range demoSteps(env) {
		if err := env.playStep(ctx, w, a, i+1, s); err != nil {
			return err
		}
	}
	env.printRecords(w, "Zone example.com at the end")
	fmt.Fprintln(w, "www.example.com was never touched: it is not in the config and carries no ownership marker.")
	return nil
}

// demoStep is one act of the story: what happens, then what must be true
// after flarewarden's pass.
type demoStep struct {
	title  string
	before func() error
	check  func(recs []sim.Record) error
	// readOnly says the pass must make no write call.
	readOnly bool
}

func (e *demoEnv) playStep(ctx context.Context, w io.Writer, a *app, n int, s demoStep) error {
	fmt.Fprintf(w, "Step %d: %s\n", n, s.title)
	if s.before != nil {
		if err := s.before(); err != nil {
			return fmt.Errorf("demo step %d: %w", n, err)
		}
	}
	e.sim.ResetLog()
	rep, err := a.rec.RunOnce(ctx, controller.PassOptions{})
	if err != nil {
		return fmt.Errorf("demo step %d: %w", n, err)
	}
	writeDetection(indent(w), rep.Detection)
	fmt.Fprintln(w)
	writePlan(indent(w), rep.Plan, false)
	reqs := e.sim.Requests()
	writes := len(e.sim.Writes())
	fmt.Fprintf(w, "    Cloudflare API calls: %s, %s\n\n", plural(len(reqs)-writes, "read"), plural(writes, "write"))
	if s.readOnly && writes > 0 {
		return fmt.Errorf("demo step %d made %d write calls, want none", n, writes)
	}
	if err := s.check(e.sim.Records(demoZone)); err != nil {
		return fmt.Errorf("demo step %d did not end as expected: %w", n, err)
	}
	return nil
}

func (e *demoEnv) printRecords(w io.Writer, title string) {
	fmt.Fprintf(w, "%s:\n", title)
	var recs []controller.Record
	for _, r := range e.sim.Records(demoZone) {
		recs = append(recs, controller.Record{Name: r.Name, Type: r.Type, Content: r.Content, Proxied: r.Proxied,
			TTL: r.TTL, Comment: r.Comment})
	}
	writeRecords(indent(w), recs)
	fmt.Fprintln(w)
}

// startDemoEnv starts the simulator and the IP echo service on loopback.
func startDemoEnv() (*demoEnv, error) {
	e := &demoEnv{sim: sim.New()}
	e.publicIP.Store("203.0.113.7")
	st, err := sim.ParseState(defaultSimState)
	if err != nil {
		return nil, fmt.Errorf("demo state: %w", err)
	}
	if err := e.sim.Seed(st); err != nil {
		return nil, fmt.Errorf("seed simulator: %w", err)
	}
	apiURL, err := e.serve(e.sim)
	if err != nil {
		return nil, err
	}
	ipURL, err := e.serve(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, e.publicIP.Load().(string))
	}))
	if err != nil {
		e.close()
		return nil, err
	}
	e.apiURL, e.ipURL = apiURL+"/client/v4", ipURL
	return e, nil
}

// serve serves h on a loopback port and returns its base URL.
func (e *demoEnv) serve(h http.Handler) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("demo listen on loopback: %w", err)
	}
	srv := &http.Server{Handler: h}
	go func() { _ = srv.Serve(ln) }() // ends with ErrServerClosed on close
	e.closers = append(e.closers, func() { _ = srv.Close() })
	return "http://" + ln.Addr().String(), nil
}

func (e *demoEnv) close() {
	for _, f := range e.closers {
		f()
	}
}

// app builds flarewarden as a user would configure it, pointed at the demo.
func (e *demoEnv) app(stderr io.Writer, verbose bool) (*app, error) {
	cfgYAML := fmt.Sprintf(`
cloudflare: {api_base_url: %q, rate_limit: 100}
detect:
  ipv4: {sources: ["url:%s/ip", "url:%s/ip?mirror"], quorum: 2}
records:
  - {name: home.example.com, proxied: true}
  - {name: vpn.example.com}
`, e.apiURL, e.ipURL, e.ipURL)
	cfg, err := config.Parse([]byte(cfgYAML))
	if err != nil {
		return nil, fmt.Errorf("demo config: %w", err)
	}
	log := zap.NewNop()
	if verbose {
		if log, err = newLogger(stderr, config.Log{Level: "debug", Format: "console"}, ""); err != nil {
			return nil, err
		}
	}
	return buildApp(cfg, demoToken, log)
}
