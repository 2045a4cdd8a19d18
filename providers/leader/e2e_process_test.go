package leader

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"go.uber.org/zap"
	coordv1 "k8s.io/api/coordination/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	coordinationv1 "k8s.io/client-go/kubernetes/typed/coordination/v1"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/controller/retry"
	"github.com/flarewarden/flarewarden/providers/cloudflare"
)

// Replicas as processes: the test binary, run with replicaEnv set, is one flarewarden replica
// (Run with the kubeconfig, as the daemon calls it, and reconcile passes against the simulator
// through the Cloudflare adapter with Transport, as the daemon builds it), so that a replica can
// be paused (SIGSTOP), killed (SIGKILL) or stopped (SIGTERM) like a Pod's process.

// replicaEnv holds a replica process's replicaSpec (JSON).
const replicaEnv = "FLAREWARDEN_E2E_REPLICA"

// replicaSpec configures a replica process. Zero timings are Run's defaults.
type replicaSpec struct {
	Kubeconfig, Lease, Identity, Front        string
	LeaseDuration, RenewDeadline, RetryPeriod time.Duration
	PassPause                                 time.Duration
	Range                                     int // which documentation addresses it writes (disjoint per replica)
}

func TestMain(m *testing.M) {
	if spec := os.Getenv(replicaEnv); spec != "" {
		os.Exit(replicaMain(spec))
	}
	os.Exit(m.Run())
}

// replicaMain runs one replica until SIGTERM or SIGINT and returns its exit code.
func replicaMain(specJSON string) int {
	var s replicaSpec
	if err := json.Unmarshal([]byte(specJSON), &s); err != nil {
		fmt.Fprintf(os.Stderr, "replica spec: %v\n", err)
		return 2
	}
	zc := zap.NewProductionConfig()
	zc.Sampling = nil
	log, err := zc.Build()
	if err != nil {
		fmt.Fprintf(os.Stderr, "logger: %v\n", err)
		return 2
	}
	log = log.Named(s.Identity)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	cf, err := cloudflare.New(cloudflare.Options{Token: e2eToken, BaseURL: s.Front + "/client/v4", RateLimit: 1e6, MaxRetries: -1,
		HTTPClient: &http.Client{Timeout: 30 * time.Second, Transport: Transport(nil)}}) // as cmd/flarewarden builds it
	if err != nil {
		log.Error("cloudflare client", zap.Error(err))
		return 2
	}
	rec := &controller.Reconciler{Detector: &rangeDetector{base: 1 + 80*s.Range}, DNS: cf,
		Names:  []controller.NameSpec{{Field: "records[0]", Name: e2eName}},
		Policy: controller.Policy{Mode: controller.ModeSync, Marker: e2eMarker}, Log: zap.NewNop()}
	lead := func(ctx context.Context) {
		for ctx.Err() == nil {
			_, _ = rec.RunOnce(ctx, controller.PassOptions{})
			_ = retry.Sleep(ctx, s.PassPause)
		}
	}
	c := Config{Kubeconfig: s.Kubeconfig, Namespace: "flarewarden", Name: s.Lease, Identity: s.Identity,
		LeaseDuration: s.LeaseDuration, RenewDeadline: s.RenewDeadline, RetryPeriod: s.RetryPeriod, Log: log}
	if err := Run(ctx, c, lead, nil); err != nil {
		log.Error("run", zap.Error(err))
		return 1
	}
	log.Info("replica exits")
	return 0
}

// rangeDetector answers a new documentation address on every call, from its own 80 addresses, so
// that every pass writes, and a new leader's first pass always does.
type rangeDetector struct {
	base int
	n    atomic.Int64
}

func (d *rangeDetector) Detect(context.Context) controller.Detection {
	n := d.n.Add(1)
	addr := netip.AddrFrom4([4]byte{203, 0, 113, byte(d.base + int(n%80))})
	return controller.Detection{
		V4: controller.FamilyResult{Family: controller.IPv4, State: controller.StateKnown, Addr: addr, Quorum: 1},
		V6: controller.FamilyResult{Family: controller.IPv6, State: controller.StateDisabled},
	}
}

