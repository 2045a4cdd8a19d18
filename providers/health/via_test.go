package health

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/flarewarden/flarewarden/controller"
)

// A canary's edge probe goes through the next route when the default
// route cannot reach the edge (its uplink is dead), and says so.
func TestEdgeProbeFallsBackToTheNextRoute(t *testing.T) {
	srv := newServer(t, answerHandler(522, cf(), "error code: 522"))
	unreachable := func(context.Context, string, string) (net.Conn, error) {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ENETUNREACH}
	}
	var lteDials atomic.Int64
	lte := Via{Name: "uplink lte", Dial: func(ctx context.Context, network, addr string) (net.Conn, error) {
		lteDials.Add(1)
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}}
	deadDefault := func(p *Prober) { p.edgeDial = unreachable }

	c := edgeCheck(addrOf(srv))
	c.EdgeVia = []Via{lte}
	got := probeOne(t, c, controller.ProbeInput{}, deadDefault).Edge
	wantClass(t, got, controller.ClassOriginTimeout)
	wantContains(t, got.Explanation, "the edge was reached through uplink lte: not through the default route")
	if lteDials.Load() != 1 {
		t.Errorf("lte dialed %d times, want 1", lteDials.Load())
	}

	lteDials.Store(0)
	got = probeOne(t, c, controller.ProbeInput{}).Edge // the default route works: lte is not used
	wantClass(t, got, controller.ClassOriginTimeout)
	if lteDials.Load() != 0 || got.Explanation == "" || strings.Contains(got.Explanation, "reached through") {
		t.Errorf("with the default route up: lte dialed %d times, explanation %q", lteDials.Load(), got.Explanation)
	}

	c.EdgeVia = []Via{{Name: "uplink lte", Dial: unreachable}}
	res := probeOne(t, c, controller.ProbeInput{}, deadDefault)
	if res.Edge.Class == controller.ClassOK || res.Edge.Class == controller.ClassOriginTimeout {
		t.Errorf("every route dead: class %s, want a failure to reach the edge", res.Edge.Class)
	}
}

// dialEdge joins every route's failure, each named.
func TestDialEdgeNamesEveryRoute(t *testing.T) {
	fail := func(context.Context, string, string) (net.Conn, error) { return nil, errors.New("no route") }
	var via string
	_, err := dialEdge(context.Background(), []Via{{Dial: fail}, {Name: "uplink lte", Dial: fail}}, "tcp", "127.0.0.1:9", &via)
	if err == nil || !strings.Contains(err.Error(), "through the default route: no route") || !strings.Contains(err.Error(), "through uplink lte: no route") || via != "" {
		t.Fatalf("err = %v, via %q", err, via)
	}
}
