package sim

import (
	"encoding/json"
	"net/http"
	"net/netip"
	"slices"
	"testing"
)

// entrypoint is the path of the test zone's custom entrypoint.
func (h *harness) entrypoint() string {
	return h.zonePath("/rulesets/phases/" + customPhase + "/entrypoint")
}

// rulesPath is the path of the test zone's custom ruleset rules plus suffix
// (the ruleset id is deterministic).
func (h *harness) rulesPath(suffix string) string {
	return h.zonePath("/rulesets/" + hexID("ruleset", h.zone.ID+"/"+customPhase) + "/rules" + suffix)
}

// putRules replaces the custom entrypoint's rules and returns the ruleset.
func (h *harness) putRules(rules ...map[string]any) Ruleset {
	h.t.Helper()
	var rs Ruleset
	h.do(http.MethodPut, h.entrypoint(), map[string]any{"rules": rules}).ok(h.t, &rs)
	return rs
}

// rule is a rule body: a log rule named ref, plus extra fields.
func rule(ref string, extra ...any) map[string]any {
	r := map[string]any{"ref": ref, "action": "log", "expression": "true"}
	for i := 0; i+1 < len(extra); i += 2 {
		r[extra[i].(string)] = extra[i+1]
	}
	return r
}

// refs lists the refs of rs's rules in order.
func refs(rs Ruleset) []string {
	out := []string{}
	for _, r := range rs.Rules {
		out = append(out, r.Ref)
	}
	return out
}

// idOf is the id of the rule of rs with that ref, failing the test if none.
func idOf(t *testing.T, rs Ruleset, ref string) string {
	t.Helper()
	i := slices.IndexFunc(rs.Rules, func(r Rule) bool { return r.Ref == ref })
	if i < 0 {
		t.Fatalf("no rule %q in %v", ref, refs(rs))
	}
	return rs.Rules[i].ID
}

// raw is a JSON literal as a json.RawMessage.
func raw(s string) json.RawMessage { return json.RawMessage(s) }

// resultInfoOf decodes an envelope's result_info into v.
func resultInfoOf(body []byte, v any) error {
	var env struct {
		ResultInfo json.RawMessage `json:"result_info"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return err
	}
	return json.Unmarshal(env.ResultInfo, v)
}

// mustAddr parses an address.
func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }
