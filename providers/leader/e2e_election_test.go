package leader

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/providers/cloudflare"
	"github.com/flarewarden/flarewarden/providers/cloudflare/sim"
)

// Short election timings for the e2e tests.
const (
	e2eLease = 4 * time.Second
	e2eRenew = 3 * time.Second
	e2eRetry = 1 * time.Second

	// e2eLeaseName is the Lease of deploy/kubernetes (--leader-elect-name), the only one its Role
	// lets the ServiceAccount get and update.
	e2eLeaseName = "flarewarden"

	e2eZone   = "example.com"
	e2eName   = "home.example.com"
	e2eToken  = "e2e-token"
	e2eMarker = "managed-by=flarewarden"
	// passPause is the pause between two passes of a leader.
	passPause = 100 * time.Millisecond
	// steady is how long the first term is watched before the leader is stopped.
	steady = 3 * time.Second
)

// TestE2ELeaderElectionCrash runs three electors with the flarewarden ServiceAccount's token
// (the real Role and RoleBinding) against one Cloudflare simulator. Exactly one writes; when it
// crashes (its context ends, the Lease is not released) a follower takes over once the Lease
// expires, and no two electors ever write at once.
func TestE2ELeaderElectionCrash(t *testing.T) {
	takeover := runElectionScenario(t, "crash", false)
	// The elector (as client-go) polls every RetryPeriod to RetryPeriod*(1+JitterFactor): a follower sees the last
	// renewal up to one poll late and acquires up to one poll after the expiry.
	worst := e2eLease + 2*time.Duration((1+jitterFactor)*float64(e2eRetry))
	issueBound := e2eLease + 2*e2eRetry
	t.Logf("takeover after a crash: %v (LeaseDuration + 2*RetryPeriod = %v, worst case %v)", takeover, issueBound, worst)
	if takeover > worst {
		t.Errorf("takeover after a crash took %v, over %v", takeover, worst)
	}
}

// TestE2ELeaderElectionRelease is the graceful case: the leader's context ends, it finishes its
// pass and releases the Lease, and a follower takes over within about a retry period.
func TestE2ELeaderElectionRelease(t *testing.T) {
	takeover := runElectionScenario(t, "release", true)
	worst := 2 * time.Duration((1+jitterFactor)*float64(e2eRetry))
	t.Logf("takeover after a release: %v (bound %v)", takeover, worst)
	if takeover > worst {
		t.Errorf("takeover after a release took %v, over %v", takeover, worst)
	}
}

// TestE2ERoleGrantsLeasesOnly checks that the ServiceAccount can do what the election needs and
// nothing more: get and update only on its own Lease, create (which RBAC cannot limit by name).
func TestE2ERoleGrantsLeasesOnly(t *testing.T) {
	e := needE2E(t)
	applyRBAC(t, e)
	for _, tc := range []struct {
		verb, resource string
		allowed        bool
	}{
		{"get", "leases.coordination.k8s.io/" + e2eLeaseName, true},
		{"update", "leases.coordination.k8s.io/" + e2eLeaseName, true},
		{"create", "leases.coordination.k8s.io", true},
		{"get", "leases.coordination.k8s.io/other", false},
		{"update", "leases.coordination.k8s.io/other", false},
		{"get", "leases.coordination.k8s.io", false}, // any name
		{"delete", "leases.coordination.k8s.io/" + e2eLeaseName, false},
		{"delete", "leases.coordination.k8s.io", false},
		{"list", "leases.coordination.k8s.io", false},
		{"get", "secrets", false},
		{"get", "configmaps", false},
	} {
		out, _, err := e.try(nil, e.kubectl, "--kubeconfig", e.sa, "auth", "can-i", "-n", "flarewarden", tc.verb, tc.resource)
		if got := err == nil; got != tc.allowed {
			t.Errorf("can-i %s %s = %v (%s), want %v", tc.verb, tc.resource, got, out, tc.allowed)
		}
	}
}

// applyRBAC creates the Namespace, ServiceAccount, Role and RoleBinding of the kustomize output
// of deploy/kubernetes for real, as admin (and nothing else: no Deployment).
func applyRBAC(t *testing.T, e *e2eEnv) {
	t.Helper()
	e.kubectlAs(t, e.admin, nil, "apply", "-f", "deploy/kubernetes/namespace.yaml")
	rendered, _ := e.kubectlAs(t, e.admin, nil, "kustomize", "deploy/kubernetes")
	var keep []string
	for _, doc := range strings.Split(rendered, "\n---\n") {
		for _, kind := range []string{"ServiceAccount", "Role", "RoleBinding"} {
			if strings.Contains("\n"+doc+"\n", "\nkind: "+kind+"\n") {
				keep = append(keep, doc)
			}
		}
	}
	if len(keep) != 3 {
		t.Fatalf("kustomize output has %d of ServiceAccount, Role, RoleBinding, want 3", len(keep))
	}
	e.kubectlAs(t, e.admin, []byte(strings.Join(keep, "\n---\n")), "apply", "-f", "-")
}

