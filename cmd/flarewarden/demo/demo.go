// Package demo plays flarewarden's scripted story on the built-in
// Cloudflare simulator (API and edge), a public IP echo service, a DNS
// server and a home web server, all on loopback: a dead DDNS CNAME taken
// over, a missing record created, an IP change followed, a dashboard edit
// reverted, a WAF skip rule put first, a dead origin told apart, the site
// moved from a dead fiber uplink to LTE and back, a NAS's AAAA following a
// new IPv6 prefix. It is what `flarewarden demo` runs, and fails when a
// step does not end as expected. The status page of `flarewarden run` is
// served while it plays, its timeline telling the story; with
// Options.Serve, flarewarden keeps running after the story as a daemon.
package demo

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/flarewarden/flarewarden/cmd/flarewarden/config"
	"github.com/flarewarden/flarewarden/cmd/flarewarden/render"
	"github.com/flarewarden/flarewarden/cmd/flarewarden/service"
	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/controller/daemon"
	"github.com/flarewarden/flarewarden/providers/cloudflare/sim"
	"github.com/flarewarden/flarewarden/providers/metrics"
	"github.com/flarewarden/flarewarden/providers/sources/dnstest"
)

const (
	demoZone  = "example.com"
	demoToken = "sim-token" // the token of sim_state.yaml
)

// demoEnv is the demo's little world: a simulated Cloudflare and a public
// IP echo service, both on loopback.
type demoEnv struct {
	sim      *sim.Server
	publicIP atomic.Value // string
	apiURL   string
	ipURL    string
	edgeURL  string
	// dns is the outside world's DNS (the DDNS host lives there); origin
	// is the home web server, reached by the edge at the public IPs.
	dns      *dnstest.Server
	origin   string
	stopHome func()
	closers  []func()
	build    Build
	log      *zap.Logger // flarewarden's logs
	page     *statusPage // every app built reports to its history and metrics
}

// Build wires flarewarden from a config, its API token and a logger, with
// its Cloudflare client and detector reporting to m, as every command
// does (cmd/flarewarden's buildInstrumentedApp).
type Build func(cfg *config.Config, token string, log *zap.Logger, m *metrics.Metrics) (*service.App, error)

// Options are the demo's settings (its flags).
type Options struct {
	Verbose bool // also print flarewarden's logs to stderr
	// Serve keeps flarewarden running after the story, as `flarewarden
	// run` would, on the simulator with the story's last config, until
	// the context ends.
	Serve bool
	// Listen is the status page's address: "127.0.0.1:0" serves it on an
	// ephemeral loopback port.
	Listen string
}

// flarewarden is an App as the demo drives it: Verify, a pass, the checks.
type flarewarden struct{ *service.App }

// runOnce runs one pass as `flarewarden reconcile` does: with uplinks, one
// detection and one health round judge them first. The history records
// the round and the pass (with the pass's duration).
func (f flarewarden) runOnce(ctx context.Context) (controller.Report, error) {
	down, det := daemon.JudgeUplinks(ctx, f.Rec.Detector, f.prober(), f.Uplinks) // nil without uplinks
	start := time.Now()
	rep, err := f.Rec.RunOnce(ctx, controller.PassOptions{UplinkDown: down, Detection: det})
	f.History.ObservePass(rep, err, time.Since(start))
	return rep, err
}

// check runs the health checks once, as `flarewarden check` does; the
// history records the round.
func (f flarewarden) check(ctx context.Context) ([]controller.CheckResult, error) {
	_, results, err := daemon.Diagnose(ctx, f.Rec, f.prober(), f.Uplinks)
	return results, err
}

// prober is the app's prober with every round recorded in its history
// (nil without health checks or uplinks).
func (f flarewarden) prober() daemon.Prober {
	if f.Prober == nil {
		return nil
	}
	return f.History.Prober(f.Prober)
}

