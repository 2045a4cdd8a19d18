package config

import "gopkg.in/yaml.v3"

// WAF configures skip rules, IP Access Rules, IP lists and Under Attack
// reporting.
type WAF struct {
	// Resolver is a DNS server ("host:port") for hostname sources; empty
	// uses the system resolver.
	Resolver      string          `yaml:"resolver,omitempty"`
	SkipRules     []SkipRule      `yaml:"skip_rules,omitempty"`
	AccessRules   []AccessRuleSet `yaml:"access_rules,omitempty"`
	IPLists       []IPList        `yaml:"ip_lists,omitempty"`
	SecurityLevel SecurityLevel   `yaml:"security_level"`

	// ManageSkipRules and ManageAccessRules are set when the file has the
	// skip_rules / access_rules key, even empty: flarewarden then removes
	// the owned rules that are no longer listed (policy sync).
	ManageSkipRules   bool `yaml:"-"`
	ManageAccessRules bool `yaml:"-"`
}

// Sources is what every WAF entry has: the addresses it is about.
type Sources struct {
	// Sources are IPs, CIDRs, hostnames (resolved every pass) or "self".
	Sources []string `yaml:"sources"`
	// AllowBroad accepts CIDRs broader than /16 (IPv4) or /32 (IPv6).
	AllowBroad bool `yaml:"allow_broad,omitempty"`
	// IPv6Prefix widens IPv6 addresses of hostnames and self to this
	// prefix length (e.g. 64); unset keeps single addresses.
	IPv6Prefix int `yaml:"ipv6_prefix,omitempty"`
}

// SkipRule is a WAF custom rule with action skip, first in the zone's
// custom rules. Its ref is "flarewarden_" + Name.
type SkipRule struct {
	Name    string   `yaml:"name"`
	Zones   []string `yaml:"zones,omitempty"`
	Sources `yaml:",inline"`
	Skip    *Skip `yaml:"skip,omitempty"`
	Log     *bool `yaml:"log,omitempty"`
}

// Skip is what a skip rule skips; unset means everything a custom rule can.
type Skip struct {
	Ruleset  string   `yaml:"ruleset,omitempty"`
	Phases   []string `yaml:"phases,omitempty"`
	Products []string `yaml:"products,omitempty"`
}

// AccessRuleSet is a set of IP Access Rules in allow (whitelist) mode: the
// only thing that stops Bot Fight Mode.
type AccessRuleSet struct {
	Name    string   `yaml:"name"`
	Zones   []string `yaml:"zones,omitempty"`
	Sources `yaml:",inline"`
}

// IPList is an account IP list kept for rules the user writes.
type IPList struct {
	AccountID string `yaml:"account_id"`
	Name      string `yaml:"name"`
	Sources   `yaml:",inline"`
}

// SecurityLevel configures Under Attack awareness.
type SecurityLevel struct {
	ReportUnderAttack *bool `yaml:"report_under_attack,omitempty"`
}

// ReportsUnderAttack reports whether security levels are read each pass
// (default: whenever skip rules are configured).
func (w WAF) ReportsUnderAttack() bool {
	if w.SecurityLevel.ReportUnderAttack != nil {
		return *w.SecurityLevel.ReportUnderAttack
	}
	return len(w.SkipRules) > 0
}

// MarshalYAML renders the section as it acts: skip_rules and access_rules
// appear, even empty, exactly when they are managed, and
// security_level.report_under_attack with its resolved value.
func (w WAF) MarshalYAML() (any, error) {
	type plain WAF // without this method
	p := plain(w)
	report := w.ReportsUnderAttack()
	p.SecurityLevel.ReportUnderAttack = &report
	var n yaml.Node
	if err := n.Encode(p); err != nil {
		return nil, err
	}
	for _, k := range []struct {
		key   string
		empty bool
	}{{"skip_rules", w.ManageSkipRules && len(w.SkipRules) == 0}, {"access_rules", w.ManageAccessRules && len(w.AccessRules) == 0}} {
		if k.empty {
			n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: k.key},
				&yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle})
		}
	}
	return &n, nil
}
