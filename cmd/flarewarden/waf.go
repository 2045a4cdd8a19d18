package main

import (
	"fmt"
	"time"

	"github.com/flarewarden/flarewarden/cmd/flarewarden/config"
	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/controller/daemon"
	"github.com/flarewarden/flarewarden/controller/waf"
	"github.com/flarewarden/flarewarden/providers/sources"
)

// wafSpec converts the waf section into the controller's spec and the
// source lists it resolves, keyed by config field.
func wafSpec(w config.WAF) (waf.Spec, map[string]sources.List, error) {
	spec := waf.Spec{ReportUnderAttack: w.ReportsUnderAttack(),
		ManageSkipRules: w.ManageSkipRules, ManageAccessRules: w.ManageAccessRules}
	lists := map[string]sources.List{}
	add := func(field string, s config.Sources) error {
		l, err := sourceList(field, s)
		lists[field] = l
		return err
	}
	for i, r := range w.SkipRules {
		field := fmt.Sprintf("waf.skip_rules[%d]", i)
		if err := add(field, r.Sources); err != nil {
			return spec, nil, err
		}
		spec.SkipRules = append(spec.SkipRules, waf.SkipRuleSpec{Field: field, Name: r.Name, Zones: r.Zones,
			Skip: controller.SkipParams{Ruleset: r.Skip.Ruleset, Phases: r.Skip.Phases, Products: r.Skip.Products},
			Log:  r.Log != nil && *r.Log, Self: lists[field].HasSelf()})
	}
	for i, a := range w.AccessRules {
		field := fmt.Sprintf("waf.access_rules[%d]", i)
		spec.AccessRules = append(spec.AccessRules, waf.AccessRuleSpec{Field: field, Name: a.Name, Zones: a.Zones})
		if err := add(field, a.Sources); err != nil {
			return spec, nil, err
		}
	}
	for i, l := range w.IPLists {
		field := fmt.Sprintf("waf.ip_lists[%d]", i)
		spec.IPLists = append(spec.IPLists, waf.IPListSpec{Field: field, AccountID: l.AccountID, Name: l.Name})
		if err := add(field, l.Sources); err != nil {
			return spec, nil, err
		}
	}
	return spec, lists, nil
}

func sourceList(field string, s config.Sources) (sources.List, error) {
	l := sources.List{IPv6Bits: s.IPv6Prefix}
	for j, raw := range s.Sources {
		sp, err := sources.Parse(raw, s.AllowBroad)
		if err != nil {
			return l, fmt.Errorf("%s.sources[%d]: %w", field, j, err)
		}
		l.Specs = append(l.Specs, sp)
	}
	return l, nil
}

// wireWAF gives the reconciler its WAF spec and ports, and returns where
// its skip rules exempt this host's own address (for the healer).
func wireWAF(rec *controller.Reconciler, cfg *config.Config, api wafAPI) (daemon.SelfScope, error) {
	spec, lists, err := wafSpec(cfg.WAF)
	if err != nil {
		return daemon.SelfScope{}, err
	}
	resolver := sources.New(sources.Options{Server: cfg.WAF.Resolver, Timeout: time.Duration(cfg.Detect.Timeout),
		DelegatedPrefix: cfg.Detect.IPv6.PrefixLength})
	rec.WAF = &waf.Step{Spec: spec, Sources: sources.NewLists(resolver, lists),
		Rulesets: api, Settings: api, Access: api, Lists: api, Log: rec.Log}
	zones, everyManaged := spec.SelfZones()
	return daemon.SelfScope{Zones: zones, Managed: everyManaged}, nil
}

// wafAPI is everything the WAF needs from Cloudflare.
type wafAPI interface {
	waf.Rulesets
	waf.SecuritySettings
	waf.AccessRules
	waf.IPLists
}