// runElectionScenario runs three electors on a fresh Lease (the Role's, deleted first as admin),
// checks that exactly one writes, stops the leader (releasing the Lease or not) and returns how
// long the takeover took: from the stop to the new leader's first request to the simulator. It
// checks that no two electors' request intervals overlap.
func runElectionScenario(t *testing.T, scenario string, release bool) time.Duration {
	e := needE2E(t)
	applyRBAC(t, e)
	w := newSimWorld(t)
	// The Role allows only its own Lease: start each scenario without one.
	lease := e2eLeaseName
	e.kubectlAs(t, e.admin, nil, "-n", "flarewarden", "delete", "lease", lease, "--ignore-not-found", "--wait")
	var electors []*e2eElector
	for i := range 3 {
		electors = append(electors, startE2EElector(t, e, w, lease, fmt.Sprintf("replica-%d", i), release))
	}
	first := waitLeader(t, electors, nil, e2eLease+3*e2eRetry)
	time.Sleep(steady)
	assertOnlyWriter(t, w, first.id)

	stoppedAt := time.Now()
	first.stop(t)
	second := waitLeader(t, electors, first, e2eLease+6*e2eRetry)
	firstReq := w.waitFirstRequest(t, second.id, 5*time.Second)
	time.Sleep(time.Second) // let the new leader pass a few times
	assertNoOverlap(t, w.snapshot())
	t.Logf("%s: %s led, then %s (takeover %v)", scenario, first.id, second.id, firstReq.Sub(stoppedAt))
	return firstReq.Sub(stoppedAt)
}

// simWorld is one Cloudflare simulator, with a front server per elector that records which
// elector sent each request and when.
type simWorld struct {
	sim   *sim.Server
	addrs atomic.Int64 // the detector's counter: every pass wants a new address

	mu     sync.Mutex
	reqs   []simRequest
	served chan simRequest // when set (tap), also gets each request as it is served, if it has room
}

// simRequest is one request to the simulator, as the simulator served it.
type simRequest struct {
	elector    string
	method     string
	path       string
	start, end time.Time
}

func newSimWorld(t *testing.T) *simWorld {
	t.Helper()
	w := &simWorld{sim: sim.New()}
	w.sim.AddToken(e2eToken, sim.TokenOptions{})
	w.sim.AddZone(e2eZone)
	return w
}

// front starts elector id's own server in front of the simulator, on 127.0.0.1.
func (w *simWorld) front(t *testing.T, id string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		start := time.Now()
		w.sim.ServeHTTP(rw, r)
		req := simRequest{elector: id, method: r.Method, path: r.URL.Path, start: start, end: time.Now()}
		w.mu.Lock()
		defer w.mu.Unlock()
		w.reqs = append(w.reqs, req)
		select {
		case w.served <- req:
		default: // no tap, or it is full
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func (w *simWorld) snapshot() []simRequest {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]simRequest(nil), w.reqs...)
}

