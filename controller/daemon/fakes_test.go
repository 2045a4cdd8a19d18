package daemon

import (
	"go.uber.org/zap"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/controller/controllertest"
)

// newTestReconciler is a sync reconciler of names on dns whose detector
// always sees 203.0.113.7 and no IPv6.
func newTestReconciler(dns controller.DNS, names ...controller.NameSpec) *controller.Reconciler {
	return controllertest.NewReconciler(dns, zap.NewNop(), names...)
}
