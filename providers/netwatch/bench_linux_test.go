package netwatch_test

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/robfig/cron/v3"
	"github.com/vishvananda/netlink"
	"go.uber.org/zap"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/controller/daemon"
	"github.com/flarewarden/flarewarden/providers/cloudflare"
	"github.com/flarewarden/flarewarden/providers/cloudflare/sim"
	"github.com/flarewarden/flarewarden/providers/ipdetect"
	"github.com/flarewarden/flarewarden/providers/netwatch"
)

const (
	benchIface  = "fwbench0"
	benchZone   = "example.com"
	benchName   = "home.example.com"
	benchToken  = "bench-token"
	benchMarker = "managed-by=flarewarden"
	// changeTimeout bounds one change's way to the simulator.
	changeTimeout = 10 * time.Second
	// benchChildTimeout bounds the re-executed benchmark.
	benchChildTimeout = 5 * time.Minute
)

// benchAddrs are the two addresses the interface alternates between.
var benchAddrs = [2]netip.Addr{netip.MustParseAddr("203.0.113.10"), netip.MustParseAddr("203.0.113.11")}

// BenchmarkIfaceChangeToCloudflare measures the time from a change of an
// interface's address to the simulator's A record holding the new address,
// through netwatch.Watch, iface: IP detection, controller.Daemon and the
// Cloudflare adapter, with an hourly schedule so only the watch can cause
// the pass. It runs inside its own network namespace: the benchmark binary
// re-executes itself there and reports the child's figures.
func BenchmarkIfaceChangeToCloudflare(b *testing.B) {
	if !inNetns() {
		reportFromNetns(b)
		return
	}
	w := newBenchWorld(b)
	b.ResetTimer()
	var total time.Duration
	for i := range b.N {
		next := benchAddrs[(i+1)%2]
		total += w.change(b, next)
		b.StopTimer()
		w.waitPassDone(b, next)
		b.StartTimer()
	}
	b.StopTimer()
	b.ReportMetric(float64(total)/float64(time.Millisecond)/float64(b.N), "ms/change")
}

// benchWorld is the simulator, a daemon wired like `flarewarden run` and
// the interface whose address it watches.
type benchWorld struct {
	link       netlink.Link
	sim        *sim.Server
	daemon     *daemon.Daemon
	cur        netip.Addr
	writes     chan struct{} // a write to the simulator was answered
	watchCalls atomic.Int64
}

func newBenchWorld(b *testing.B) *benchWorld {
	b.Helper()
	setupNetns(b)
	w := &benchWorld{link: addDummy(b, benchIface), sim: sim.New(), cur: benchAddrs[0], writes: make(chan struct{}, 1)}
	addAddr(b, w.link, benchAddrs[0].String()+"/32")
	w.sim.AddToken(benchToken, sim.TokenOptions{})
	w.sim.AddZone(benchZone)
	api := httptest.NewServer(http.HandlerFunc(w.serveAPI))
	b.Cleanup(api.Close)
	w.daemon = newDaemon(b, api.URL, w.watch)
	w.startDaemon(b)
	w.waitRecord(b, benchAddrs[0]) // the first pass
	w.ready(b)
	return w
}

// serveAPI serves the simulator and signals answered writes.
func (w *benchWorld) serveAPI(rw http.ResponseWriter, r *http.Request) {
	w.sim.ServeHTTP(rw, r)
	if r.Method != http.MethodGet {
		select {
		case w.writes <- struct{}{}:
		default:
		}
	}
}

// watch is the daemon's Watch: netwatch on the benchmark's interface,
// counting calls.
func (w *benchWorld) watch(ctx context.Context, changed func()) error {
	return netwatch.Watch(ctx, []string{benchIface}, func() {
		w.watchCalls.Add(1)
		changed()
	})
}

// newDaemon wires the real pieces: the Cloudflare adapter on the simulator
// at base, iface: detection of IPv4 and a daemon passing hourly.
func newDaemon(b *testing.B, base string, watch func(context.Context, func()) error) *daemon.Daemon {
	b.Helper()
	cf, err := cloudflare.New(cloudflare.Options{Token: benchToken, BaseURL: base + "/client/v4", RateLimit: 1e6})
	if err != nil {
		b.Fatal(err)
	}
	det, err := ipdetect.New(ipdetect.Config{V4: ipdetect.FamilyConfig{Enabled: true, Sources: []string{"iface:" + benchIface}, Quorum: 1}})
	if err != nil {
		b.Fatal(err)
	}
	schedule, err := cron.ParseStandard("@every 1h")
	if err != nil {
		b.Fatal(err)
	}
	rec := &controller.Reconciler{Detector: det, DNS: cf, Names: []controller.NameSpec{{Field: "records[0]", Name: benchName}},
		Policy: controller.Policy{Mode: controller.ModeSync, Marker: benchMarker}, Log: zap.NewNop()}
	return &daemon.Daemon{Reconciler: rec, Schedule: schedule, Backoff: daemon.Backoff{Base: 10 * time.Millisecond, Max: 100 * time.Millisecond},
		Watch: watch, Log: zap.NewNop()}
}