// Play plays the demo's story on a simulated Cloudflare, on loopback only,
// printing every step to stdout, with flarewarden's status page served on
// opts.Listen from the start (its URL is printed before the steps). It
// fails when a step does not end as expected. Without opts.Serve the page
// stops with the story; with it, flarewarden keeps running after the story
// until ctx ends (see serveUntilDone), which is then a clean exit (nil).
// An endpoint that fails while serving ends the demo with its error.
func Play(ctx context.Context, build Build, stdout, stderr io.Writer, opts Options) error {
	env, err := startDemoEnv()
	if err != nil {
		return err
	}
	defer env.close()
	env.build, env.log = build, zap.NewNop()
	if opts.Verbose {
		env.log = service.NewLogger(stderr, "console", zapcore.DebugLevel)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if env.page, err = startStatusPage(ctx, cancel, opts.Listen, env.log); err != nil {
		return err
	}
	err = env.play(ctx, stdout, opts.Serve)
	cancel()
	if pageErr := env.page.Wait(); err == nil {
		err = pageErr
	}
	return err
}

// play plays the story, then either prints how to keep the status page
// up or, with serve, keeps flarewarden running until ctx ends.
func (e *demoEnv) play(ctx context.Context, w io.Writer, serve bool) error {
	a, extra, err := e.story(ctx, w)
	if err != nil {
		return err
	}
	if !serve {
		fmt.Fprintln(w, "run with --serve to keep the status page up")
		return nil
	}
	return e.serveUntilDone(ctx, w, a, extra)
}

// story plays every step and prints the zone at the start and at the end.
// It returns the last step's app and the config YAML it added to the
// demo's (see app).
func (e *demoEnv) story(ctx context.Context, w io.Writer) (flarewarden, string, error) {
	extra := ""
	a, err := e.configure(extra)
	if err != nil {
		return a, extra, err
	}
	if err := a.Verify(ctx); err != nil {
		return a, extra, err
	}
	fmt.Fprintf(w, "flarewarden demo: a simulated Cloudflare account at %s, nothing leaves this machine.\n", e.apiURL)
	fmt.Fprintf(w, "status page: %s\n\n", e.page.URL)
	e.printRecords(w, "Zone example.com at the start")
	for i, s := range demoSteps(e) {
		if s.config != "" {
			if a, err = e.configure(s.config); err != nil {
				return a, extra, err
			}
			extra = s.config
		}
		if err := e.playStep(ctx, w, a, i+1, s); err != nil {
			return a, extra, err
		}
	}
	e.printRecords(w, "Zone example.com at the end")
	e.printRules(w)
	fmt.Fprintln(w, "www.example.com and block_wp_login were never touched: they carry no ownership marker.")
	return a, extra, nil
}

// demoStep is one act of the story: what happens, then what must be true
// after flarewarden's pass.
type demoStep struct {
	title  string
	before func() error
	check  func(recs []sim.Record) error
	// readOnly says the pass must make no write call.
	readOnly bool
	// config is YAML the user adds to the demo config before this step
	// (see mergeYAML: a record or uplink already listed by name changes).
	config string
	// probe is a client IP whose request through the edge is shown before
	// and after the pass; it must be answered 200 after it.
	probe string
	// diagnoseBefore and diagnoseAfter, when set, run the health check
	// before or after the pass (as `flarewarden check` does) and expect
	// that class.
	diagnoseBefore, diagnoseAfter controller.Class
}

func (e *demoEnv) playStep(ctx context.Context, w io.Writer, a flarewarden, n int, s demoStep) error {
	fmt.Fprintf(w, "Step %d: %s\n", n, s.title)
	if s.before != nil {
		if err := s.before(); err != nil {
			return fmt.Errorf("demo step %d: %w", n, err)
		}
	}
	if s.probe != "" {
		if _, err := e.probeEdge(render.Indent(w), s.probe, "before"); err != nil {
			return err
		}
	}
	if err := e.diagnose(ctx, w, a, s.diagnoseBefore, "before the pass"); err != nil {
		return fmt.Errorf("demo step %d: %w", n, err)
	}
	e.sim.ResetLog()
	rep, err := a.runOnce(ctx)
	if err != nil {
		return fmt.Errorf("demo step %d: %w", n, err)
	}
	render.Detection(render.Indent(w), rep.Detection)
	render.Uplinks(render.Indent(w), rep.Uplinks)
	render.Security(render.Indent(w), rep.Security)
	fmt.Fprintln(w)
	render.Plan(render.Indent(w), rep.Plan, false)
	reqs := e.sim.Requests()
	writes := len(e.sim.Writes())
	fmt.Fprintf(w, "    Cloudflare API calls: %s, %s\n\n", render.Plural(len(reqs)-writes, "read"), render.Plural(writes, "write"))
	if s.readOnly && writes > 0 {
		return fmt.Errorf("demo step %d made %d write calls, want none", n, writes)
	}
	if err := s.check(e.sim.Records(demoZone)); err != nil {
		return fmt.Errorf("demo step %d did not end as expected: %w", n, err)
	}
	if err := e.diagnose(ctx, w, a, s.diagnoseAfter, "after the pass"); err != nil {
		return fmt.Errorf("demo step %d: %w", n, err)
	}
	if s.probe == "" {
		return nil
	}
	status, err := e.probeEdge(render.Indent(w), s.probe, "after")
	if err == nil && status != http.StatusOK {
		err = fmt.Errorf("demo step %d: the script is still answered %d", n, status)
	}
	fmt.Fprintln(w)
	return err
}

// probeEdge sends the script's request through the simulated edge and
// prints the answer.
func (e *demoEnv) probeEdge(w io.Writer, client, when string) (int, error) {
	req, err := http.NewRequest(http.MethodGet, e.edgeURL+"/api/status", nil)
	if err != nil {
		return 0, err
	}
	req.Host = "home.example.com"
	req.Header.Set("X-Sim-Client-IP", client)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("demo edge probe: %w", err)
	}
	_ = resp.Body.Close()
	extra := ""
	if m := resp.Header.Get("cf-mitigated"); m != "" {
		extra = " (cf-mitigated: " + m + ")"
	}
	fmt.Fprintf(w, "script %s -> https://home.example.com/api/status %s the pass: HTTP %d%s\n", client, when, resp.StatusCode, extra)
	return resp.StatusCode, nil
}