// replicaProc is a running replica process.
type replicaProc struct {
	id     string
	cmd    *exec.Cmd
	log    string // its stderr
	exited chan struct{}
	err    error // Wait's, once exited is closed
}

// startReplica starts a replica process; the test's end kills it if it still runs.
func startReplica(t *testing.T, s replicaSpec) *replicaProc {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	spec, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	p := &replicaProc{id: s.Identity, log: filepath.Join(t.TempDir(), s.Identity+".log"), exited: make(chan struct{})}
	f, err := os.Create(p.log)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p.cmd = exec.Command(exe)
	p.cmd.Env = append(os.Environ(), replicaEnv+"="+string(spec))
	p.cmd.Stdout, p.cmd.Stderr = f, f
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			_ = p.cmd.Process.Kill() // also ends a stopped process
			<-p.exited
		}
		if t.Failed() {
			t.Logf("%s's log (last lines):\n%s", p.id, tail(p.logText(), 25))
		}
	})
	return p
}

func (p *replicaProc) signal(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("%s: %v: %v", p.id, sig, err)
	}
}

// stop sends SIGTERM and waits for a clean exit.
func (p *replicaProc) stop(t *testing.T, within time.Duration) {
	t.Helper()
	p.signal(t, syscall.SIGTERM)
	select {
	case <-p.exited:
		if p.err != nil {
			t.Errorf("%s exited: %v", p.id, p.err)
		}
	case <-time.After(within):
		t.Errorf("%s did not exit within %v of SIGTERM", p.id, within)
	}
}

func (p *replicaProc) logText() string {
	data, _ := os.ReadFile(p.log)
	return string(data)
}

// rounds is how many election rounds the replica has begun.
func (p *replicaProc) rounds() int { return strings.Count(p.logText(), `"msg":"campaigning"`) }

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// leaseEvent is one version of the Lease, as an admin's watch saw it.
type leaseEvent struct {
	at       time.Time
	typ      watch.EventType
	rv       string
	holder   string
	duration int32
}

// leaseWatch records every version of the Lease from before the replicas start.
type leaseWatch struct {
	mu     sync.Mutex
	events []leaseEvent
	err    error // of the watch, reported at the test's end
}

func watchLease(t *testing.T, e *e2eEnv, lease string) *leaseWatch {
	t.Helper()
	rc, err := clientcmd.BuildConfigFromFlags("", e.admin)
	if err != nil {
		t.Fatal(err)
	}
	client, err := coordinationv1.NewForConfig(rc)
	if err != nil {
		t.Fatal(err)
	}
	// List, then watch from the list's resourceVersion, again after the watch ends: no version is
	// missed (a watch without a resourceVersion may start after the first writes).
	ctx, cancel := context.WithCancel(context.Background())
	leases := client.Leases("flarewarden")
	sel := metav1.ListOptions{FieldSelector: "metadata.name=" + lease}
	list, err := leases.List(ctx, sel)
	if err != nil {
		cancel()
		t.Fatalf("list lease %s: %v", lease, err)
	}
	lw := &leaseWatch{}
	for i := range list.Items {
		lw.add(watch.Added, &list.Items[i])
	}
	rv := list.ResourceVersion
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			opts := sel
			opts.ResourceVersion, opts.AllowWatchBookmarks = rv, true
			w, err := leases.Watch(ctx, opts)
			if err != nil {
				if ctx.Err() == nil {
					lw.fail(fmt.Errorf("watch lease %s from %s: %w", lease, rv, err))
				}
				return
			}
			for ev := range w.ResultChan() {
				switch l, ok := ev.Object.(*coordv1.Lease); {
				case ev.Type == watch.Error && ctx.Err() != nil: // the watch ended with the test
				case ev.Type == watch.Error:
					lw.fail(fmt.Errorf("watch lease %s: %v", lease, ev.Object))
				case ok && ev.Type == watch.Bookmark:
					rv = l.ResourceVersion
				case ok:
					rv = l.ResourceVersion
					lw.add(ev.Type, l)
				}
			}
			w.Stop()
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-done
		if err := lw.failed(); err != nil {
			t.Error(err)
		}
	})
	return lw
}