// startDaemon runs the daemon until b's run ends.
func (w *benchWorld) startDaemon(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.daemon.Run(ctx) }()
	b.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(changeTimeout):
			b.Error("the daemon did not stop")
		}
	})
}

// ready pokes the interface with a private address (never the detected
// one) until the watch reports it, so the timed changes find it live.
func (w *benchWorld) ready(b *testing.B) {
	b.Helper()
	deadline := time.Now().Add(changeTimeout)
	for w.watchCalls.Load() == 0 {
		if time.Now().After(deadline) {
			b.Fatal("the address watch never reported a change")
		}
		addAddr(b, w.link, "10.255.0.1/32")
		delAddr(b, w.link, "10.255.0.1/32")
		time.Sleep(20 * time.Millisecond)
	}
}

// change moves the interface from its address to next and returns the
// time until the simulator's record holds next.
func (w *benchWorld) change(b *testing.B, next netip.Addr) time.Duration {
	b.Helper()
	start := time.Now()
	addAddr(b, w.link, next.String()+"/32")
	delAddr(b, w.link, w.cur.String()+"/32")
	w.cur = next
	w.waitRecord(b, next)
	return time.Since(start)
}

// waitRecord waits until the simulator's A record of benchName is want,
// looking after every answered write (and every 50ms in case of a missed
// signal).
func (w *benchWorld) waitRecord(b *testing.B, want netip.Addr) {
	b.Helper()
	deadline := time.After(changeTimeout)
	for w.record() != want.String() {
		select {
		case <-w.writes:
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			b.Fatalf("the A record of %s is %q, not %s, after %s", benchName, w.record(), want, changeTimeout)
		}
	}
}

// waitPassDone waits until the pass that wrote want has finished: a change
// made while a pass is in flight can be missed by the daemon's detection
// (it compares with the last finished pass), so changes are not overlapped.
func (w *benchWorld) waitPassDone(b *testing.B, want netip.Addr) {
	b.Helper()
	deadline := time.Now().Add(changeTimeout)
	for w.daemon.Snapshot().Detection.V4.Addr != want {
		if time.Now().After(deadline) {
			b.Fatalf("no finished pass saw %s after %s", want, changeTimeout)
		}
		time.Sleep(200 * time.Microsecond)
	}
}

// record is the content of benchName's A record, or "".
func (w *benchWorld) record() string {
	for _, r := range w.sim.Records(benchZone) {
		if r.Name == benchName && r.Type == "A" {
			return r.Content
		}
	}
	return ""
}

// netnsResult is the child's figures, measured once per process.
var netnsResult *benchResult

// benchResult is a benchmark line's figures, by unit.
type benchResult struct {
	metrics map[string]float64
}

// reportFromNetns runs the benchmark in a network namespace (once per
// process, with this run's -test.benchtime), logs the child's output and
// reports its figures as this run's (the iteration count shown is this
// process's, the child's is in the log).
func reportFromNetns(b *testing.B) {
	b.Helper()
	if netnsResult == nil {
		benchtime := "1s"
		if f := flag.Lookup("test.benchtime"); f != nil {
			benchtime = f.Value.String()
		}
		out := runInNetns(b, benchChildTimeout, "-test.run", "^$", "-test.bench", "^"+b.Name()+"$",
			"-test.benchtime", benchtime, "-test.count", "1", "-test.v", "-test.timeout", benchChildTimeout.String())
		res, err := parseBenchLine(out, b.Name())
		if err != nil {
			b.Fatalf("%v\n%s", err, out)
		}
		netnsResult = &res
	}
	for unit, v := range netnsResult.metrics {
		b.ReportMetric(v, unit)
	}
}

// parseBenchLine finds name's result line in out.
func parseBenchLine(out, name string) (benchResult, error) {
	for line := range strings.Lines(out) {
		fields := strings.Fields(line)
		if len(fields) < 4 || (fields[0] != name && !strings.HasPrefix(fields[0], name+"-")) {
			continue
		}
		res := benchResult{metrics: map[string]float64{}}
		for i := 2; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				return benchResult{}, fmt.Errorf("benchmark line %q: %w", line, err)
			}
			res.metrics[fields[i+1]] = v
		}
		return res, nil
	}
	return benchResult{}, fmt.Errorf("no result line for %s", name)
}
