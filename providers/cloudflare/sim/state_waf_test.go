package sim

import (
	"reflect"
	"strings"
	"testing"
)

const wafYAML = `
tokens:
  - {token: sim-token}
accounts:
  - id: 0123456789abcdef0123456789abcdef
    name: Home
    lists:
      - name: scripts
        description: cron jobs
        items:
          - {ip: 203.0.113.7, comment: cron}
          - {ip: "2001:db8::/48"}
zones:
  - name: example.com
    account: 0123456789abcdef0123456789abcdef
    security_level: under_attack
    records:
      - {name: www, type: A, content: 198.51.100.20}
    rules:
      - ref: scripts
        action: skip
        action_parameters: {ruleset: current, products: [securityLevel], extra: {n: 1}}
        expression: "(ip.src in {203.0.113.7})"
        description: flarewarden
      - {action: block, expression: "ip.src eq 192.0.2.1", enabled: false}
    access_rules:
      - {mode: whitelist, target: ip, value: 203.0.113.7, notes: hand made}
  - name: other.org
`

const wafJSON = `{"tokens":[{"token":"sim-token"}],
"accounts":[{"id":"0123456789abcdef0123456789abcdef","name":"Home","lists":[{"name":"scripts","description":"cron jobs",
  "items":[{"ip":"203.0.113.7","comment":"cron"},{"ip":"2001:db8::/48"}]}]}],
"zones":[{"name":"example.com","account":"0123456789abcdef0123456789abcdef","security_level":"under_attack",
  "records":[{"name":"www","type":"A","content":"198.51.100.20"}],
  "rules":[{"ref":"scripts","action":"skip","action_parameters":{"ruleset":"current","products":["securityLevel"],"extra":{"n":1}},
    "expression":"(ip.src in {203.0.113.7})","description":"flarewarden"},
   {"action":"block","expression":"ip.src eq 192.0.2.1","enabled":false}],
  "access_rules":[{"mode":"whitelist","target":"ip","value":"203.0.113.7","notes":"hand made"}]},
 {"name":"other.org"}]}`

func TestParseStateWAFKeys(t *testing.T) {
	y, err := ParseState([]byte(wafYAML))
	if err != nil {
		t.Fatal(err)
	}
	j, err := ParseState([]byte(wafJSON))
	if err != nil {
		t.Fatal(err)
	}
	// YAML and JSON decode numbers differently (int vs float64); compare the seeded results.
	sy, sj := New(), New()
	if err := sy.Seed(y); err != nil {
		t.Fatal(err)
	}
	if err := sj.Seed(j); err != nil {
		t.Fatal(err)
	}
	ry, _ := sy.Ruleset(testZone, customPhase)
	rj, _ := sj.Ruleset(testZone, customPhase)
	if !reflect.DeepEqual(refs(ry), refs(rj)) || string(ry.Rules[0].ActionParameters) != string(rj.Rules[0].ActionParameters) {
		t.Errorf("YAML and JSON seed differently:\n%+v\n%+v", ry, rj)
	}
	if !reflect.DeepEqual(y.Accounts, j.Accounts) || !reflect.DeepEqual(y.Zones[0].AccessRules, j.Zones[0].AccessRules) {
		t.Errorf("accounts or access rules differ:\n%+v\n%+v", y, j)
	}
}