func (lw *leaseWatch) add(typ watch.EventType, l *coordv1.Lease) {
	le := leaseEvent{at: time.Now(), typ: typ, rv: l.ResourceVersion, holder: holderOf(l)}
	if l.Spec.LeaseDurationSeconds != nil {
		le.duration = *l.Spec.LeaseDurationSeconds
	}
	lw.mu.Lock()
	defer lw.mu.Unlock()
	lw.events = append(lw.events, le)
}

func (lw *leaseWatch) fail(err error) {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	lw.err = errors.Join(lw.err, err)
}

func (lw *leaseWatch) failed() error {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	return lw.err
}

func (lw *leaseWatch) snapshot() []leaseEvent {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	return append([]leaseEvent(nil), lw.events...)
}

// waitHolder waits until the Lease names a holder other than "" and not, and returns it and the
// index of the event from which on it is named.
func (lw *leaseWatch) waitHolder(t *testing.T, not string, within time.Duration) (string, int) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		evs := lw.snapshot()
		if n := len(evs); n > 0 && evs[n-1].holder != "" && evs[n-1].holder != not {
			return evs[n-1].holder, lastChange(evs)
		}
		if time.Now().After(deadline) {
			t.Fatalf("no holder other than %q within %v: %v", not, within, evs)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// lastChange is the index of the event where the last holder began.
func lastChange(evs []leaseEvent) int {
	i := len(evs) - 1
	for i > 0 && evs[i-1].holder == evs[i].holder {
		i--
	}
	return i
}

// tap delivers the requests the simulator serves from now on, as each completes.
func (w *simWorld) tap() <-chan simRequest {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.served = make(chan simRequest, 4096)
	return w.served
}

// nextWrite drops what served holds and waits for id's next write to be served (its answer may
// not have reached id yet).
func nextWrite(t *testing.T, served <-chan simRequest, id string, within time.Duration) {
	t.Helper()
	for drained := false; !drained; {
		select {
		case <-served:
		default:
			drained = true
		}
	}
	timeout := time.After(within)
	for {
		select {
		case r := <-served:
			if r.elector == id && r.method != http.MethodGet {
				return
			}
		case <-timeout:
			t.Fatalf("%s wrote nothing within %v", id, within)
		}
	}
}

// waitWrite returns the first write (not a GET) served after since by an elector accepted by who.
func (w *simWorld) waitWrite(t *testing.T, since time.Time, who func(string) bool, within time.Duration) simRequest {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		for _, r := range w.snapshot() {
			if r.method != http.MethodGet && who(r.elector) && !r.start.Before(since) {
				return r
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("no write within %v", within)
	return simRequest{}
}

// assertWritesDoNotOverlap checks, write by write, that no two replicas' writes were served at
// once, and that the replicas' write windows (first write's start to last write's end) follow
// one another.
func assertWritesDoNotOverlap(t *testing.T, reqs []simRequest) {
	t.Helper()
	var writes []simRequest
	window := map[string][2]time.Time{}
	for _, r := range reqs {
		if r.method == http.MethodGet {
			continue
		}
		writes = append(writes, r)
		w, ok := window[r.elector]
		if !ok || r.start.Before(w[0]) {
			w[0] = r.start
		}
		if r.end.After(w[1]) {
			w[1] = r.end
		}
		window[r.elector] = w
	}
	sort.Slice(writes, func(i, j int) bool { return writes[i].start.Before(writes[j].start) })
	for i, a := range writes {
		for _, b := range writes[i+1:] {
			if !b.start.Before(a.end) {
				break
			}
			if b.elector != a.elector {
				t.Errorf("%s's %s %s (%v-%v) overlaps %s's %s %s (%v-%v)", a.elector, a.method, a.path,
					a.start.Format(time.StampMicro), a.end.Format(time.StampMicro), b.elector, b.method, b.path,
					b.start.Format(time.StampMicro), b.end.Format(time.StampMicro))
			}
		}
	}
	ids := make([]string, 0, len(window))
	for id := range window {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return window[ids[i]][0].Before(window[ids[j]][0]) })
	for i, id := range ids {
		w := window[id]
		t.Logf("%s wrote from %v to %v", id, w[0].Format(time.StampMilli), w[1].Format(time.StampMilli))
		if i > 0 && !window[ids[i-1]][1].Before(w[0]) {
			t.Errorf("%s's writes (from %v) began before %s's ended (%v): %v of writes by both",
				id, w[0].Format(time.StampMilli), ids[i-1], window[ids[i-1]][1].Format(time.StampMilli), window[ids[i-1]][1].Sub(w[0]))
		}
	}
}

// replicaSet starts n replica processes on a fresh Lease with the given timings, each behind its
// own front server of w.
func replicaSet(t *testing.T, e *e2eEnv, w *simWorld, n int, lease, renew, retry, passPause time.Duration) map[string]*replicaProc {
	t.Helper()
	procs := map[string]*replicaProc{}
	for i := range n {
		id := fmt.Sprintf("replica-%d", i)
		procs[id] = startReplica(t, replicaSpec{Kubeconfig: e.sa, Lease: e2eLeaseName, Identity: id, Front: w.front(t, id),
			LeaseDuration: lease, RenewDeadline: renew, RetryPeriod: retry, PassPause: passPause, Range: i})
	}
	return procs
}

// freshLease deletes the Role's Lease (as admin) and starts watching it.
func freshLease(t *testing.T, e *e2eEnv) *leaseWatch {
	t.Helper()
	e.kubectlAs(t, e.admin, nil, "-n", "flarewarden", "delete", "lease", e2eLeaseName, "--ignore-not-found", "--wait")
	return watchLease(t, e, e2eLeaseName)
}

// Issue 8: a leader paused (SIGSTOP) past its lease, resumed after another replica took over, must
// neither write to Cloudflare nor touch the Lease: client-go's release with its record from before
// the pause used to wipe the new holder's Lease, and a third replica then took it while the new
// holder kept writing.
func TestE2EPausedLeaderNeverTouchesTheLease(t *testing.T) {
	e := needE2E(t)
	applyRBAC(t, e)
	w := newSimWorld(t)
	lw := freshLease(t, e)
	served := w.tap()
	procs := replicaSet(t, e, w, 3, e2eLease, e2eRenew, e2eRetry, 250*time.Millisecond)

	first, _ := lw.waitHolder(t, "", e2eLease+5*e2eRetry)
	w.waitWrite(t, time.Time{}, func(id string) bool { return id == first }, 10*time.Second)
	time.Sleep(steady)
	// Pause the leader while it waits for the answer to a write: not between two requests.
	nextWrite(t, served, first, 10*time.Second)
	procs[first].signal(t, syscall.SIGSTOP)
	pausedAt := time.Now()
	second, takeover := lw.waitHolder(t, first, e2eLease+6*e2eRetry)
	secondWrite := w.waitWrite(t, pausedAt, func(id string) bool { return id == second }, 10*time.Second)
	time.Sleep(time.Second)
	procs[first].signal(t, syscall.SIGCONT)
	resumedAt := time.Now()
	t.Logf("%s paused at %v; %s took the Lease after %v and wrote after %v; %s resumed after %v",
		first, pausedAt.Format(time.StampMilli), second, lw.snapshot()[takeover].at.Sub(pausedAt),
		secondWrite.start.Sub(pausedAt), first, resumedAt.Sub(pausedAt))

	// Its renewal fails and its round ends (client-go then releases, or tries to); it campaigns again.
	rounds := procs[first].rounds()
	waitFor(t, first+" campaigns again", 6*e2eLease, func() bool { return procs[first].rounds() > rounds })
	time.Sleep(3 * e2eRetry)

	events := lw.snapshot()
	for _, ev := range events[takeover:] {
		if ev.holder != second || ev.duration != int32(e2eLease/time.Second) || ev.typ != watch.Modified {
			t.Errorf("after %s took the Lease: %s resourceVersion %s holder %q duration %ds", second, ev.typ, ev.rv, ev.holder, ev.duration)
		}
	}
	t.Logf("Lease versions since %s took it: %d (resourceVersions %s to %s)", second, len(events)-takeover,
		events[takeover].rv, events[len(events)-1].rv)
	for _, l := range strings.Split(grepLines(procs[first].logText(), "release of lease"), "\n") {
		var entry struct{ Error string }
		if json.Unmarshal([]byte(l), &entry) == nil {
			t.Logf("%s's release: %s", first, entry.Error)
		}
	}
	reqs := w.snapshot()
	for _, r := range reqs {
		if r.elector == first && r.start.After(pausedAt) {
			t.Errorf("%s sent %s %s at %v, after its pause began", first, r.method, r.path, r.start.Format(time.StampMicro))
		}
	}
	assertWritesDoNotOverlap(t, reqs)
	assertNoOverlap(t, reqs)
	for _, p := range procs {
		p.stop(t, 2*e2eRenew)
	}
}

// grepLines returns the lines of s that contain sub.
func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// handoverTrialsEnv, a number, runs TestE2EHandoverTimes with that many trials per stop mode.
const handoverTrialsEnv = "FLAREWARDEN_K8S_E2E_HANDOVER_TRIALS"

// TestE2EHandoverTimes measures, with the shipped timings (Run's defaults), how long after the
// leader's process gets SIGKILL or SIGTERM another replica's first write is served. It takes
// about 25 s per SIGKILL trial, so it runs only when asked (handoverTrialsEnv).
func TestE2EHandoverTimes(t *testing.T) {
	e := needE2E(t)
	var trials int
	if _, err := fmt.Sscan(os.Getenv(handoverTrialsEnv), &trials); err != nil || trials < 1 {
		t.Skipf("set %s=N to measure N handovers per signal with the default timings", handoverTrialsEnv)
	}
	applyRBAC(t, e)
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL} {
		var took []time.Duration
		for i := range trials {
			t.Run(fmt.Sprintf("%v-%d", sig, i), func(t *testing.T) {
				w := newSimWorld(t)
				lw := freshLease(t, e)
				served := w.tap()
				procs := replicaSet(t, e, w, 3, 0, 0, 0, passPause)
				first, _ := lw.waitHolder(t, "", DefaultLeaseDuration)
				w.waitWrite(t, time.Time{}, func(id string) bool { return id == first }, 10*time.Second)
				// A random phase of the renewal period (RetryPeriod), then right after a write.
				time.Sleep(2*time.Second + time.Duration(time.Now().UnixNano()%int64(DefaultRetryPeriod)))
				nextWrite(t, served, first, 10*time.Second)
				procs[first].signal(t, sig)
				at := time.Now()
				next := w.waitWrite(t, at, func(id string) bool { return id != first }, 3*DefaultLeaseDuration)
				took = append(took, next.start.Sub(at))
				if sig == syscall.SIGTERM {
					select {
					case <-procs[first].exited:
						if procs[first].err != nil {
							t.Errorf("%s exited: %v", first, procs[first].err)
						}
					case <-time.After(2 * DefaultRenewDeadline):
						t.Errorf("%s did not exit within %v of SIGTERM", first, 2*DefaultRenewDeadline)
					}
				}
				t.Logf("%v to %s: %s's first write after %v", sig, first, next.elector, next.start.Sub(at))
				time.Sleep(time.Second)
				assertWritesDoNotOverlap(t, w.snapshot())
				for id, p := range procs {
					if id != first {
						p.stop(t, 2*DefaultRenewDeadline)
					}
				}
				if t.Failed() {
					t.Logf("Lease versions: %v", lw.snapshot())
				}
			})
		}
		if len(took) > 0 {
			sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
			t.Logf("%v -> new leader's first write, %d trials (lease %v, renew %v, retry %v): min %v, median %v, max %v, all %v",
				sig, len(took), DefaultLeaseDuration, DefaultRenewDeadline, DefaultRetryPeriod,
				took[0].Round(time.Millisecond), took[len(took)/2].Round(time.Millisecond), took[len(took)-1].Round(time.Millisecond), took)
		}
	}
}
