package health

import (
	"net"
	"testing"
	"time"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/controller/daemon"
)

// this host's resolver timing out (health.dns_server down, or a
// slow system resolver) while Cloudflare's edge serves the site fine gives
// class ddns_target_down, which the healer treats as a DNS failure: with
// takeover_cname: on-failure the CNAME is replaced, though nothing failed.
func TestResolverTimeoutWhileTheEdgeServesIsNotDDNSTargetDown(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pc.Close() })
	go func() {
		b := make([]byte, 512)
		for {
			if _, _, err := pc.ReadFrom(b); err != nil {
				return
			}
		}
	}()
	srv := newServer(t, answerHandler(200, cf(), "ok"))
	c := edgeCheck(addrOf(srv))
	c.Timeout = 300 * time.Millisecond
	p := newProber(t, Options{Checks: []Check{c}, DNSServer: pc.LocalAddr().String()})
	in := controller.ProbeInput{CNAMEs: map[string]string{"app.example.test": "myhome.duckdns.org"}}
	r := p.Probe(t.Context(), in)[0]
	t.Logf("edge %s, dns %+v", r.Edge.Class, r.DNS)
	h := &daemon.Healer{}
	dec := h.Decide(daemon.HealInput{Results: []controller.CheckResult{r}, Now: time.Now(), CNAMEs: in.CNAMEs,
		OnFailure: map[string]bool{"app.example.test": true}})
	if len(dec.Takeover) != 0 {
		t.Fatalf("class %s: the healer takes over %v because this host's resolver timed out (edge %s)", r.Class(), dec.Takeover, r.Edge.Class)
	}
}
