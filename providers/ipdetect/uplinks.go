package ipdetect

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/flarewarden/flarewarden/controller"
)

// Uplink is one named uplink's detection config.
type Uplink struct {
	Name   string
	Config Config
}

// Uplinks implements controller.Detector over several uplinks, each with
// its own Detector (usually bound to the uplink, see Bind). It is safe for
// concurrent use.
type Uplinks struct {
	names []string
	dets  []*Detector
}

var _ controller.Detector = (*Uplinks)(nil)

// NewUplinks checks every uplink as New does, with opts applied to each,
// and returns their detector. There must be at least one uplink, each with
// a name no other has. Errors name the uplink by its index, e.g.
// "uplinks[1].ipv4.quorum: 0 is less than 1"; all problems are reported
// together.
func NewUplinks(ups []Uplink, opts ...Option) (*Uplinks, error) {
	if len(ups) == 0 {
		return nil, errors.New("uplinks: at least one uplink is needed")
	}
	u := &Uplinks{names: make([]string, len(ups)), dets: make([]*Detector, len(ups))}
	var errs []error
	seen := make(map[string]int, len(ups))
	for i, up := range ups {
		if err := checkUplinkName(up.Name, seen, i); err != nil {
			errs = append(errs, fmt.Errorf("uplinks[%d].name: %w", i, err))
		}
		d, err := New(up.Config, opts...)
		if err != nil {
			errs = append(errs, prefixLines(fmt.Sprintf("uplinks[%d].", i), err))
		}
		u.names[i], u.dets[i] = up.Name, d
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return u, nil
}

// checkUplinkName requires a name not used by an earlier uplink.
func checkUplinkName(name string, seen map[string]int, i int) error {
	if name == "" {
		return errors.New("an uplink needs a name")
	}
	if j, dup := seen[name]; dup {
		return fmt.Errorf("%q is already the name of uplinks[%d]", name, j)
	}
	seen[name] = i
	return nil
}

// prefixLines prefixes each of the joined errors in err with prefix.
func prefixLines(prefix string, err error) error {
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return fmt.Errorf("%s%w", prefix, err)
	}
	var errs []error
	for _, e := range joined.Unwrap() {
		errs = append(errs, prefixLines(prefix, e))
	}
	return errors.Join(errs...)
}

// Detect runs every uplink's detection concurrently, as Detector.Detect
// does, and returns them in Uplinks, in the configured order. V4 and V6
// are, per family, the result of the first uplink that knows the address,
// else the first uplink's result (unknown or disabled).
func (u *Uplinks) Detect(ctx context.Context) controller.Detection {
	det := controller.Detection{Uplinks: make([]controller.UplinkDetection, len(u.dets))}
	var wg sync.WaitGroup
	for i, d := range u.dets {
		wg.Go(func() {
			r := d.Detect(ctx)
			det.Uplinks[i] = controller.UplinkDetection{Name: u.names[i], V4: r.V4, V6: r.V6}
		})
	}
	wg.Wait()
	det.V4, det.V6 = firstKnown(det.Uplinks, controller.IPv4), firstKnown(det.Uplinks, controller.IPv6)
	return det
}

// firstKnown returns the result for family f of the first uplink that
// knows it, else of the first uplink.
func firstKnown(ups []controller.UplinkDetection, f controller.Family) controller.FamilyResult {
	for _, up := range ups {
		if r := up.Get(f); r.State == controller.StateKnown {
			return r
		}
	}
	return ups[0].Get(f)
}