func (e *demoEnv) printRecords(w io.Writer, title string) {
	fmt.Fprintf(w, "%s:\n", title)
	var recs []controller.Record
	for _, r := range e.sim.Records(demoZone) {
		recs = append(recs, controller.Record{Name: r.Name, Type: r.Type, Content: r.Content, Proxied: r.Proxied,
			TTL: r.TTL, Comment: r.Comment})
	}
	render.Records(render.Indent(w), recs)
	fmt.Fprintln(w)
}

// printRules prints the zone's custom rules in order.
func (e *demoEnv) printRules(w io.Writer) {
	rs, _ := e.sim.Ruleset(demoZone, controller.CustomRulesPhase)
	fmt.Fprintln(w, "Custom rules of example.com at the end, in order:")
	tw := tabwriter.NewWriter(render.Indent(w), 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tREF\tACTION\tEXPRESSION")
	for i, r := range rs.Rules {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", i+1, r.Ref, r.Action, r.Expression)
	}
	tw.Flush()
	fmt.Fprintln(w)
}

// startDemoEnv starts the simulator, the IP echo service, the outside
// world's DNS and the home web server, all on loopback.
func startDemoEnv() (*demoEnv, error) {
	e := &demoEnv{}
	var err error
	if e.dns, err = dnstest.Start(); err != nil { // myhome.duckdns.org is not in it: the DDNS is down
		return nil, err
	}
	e.closers = append(e.closers, e.dns.Close)
	e.sim = sim.New(sim.WithResolver(e.dns.Resolve))
	e.publicIP.Store("203.0.113.7")
	if err := e.startHome(); err != nil {
		e.close()
		return nil, err
	}
	if err := e.seed(); err != nil {
		e.close()
		return nil, err
	}
	return e, nil
}

// houseIPs are the house's public addresses over the story: the first
// public IP, the next (the fiber uplink's), the LTE uplink's, and this
// host's IPv6 address under the first prefix and the next. The edge
// reaches the home web server at each.
var houseIPs = []string{"203.0.113.7", fiberIP, lteIP, firstIPv6, secondIPv6}

// startHome starts the home web server on a loopback port and maps the
// house's addresses to it at the edge.
func (e *demoEnv) startHome() error {
	origin, err := e.serve(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "home server ok")
	}))
	if err != nil {
		return err
	}
	e.stopHome = e.closers[len(e.closers)-1]
	e.origin = strings.TrimPrefix(origin, "http://")
	for _, ip := range houseIPs {
		e.sim.SetOrigin(ip, e.origin)
	}
	return nil
}

