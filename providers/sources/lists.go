package sources

import (
	"context"
	"fmt"
	"slices"

	"github.com/flarewarden/flarewarden/controller"
)

// List is one configured source list.
type List struct {
	Specs []Spec
	// IPv6Bits widens IPv6 addresses of hostnames and self (e.g. 64); 0
	// keeps them as single addresses.
	IPv6Bits int
}

// HasSelf reports whether the list holds "self", this host's own address.
func (l List) HasSelf() bool {
	return slices.ContainsFunc(l.Specs, func(s Spec) bool { return s.Kind == KindSelf })
}

// Lists resolves the configured source lists by name (their config field);
// it implements controller.SourceResolver.
type Lists struct {
	resolver *Resolver
	lists    map[string]List
}

// NewLists returns Lists over a Resolver.
func NewLists(r *Resolver, lists map[string]List) *Lists {
	return &Lists{resolver: r, lists: lists}
}

// Resolve resolves the named list; an unknown name yields an unknown set.
func (l *Lists) Resolve(ctx context.Context, name string, in controller.SourceInput) controller.SourceSet {
	list, ok := l.lists[name]
	if !ok {
		return controller.SourceSet{Unknown: fmt.Sprintf("no source list %q is configured", name)}
	}
	return l.resolver.Resolve(ctx, list.Specs, in, list.IPv6Bits)
}