func TestSeedWAF(t *testing.T) {
	st, err := ParseState([]byte(wafYAML))
	if err != nil {
		t.Fatal(err)
	}
	s := New()
	if err := s.Seed(st); err != nil {
		t.Fatal(err)
	}
	const home = "0123456789abcdef0123456789abcdef"
	zones := s.Zones()
	if zones[0].Account != home || zones[1].Account != DefaultAccountID {
		t.Errorf("zone accounts = %+v", zones)
	}
	if s.SecurityLevel(testZone) != "under_attack" || s.SecurityLevel("other.org") != "medium" {
		t.Errorf("levels = %q, %q", s.SecurityLevel(testZone), s.SecurityLevel("other.org"))
	}
	rs, ok := s.Ruleset(testZone, customPhase)
	if !ok || len(rs.Rules) != 2 || rs.Version != "2" {
		t.Fatalf("ruleset = %+v", rs)
	}
	skip, block := rs.Rules[0], rs.Rules[1]
	if skip.Ref != "scripts" || !skip.Enabled || skip.Description != "flarewarden" ||
		string(skip.ActionParameters) != `{"extra":{"n":1},"products":["securityLevel"],"ruleset":"current"}` {
		t.Errorf("skip rule = %+v (%s)", skip, skip.ActionParameters)
	}
	if block.Enabled || block.Ref != block.ID {
		t.Errorf("block rule = %+v", block)
	}
	if ar := s.AccessRules(testZone); len(ar) != 1 || ar[0].Notes != "hand made" {
		t.Errorf("access rules = %+v", ar)
	}
	lists := s.Lists(home)
	if len(lists) != 1 || lists[0].Name != "scripts" || lists[0].Kind != "ip" || lists[0].NumItems != 2 {
		t.Fatalf("lists = %+v", lists)
	}
	if items := s.ListItems(home, lists[0].ID); items[0].Comment != "cron" || items[1].IP != "2001:db8::/48" {
		t.Errorf("items = %+v", items)
	}
	if status, _ := s.EdgeDecision("www.example.com", mustAddr("203.0.113.7")); status != 200 {
		t.Errorf("the seeded skip rule does not let the script through: %d", status)
	}
	if len(s.Requests()) != 0 {
		t.Error("seeding was logged")
	}
}

func TestParseStateWAFErrors(t *testing.T) {
	tests := []struct{ name, data, want string }{
		{"unknown rule key", "zones: [{name: example.com, rules: [{action: log, expresion: x}]}]", "expresion"},
		{"unknown account key", "accounts: [{id: 0123456789abcdef0123456789abcdef, lists: [{name: a, itemz: []}]}]", "itemz"},
		{"unknown access rule key", "zones: [{name: example.com, access_rules: [{mode: block, configuration: {}}]}]", "configuration"},
		{"bad account id", "accounts: [{id: Home}]", "accounts[0]"},
		{"duplicate account", "accounts: [{id: 0123456789abcdef0123456789abcdef}, {id: 0123456789abcdef0123456789abcdef}]", "listed twice"},
		{"unlisted zone account", "zones: [{name: example.com, account: 0123456789abcdef0123456789abcdef}]", "not listed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ParseState([]byte(tt.data)); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
	ok := "zones: [{name: example.com, account: " + DefaultAccountID + "}]"
	if _, err := ParseState([]byte(ok)); err != nil {
		t.Errorf("the default account is always listed: %v", err)
	}
}

func TestSeedRejectsInvalidWAF(t *testing.T) {
	tests := map[string]string{
		"zones: [{name: example.com, security_level: max}]":                                                                   "zone example.com",
		"zones: [{name: example.com, rules: [{ref: r, action: skip, expression: x}]}]":                                        "rules[0] (r)",
		"zones: [{name: example.com, rules: [{action: skip, expression: x, action_parameters: {products: [zonelockdown]}}]}]": "zonelockdown",
		"zones: [{name: example.com, access_rules: [{mode: block, target: ip, value: nope}]}]":                                "access_rules[0]",
		"accounts: [{id: 0123456789abcdef0123456789abcdef, lists: [{name: Bad}]}]":                                            "lists[0] (Bad)",
		"accounts: [{id: 0123456789abcdef0123456789abcdef, lists: [{name: a, items: [{ip: 300.0.0.1}]}]}]":                    "items[0]",
	}
	for data, want := range tests {
		st, err := ParseState([]byte(data))
		if err != nil {
			t.Fatalf("%s: %v", data, err)
		}
		if err := New().Seed(st); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Seed(%s) = %v, want an error mentioning %q", data, err, want)
		}
	}
}
