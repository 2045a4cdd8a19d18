package daemon

import (
	"context"
	"net/netip"
	"sync"

	"go.uber.org/zap"

	"github.com/flarewarden/flarewarden/controller"
)

// testMarker is the ownership marker of the daemon's tests.
const testMarker = "managed-by=flarewarden"

// memDNS is the daemon tests' Cloudflare: the zones it lists, their
// records, and, per zone id, every change applied (safe for concurrent use).
type memDNS struct {
	zones   []controller.Zone
	records map[string][]controller.Record

	mu      sync.Mutex
	applied map[string][]controller.Change
}

func (m *memDNS) Zones(context.Context) ([]controller.Zone, error) { return m.zones, nil }

func (m *memDNS) Records(_ context.Context, z controller.Zone) ([]controller.Record, error) {
	return m.records[z.ID], nil
}

func (m *memDNS) Apply(_ context.Context, z controller.Zone, cs []controller.Change) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.applied == nil {
		m.applied = make(map[string][]controller.Change)
	}
	m.applied[z.ID] = append(m.applied[z.ID], cs...)
	return nil
}

// newDaemonReconciler is a reconciler of names on dns whose detector
// always sees 203.0.113.7 and no IPv6.
func newDaemonReconciler(dns controller.DNS, names ...controller.NameSpec) *controller.Reconciler {
	v4 := controller.FamilyResult{State: controller.StateKnown, Addr: netip.MustParseAddr("203.0.113.7")}
	return &controller.Reconciler{Detector: &countingDetector{det: controller.Detection{V4: v4, V6: controller.FamilyResult{State: controller.StateDisabled}}},
		DNS: dns, Names: names, Policy: controller.Policy{Mode: controller.ModeSync, Marker: testMarker}, Log: zap.NewNop()}
}