// waitFirstRequest returns the start of elector id's first request.
func (w *simWorld) waitFirstRequest(t *testing.T, id string, within time.Duration) time.Time {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		for _, r := range w.snapshot() {
			if r.elector == id {
				return r.start
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s sent no request within %v", id, within)
	return time.Time{}
}

// Detect answers a new documentation address on every call, so every pass writes.
func (w *simWorld) Detect(context.Context) controller.Detection {
	n := w.addrs.Add(1)
	addr := netip.AddrFrom4([4]byte{203, 0, 113, byte(1 + n%250)})
	return controller.Detection{
		V4: controller.FamilyResult{Family: controller.IPv4, State: controller.StateKnown, Addr: addr, Quorum: 1},
		V6: controller.FamilyResult{Family: controller.IPv6, State: controller.StateDisabled},
	}
}

// e2eElector is one replica: leader.run with the ServiceAccount's client and a lead that runs
// reconcile passes against its own front server.
type e2eElector struct {
	id      string
	cancel  context.CancelFunc
	done    chan error
	leading atomic.Bool
	stopped atomic.Bool
}

func startE2EElector(t *testing.T, e *e2eEnv, w *simWorld, lease, id string, release bool) *e2eElector {
	t.Helper()
	c, err := Config{Kubeconfig: e.sa, Namespace: "flarewarden", Name: lease, Identity: id,
		LeaseDuration: e2eLease, RenewDeadline: e2eRenew, RetryPeriod: e2eRetry,
		Log: zaptest.NewLogger(t, zaptest.Level(zap.InfoLevel)).Named(id)}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	client, err := newLeasesClient(c)
	if err != nil {
		t.Fatal(err)
	}
	rec := newReconciler(t, w, w.front(t, id))
	ctx, cancel := context.WithCancel(context.Background())
	el := &e2eElector{id: id, cancel: cancel, done: make(chan error, 1)}
	lead := func(ctx context.Context) { passLoop(ctx, rec) }
	onChange := func(isLeader bool, _ string) { el.leading.Store(isLeader) }
	go func() { el.done <- run(ctx, client, c, lead, onChange, options{releaseOnCancel: release}) }()
	t.Cleanup(func() { el.stop(t) })
	return el
}

// newReconciler wires the real reconciler and Cloudflare adapter to the front server at base.
func newReconciler(t *testing.T, w *simWorld, base string) *controller.Reconciler {
	t.Helper()
	cf, err := cloudflare.New(cloudflare.Options{Token: e2eToken, BaseURL: base + "/client/v4", RateLimit: 1e6, MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	return &controller.Reconciler{Detector: w, DNS: cf, Names: []controller.NameSpec{{Field: "records[0]", Name: e2eName}},
		Policy: controller.Policy{Mode: controller.ModeSync, Marker: e2eMarker}, Log: zap.NewNop()}
}

// passLoop runs reconcile passes until ctx ends.
func passLoop(ctx context.Context, rec *controller.Reconciler) {
	for ctx.Err() == nil {
		_, _ = rec.RunOnce(ctx, controller.PassOptions{})
		select {
		case <-ctx.Done():
		case <-time.After(passPause):
		}
	}
}

// stop ends the elector (once) and waits for Run to return.
func (el *e2eElector) stop(t *testing.T) {
	t.Helper()
	if el.stopped.Swap(true) {
		return
	}
	el.cancel()
	select {
	case err := <-el.done:
		if err != nil {
			t.Errorf("%s: Run = %v", el.id, err)
		}
	case <-time.After(2 * e2eRenew):
		t.Errorf("%s: Run did not return after cancel", el.id)
	}
}

// waitLeader waits until exactly one elector other than not reports leading, and returns it.
func waitLeader(t *testing.T, electors []*e2eElector, not *e2eElector, within time.Duration) *e2eElector {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		var leaders []*e2eElector
		for _, el := range electors {
			if el != not && el.leading.Load() {
				leaders = append(leaders, el)
			}
		}
		if len(leaders) > 1 {
			t.Fatalf("%d electors lead at once", len(leaders))
		}
		if len(leaders) == 1 {
			return leaders[0]
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no leader within %v", within)
	return nil
}

// assertOnlyWriter checks that only the leader sent requests, and that it wrote.
func assertOnlyWriter(t *testing.T, w *simWorld, leader string) {
	t.Helper()
	writes := 0
	for _, r := range w.snapshot() {
		if r.elector != leader {
			t.Fatalf("%s sent %s %s while %s led", r.elector, r.method, r.path, leader)
		}
		if r.method != http.MethodGet {
			writes++
		}
	}
	if writes == 0 {
		t.Fatalf("the leader %s wrote nothing", leader)
	}
	t.Logf("%s alone wrote: %d writes in %v", leader, writes, steady)
}

// assertNoOverlap checks that the electors' request intervals (first start to last end) do not
// overlap: no pass was written by two replicas at once.
func assertNoOverlap(t *testing.T, reqs []simRequest) {
	t.Helper()
	type span struct {
		id         string
		start, end time.Time
	}
	byID := map[string]*span{}
	for _, r := range reqs {
		s, ok := byID[r.elector]
		if !ok {
			byID[r.elector] = &span{r.elector, r.start, r.end}
			continue
		}
		if r.start.Before(s.start) {
			s.start = r.start
		}
		if r.end.After(s.end) {
			s.end = r.end
		}
	}
	var spans []*span
	for _, s := range byID {
		spans = append(spans, s)
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].start.Before(spans[j].start) })
	for i := 1; i < len(spans); i++ {
		if gap := spans[i].start.Sub(spans[i-1].end); gap <= 0 {
			t.Errorf("%s wrote from %v while %s wrote until %v", spans[i].id, spans[i].start, spans[i-1].id, spans[i-1].end)
		} else {
			t.Logf("handover %s -> %s: %v without requests", spans[i-1].id, spans[i].id, gap)
		}
	}
	if len(spans) != 2 {
		t.Errorf("%d electors sent requests, want 2 (the first and the second leader)", len(spans))
	}
}
