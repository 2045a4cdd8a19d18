package ipdetect

import (
	"context"
	"errors"
	"fmt"
	"net/netip"

	"github.com/flarewarden/flarewarden/controller"
)

// staticSource always answers the same address ("static:IP").
type staticSource struct {
	name string
	addr netip.Addr
}

func newStaticSource(name, arg string) (Source, error) {
	if arg == "" {
		return nil, errors.New(`static source needs an address ("static:203.0.113.7")`)
	}
	addr, err := parseAddrText(arg)
	if err != nil {
		return nil, fmt.Errorf("static address %q: %w", clip(arg), err)
	}
	return &staticSource{name: name, addr: addr}, nil
}

// Name returns the spec as configured.
func (s *staticSource) Name() string { return s.name }

// checkConfig rejects at load time what Detect would reject on every pass.
func (s *staticSource) checkConfig(f controller.Family, allowPrivate bool) error {
	if !f.Matches(s.addr) {
		return fmt.Errorf("static address %s is not %s", s.addr, f)
	}
	if err := Validate(s.addr, f, allowPrivate); err != nil {
		return fmt.Errorf("static address: %w", err)
	}
	return nil
}

// Lookup returns the configured address, or an error when it is not of
// family f.
func (s *staticSource) Lookup(ctx context.Context, f controller.Family) (netip.Addr, error) {
	if err := ctx.Err(); err != nil {
		return netip.Addr{}, sourceError(s.name, err)
	}
	if !f.Matches(s.addr) {
		return netip.Addr{}, sourceError(s.name, fmt.Errorf("static address %s is not %s", s.addr, f))
	}
	return s.addr, nil
}
