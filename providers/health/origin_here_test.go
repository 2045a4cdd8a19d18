package health

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/providers/nettest"
)

// A 521 or 522 at the edge while the origin answers this host's probe
// points at a firewall blocking Cloudflare; other failures keep their
// diagnosis.
func TestProbeOriginAnswersHere(t *testing.T) {
	origin := addrOf(newServer(t, answerHandler(200, nil, "hi")))
	port := int(netip.MustParseAddrPort(origin).Port())
	detected := controller.ProbeInput{Detection: controller.Detection{V4: known("127.0.0.1")}}
	const firewall, router = "https://www.cloudflare.com/ips/", "the probe used origin.address"
	for _, tc := range []struct {
		name   string
		status int
		origin *OriginCheck
		want   controller.Class
		added  bool // the firewall explanation and hint are added
		router bool // the hint names port forwarding
	}{
		{name: "521, origin ok at the detected address", status: 521, origin: &OriginCheck{Port: port},
			want: controller.ClassOriginDown, added: true},
		{name: "522, origin ok at origin.address", status: 522, origin: &OriginCheck{Address: origin},
			want: controller.ClassOriginTimeout, added: true, router: true},
		{name: "524, origin ok", status: 524, origin: &OriginCheck{Port: port}, want: controller.ClassOriginTimeout},
		{name: "523, origin ok", status: 523, origin: &OriginCheck{Port: port}, want: controller.ClassOriginUnreachable},
		{name: "521, origin refused", status: 521, origin: &OriginCheck{Address: nettest.ClosedPort(t)},
			want: controller.ClassOriginDown},
		{name: "522, no origin probe", status: 522, want: controller.ClassOriginTimeout},
	} {
		t.Run(tc.name, func(t *testing.T) {
			edge := newServer(t, answerHandler(tc.status, cf(), fmt.Sprintf("error code: %d", tc.status)))
			c := edgeCheck(addrOf(edge))
			c.Origin = tc.origin
			d := probeOne(t, c, detected).Edge
			wantClass(t, d, tc.want)
			if got := strings.Contains(d.Hint, firewall); got != tc.added {
				t.Fatalf("hint %q: firewall hint %v, want %v", d.Hint, got, tc.added)
			}
			if got := strings.Contains(d.Explanation, "yet the origin answers from this host"); got != tc.added {
				t.Fatalf("explanation %q: origin answers %v, want %v", d.Explanation, got, tc.added)
			}
			if got := strings.Contains(d.Hint, router); got != tc.router {
				t.Fatalf("hint %q: port forwarding %v, want %v", d.Hint, got, tc.router)
			}
		})
	}
}