// seed loads the default state and serves the API, the edge and the IP
// echo service.
func (e *demoEnv) seed() error {
	st, err := sim.ParseState(SimState)
	if err != nil {
		return fmt.Errorf("demo state: %w", err)
	}
	if err := e.sim.Seed(st); err != nil {
		return fmt.Errorf("seed simulator: %w", err)
	}
	if e.apiURL, err = e.serve(e.sim); err != nil {
		return err
	}
	e.apiURL += "/client/v4"
	if e.ipURL, err = e.serve(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, e.publicIP.Load().(string))
	})); err != nil {
		return err
	}
	e.edgeURL, err = e.serve(e.sim.Edge())
	return err
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

// app builds flarewarden as a user would configure it, pointed at the
// demo, with extra YAML merged into the config (see mergeYAML), its
// passes and health rounds recorded in the status page's history. The
// schedule and the health interval are for a daemon (--serve): a pass
// every minute, a health round every 5 s, so that the page stays lively.
func (e *demoEnv) app(extra string) (flarewarden, error) {
	base := fmt.Sprintf(`
cloudflare: {api_base_url: %q, rate_limit: 100}
schedule: "@every 1m"
detect:
  ipv4: {sources: ["url:%s/ip", "url:%s/ip?mirror"], quorum: 2}
records:
  - {name: home.example.com, proxied: true}
  - {name: vpn.example.com}
health:
  interval: 5s
  dns_server: %s
  checks:
    - name: home
      url: http://home.example.com/healthz
      edge_address: %s
      headers: {X-Sim-Client-IP: %s}
      origin: {address: %q}
`, e.apiURL, e.ipURL, e.ipURL, e.dns.Addr, e.configVar("edge"), e.publicIP.Load(), e.origin)
	cfgYAML, err := mergeYAML(base, os.Expand(extra, e.configVar))
	if err != nil {
		return flarewarden{}, fmt.Errorf("demo config: %w", err)
	}
	cfg, err := config.Parse(cfgYAML)
	if err != nil {
		return flarewarden{}, fmt.Errorf("demo config: %w", err)
	}
	a, err := e.build(cfg, demoToken, e.log, e.page.Metrics)
	if err != nil {
		return flarewarden{}, err
	}
	a.History = e.page.History
	return flarewarden{a}, nil
}

// configure builds the app of the demo's config with extra merged in (see
// app) and shows that config on the status page: its names, while no
// daemon runs.
func (e *demoEnv) configure(extra string) (flarewarden, error) {
	a, err := e.app(extra)
	if err == nil {
		e.page.State.SetDaemon(nil, a.Cfg, time.Time{})
	}
	return a, err
}

// configVar is the value of ${name} in a step's config: the simulated
// edge's loopback address ("edge") or the home server's ("origin", a new
// one once the server is restarted).
func (e *demoEnv) configVar(name string) string {
	switch name {
	case "edge":
		return strings.TrimPrefix(e.edgeURL, "http://")
	case "origin":
		return e.origin
	}
	return "${" + name + "}"
}
