// Package controllertest holds test doubles of the pass's ports and
// helpers for the tests of the packages that use the pass (waf, daemon,
// cmd). controller's own tests, which cannot import it, keep theirs.
package controllertest

import (
	"context"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"

	"go.uber.org/zap"

	"github.com/flarewarden/flarewarden/controller"
)

// Marker is the ownership marker of the tests.
const Marker = "managed-by=flarewarden"

// Zone is the zone of NewReconciler's DNS.
var Zone = controller.Zone{ID: "z1", Name: "example.com"}

// MemDNS is an in-memory Cloudflare DNS: the zones it lists (Listed), their
// records by zone id (Stored), and, per zone id, every change applied (safe for concurrent
// use). Applied changes are recorded, not applied to Stored.
type MemDNS struct {
	Listed []controller.Zone
	Stored map[string][]controller.Record

	mu      sync.Mutex
	applied map[string][]controller.Change
}

// Zones returns the zones.
func (m *MemDNS) Zones(context.Context) ([]controller.Zone, error) { return m.Listed, nil }

// Records returns the zone's records.
func (m *MemDNS) Records(_ context.Context, z controller.Zone) ([]controller.Record, error) {
	return m.Stored[z.ID], nil
}

// Apply records the changes.
func (m *MemDNS) Apply(_ context.Context, z controller.Zone, cs []controller.Change) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.applied == nil {
		m.applied = make(map[string][]controller.Change)
	}
	m.applied[z.ID] = append(m.applied[z.ID], cs...)
	return nil
}

// Applied returns the changes applied in the zone with that id, in order.
func (m *MemDNS) Applied(zoneID string) []controller.Change {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.applied[zoneID])
}

// Detector always detects its Detection.
type Detector controller.Detection

// Detect returns d.
func (d Detector) Detect(context.Context) controller.Detection { return controller.Detection(d) }

// IPv4Only is a detection of addr and no IPv6.
func IPv4Only(addr string) controller.Detection {
	return controller.Detection{V4: controller.FamilyResult{State: controller.StateKnown, Addr: netip.MustParseAddr(addr)},
		V6: controller.FamilyResult{State: controller.StateDisabled}}
}

// NewReconciler returns a sync reconciler of names on dns, with Marker,
// whose detector always sees 203.0.113.7 and no IPv6.
func NewReconciler(dns controller.DNS, log *zap.Logger, names ...controller.NameSpec) *controller.Reconciler {
	return &controller.Reconciler{Detector: Detector(IPv4Only("203.0.113.7")), DNS: dns, Names: names,
		Policy: controller.Policy{Mode: controller.ModeSync, Marker: Marker}, Log: log}
}

// AssertWarnings checks that there are as many warnings as want and that
// each message contains its counterpart in want.
func AssertWarnings(t testing.TB, got []controller.Warning, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got warnings %+v, want %d matching %q", got, len(want), want)
	}
	for i := range want {
		if msg := got[i].Message; !strings.Contains(msg, want[i]) {
			t.Errorf("warning %d = %q, want it to contain %q", i, msg, want[i])
		}
	}
}
