package waf

import (
	"context"
	"fmt"
	"slices"

	"go.uber.org/zap"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/controller/controllertest"
)

// FakeWAF is an in-memory Cloudflare WAF for pass-level tests (also used by
// the external test package): rulesets, security levels and access rules
// by zone ID, IP lists by name. Writes are applied and logged as the API
// calls the adapter would make ("PATCH rule flarewarden_scripts").
type FakeWAF struct {
	Sets      map[string]controller.Ruleset
	Levels    map[string]string
	Access    map[string][]controller.AccessRule
	Lists     map[string]controller.IPList
	RuleErr   error // returned by every ApplyRules
	AccessErr error // returned by every ApplyAccessRules
	Writes    []string
	nextID    int
}

// NewFakeWAF returns an empty FakeWAF.
func NewFakeWAF() *FakeWAF {
	return &FakeWAF{Sets: map[string]controller.Ruleset{}, Levels: map[string]string{}, Access: map[string][]controller.AccessRule{}, Lists: map[string]controller.IPList{}}
}

func (f *FakeWAF) id(kind string) string { f.nextID++; return fmt.Sprintf("%s%d", kind, f.nextID) }

func (f *FakeWAF) Entrypoint(_ context.Context, z controller.Zone) (controller.Ruleset, error) {
	return f.Sets[z.ID], nil
}

func (f *FakeWAF) ApplyRules(_ context.Context, z controller.Zone, cs []controller.RuleChange) error {
	if f.RuleErr != nil {
		return f.RuleErr
	}
	rs := f.Sets[z.ID]
	for _, c := range cs {
		rs = f.applyRule(rs, c)
	}
	f.Sets[z.ID] = rs
	return nil
}

// applyRule applies one change as the API would, logging its call.
func (f *FakeWAF) applyRule(rs controller.Ruleset, c controller.RuleChange) controller.Ruleset {
	at := func(p *controller.Position) int {
		if p == nil {
			return len(rs.Rules)
		}
		if i := slices.IndexFunc(rs.Rules, func(r controller.Rule) bool { return r.ID == p.Before }); i >= 0 {
			return i
		}
		return 0
	}
	rule := c.Rule
	switch {
	case c.Action == controller.ActionCreate && c.RulesetID == "":
		f.Writes = append(f.Writes, "PUT entrypoint "+rule.Ref)
		rs.ID = "rs"
	case c.Action == controller.ActionCreate:
		f.Writes = append(f.Writes, "POST rule "+rule.Ref)
	case c.Action == controller.ActionUpdate:
		f.Writes = append(f.Writes, "PATCH rule "+rule.Ref)
	default:
		f.Writes = append(f.Writes, "DELETE rule "+rule.Ref)
	}
	i := slices.IndexFunc(rs.Rules, func(r controller.Rule) bool { return r.ID != "" && r.ID == rule.ID })
	if i >= 0 {
		if c.Action != controller.ActionDelete && c.Position == nil {
			rs.Rules[i] = rule
			return rs
		}
		rs.Rules = slices.Delete(rs.Rules, i, i+1)
	}
	if c.Action == controller.ActionDelete {
		return rs
	}
	if rule.ID == "" {
		rule.ID = f.id("rule")
	}
	rs.Rules = slices.Insert(rs.Rules, at(c.Position), rule)
	return rs
}

func (f *FakeWAF) SecurityLevel(_ context.Context, z controller.Zone) (string, error) {
	return f.Levels[z.ID], nil
}

func (f *FakeWAF) AccessRules(_ context.Context, z controller.Zone) ([]controller.AccessRule, error) {
	return slices.Clone(f.Access[z.ID]), nil
}

func (f *FakeWAF) ApplyAccessRules(_ context.Context, z controller.Zone, cs []controller.AccessRuleChange) error {
	if f.AccessErr != nil {
		return f.AccessErr
	}
	for _, c := range cs {
		f.Writes = append(f.Writes, fmt.Sprintf("%s access %s %s", c.Action, c.Rule.Mode, c.Rule.Value))
		rules := slices.DeleteFunc(f.Access[z.ID], func(r controller.AccessRule) bool { return c.Rule.ID != "" && r.ID == c.Rule.ID })
		if c.Action != controller.ActionDelete {
			r := c.Rule
			if r.ID == "" {
				r.ID = f.id("access")
			}
			rules = append(rules, r)
		}
		f.Access[z.ID] = rules
	}
	return nil
}

func (f *FakeWAF) IPList(_ context.Context, _, name string) (controller.IPList, error) {
	return f.Lists[name], nil
}

func (f *FakeWAF) ApplyIPList(_ context.Context, l controller.IPList, cs []controller.ListItemChange) error {
	if l.ID == "" {
		l.ID = f.id("list")
	}
	l.Items = f.Lists[l.Name].Items
	for _, c := range cs {
		f.Writes = append(f.Writes, fmt.Sprintf("%s item %s %s", c.Action, l.Name, c.Item.IP))
		l.Items = slices.DeleteFunc(l.Items, func(it controller.ListItem) bool { return it.IP == c.Item.IP })
		if c.Action != controller.ActionDelete {
			l.Items = append(l.Items, c.Item)
		}
	}
	f.Lists[l.Name] = l
	return nil
}

// FakeSources resolves each list to a fixed set.
type FakeSources map[string]controller.SourceSet

func (f FakeSources) Resolve(_ context.Context, list string, _ controller.SourceInput) controller.SourceSet {
	return f[list]
}

// TestZone is the zone of NewWAFTestReconciler.
var TestZone = controllertest.Zone

// NewWAFTestReconciler returns a sync reconciler managing
// home.example.com in TestZone, its WAF served by waf. The detected IPv4
// address is 203.0.113.7.
func NewWAFTestReconciler(spec Spec, sources SourceResolver, waf *FakeWAF, log *zap.Logger) *controller.Reconciler {
	r := controllertest.NewReconciler(&controllertest.MemDNS{Listed: []controller.Zone{TestZone}}, log,
		controller.NameSpec{Field: "records[0]", Name: "home.example.com"})
	r.WAF = &Step{Spec: spec, Sources: sources, Rulesets: waf, Settings: waf, Access: waf, Lists: waf, Log: log}
	return r
}
