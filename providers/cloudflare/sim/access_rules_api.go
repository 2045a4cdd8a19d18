package sim

import (
	"cmp"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Handlers of the zone IP Access Rules endpoints.

// accessPaging: GET .../access_rules/rules defaults to 20 per page, 1..1000.
var accessPaging = pageLimits{def: 20, min: 1, max: 1000}

// accessRuleJSON is the API's access rule object.
type accessRuleJSON struct {
	ID            string       `json:"id"`
	Paused        bool         `json:"paused"`
	ModifiedOn    time.Time    `json:"modified_on"`
	AllowedModes  []string     `json:"allowed_modes"`
	Mode          string       `json:"mode"`
	Notes         string       `json:"notes"`
	Configuration accessConfig `json:"configuration"`
	CreatedOn     time.Time    `json:"created_on"`
	Scope         accessScope  `json:"scope"`
}

type accessConfig struct {
	Target string `json:"target"`
	Value  string `json:"value"`
}

type accessScope struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Type string `json:"type"`
}

func accessView(r AccessRule, z Zone) accessRuleJSON {
	return accessRuleJSON{
		ID: r.ID, ModifiedOn: r.ModifiedOn, AllowedModes: slices.Clone(accessModes), Mode: r.Mode,
		Notes: r.Notes, Configuration: accessConfig{Target: r.Target, Value: r.Value},
		CreatedOn: r.CreatedOn, Scope: accessScope{ID: z.ID, Name: z.Name, Type: "zone"},
	}
}

// accessInput is the body of POST and PATCH (which reads only mode and notes).
type accessInput struct {
	Mode          optional[string] `json:"mode"`
	Configuration accessConfig     `json:"configuration"`
	Notes         optional[string] `json:"notes"`
}

// deletedID is the result of a DELETE that answers {id}.
type deletedID struct {
	ID string `json:"id"`
}

// accessOrders are the sort keys of the order parameter.
var accessOrders = map[string]func(a, b AccessRule) int{
	"configuration.target": func(a, b AccessRule) int { return cmp.Compare(a.Target, b.Target) },
	"configuration.value":  func(a, b AccessRule) int { return cmp.Compare(a.Value, b.Value) },
	"mode":                 func(a, b AccessRule) int { return cmp.Compare(a.Mode, b.Mode) },
}

// accessFilter reads the list filters: mode, configuration.target and
// configuration.value (exact, the value case-insensitive; also spelt
// configuration_target and configuration_value, as cloudflare-go sends
// them), notes (case-insensitive substring, as documented), combined by
// match=all (default) or any. An invalid match is a 400 (code 1001).
func accessFilter(q url.Values) (func(AccessRule) bool, *apiError) {
	var conds []func(AccessRule) bool
	add := func(key string, holds func(AccessRule, string) bool) {
		want := cmp.Or(q.Get(key), q.Get(strings.Replace(key, ".", "_", 1)))
		if want != "" {
			conds = append(conds, func(r AccessRule) bool { return holds(r, want) })
		}
	}
	add("mode", func(r AccessRule, v string) bool { return r.Mode == v })
	add("configuration.target", func(r AccessRule, v string) bool { return r.Target == v })
	add("configuration.value", func(r AccessRule, v string) bool { return strings.EqualFold(r.Value, v) })
	add("notes", func(r AccessRule, v string) bool {
		return strings.Contains(strings.ToLower(r.Notes), strings.ToLower(v))
	})
	anyOf := false
	switch q.Get("match") {
	case "", "all":
	case "any":
		anyOf = true
	default:
		return nil, errInvalidParam("match", "any or all")
	}
	return func(r AccessRule) bool {
		held := 0
		for _, c := range conds {
			if c(r) {
				held++
			}
		}
		return len(conds) == 0 || held == len(conds) || anyOf && held > 0
	}, nil
}

// accessOrder reads order (default: creation order) and direction.
func accessOrder(q url.Values) (func(a, b AccessRule) int, *apiError) {
	key := q.Get("order")
	primary, ok := accessOrders[key]
	if key == "" {
		primary, ok = func(a, b AccessRule) int { return 0 }, true
	}
	if !ok {
		return nil, errInvalidParam("order", "one of configuration.target, configuration.value, mode")
	}
	sign, err := parseDirection(q)
	if err != nil {
		return nil, err
	}
	return func(a, b AccessRule) int { return sign * primary(a, b) }, nil
}

// listAccessRules answers GET /zones/{zone}/firewall/access_rules/rules.
func (s *Server) listAccessRules(c *call) (reply, *apiError) {
	rules, info, err := selectPage(c.query, accessPaging, c.zone.accessRules, accessFilter, accessOrder)
	if err != nil {
		return reply{}, err
	}
	out := make([]accessRuleJSON, 0, len(rules))
	for _, r := range rules {
		out = append(out, accessView(r, c.zone.zone))
	}
	return reply{result: out, info: info}, nil
}

// getAccessRule answers GET .../access_rules/rules/{rule}.
func (s *Server) getAccessRule(c *call) (reply, *apiError) {
	i, err := accessRuleIndex(c.zone, c.params["rule"])
	if err != nil {
		return reply{}, err
	}
	return reply{result: accessView(c.zone.accessRules[i], c.zone.zone)}, nil
}

// createAccessRule answers POST /zones/{zone}/firewall/access_rules/rules.
func (s *Server) createAccessRule(c *call) (reply, *apiError) {
	var in accessInput
	if err := decodeBody(c.body, &in); err != nil {
		return reply{}, err
	}
	r := AccessRule{Mode: in.Mode.value, Target: in.Configuration.Target, Value: in.Configuration.Value, Notes: in.Notes.value}
	out, err := s.addAccessRule(c.zone, r, s.now())
	if err != nil {
		return reply{}, err
	}
	return reply{result: accessView(out, c.zone.zone)}, nil
}

// patchAccessRule answers PATCH .../access_rules/rules/{rule}: mode and
// notes change when present; the configuration cannot change and is ignored.
func (s *Server) patchAccessRule(c *call) (reply, *apiError) {
	i, err := accessRuleIndex(c.zone, c.params["rule"])
	if err != nil {
		return reply{}, err
	}
	var in accessInput
	if err := decodeBody(c.body, &in); err != nil {
		return reply{}, err
	}
	r := c.zone.accessRules[i]
	setIf(&r.Mode, in.Mode)
	setIf(&r.Notes, in.Notes)
	if r, err = checkAccessRule(c.zone, r, r.ID); err != nil {
		return reply{}, err
	}
	r.ModifiedOn = s.now()
	c.zone.accessRules[i] = r
	return reply{result: accessView(r, c.zone.zone)}, nil
}

// deleteAccessRule answers DELETE .../access_rules/rules/{rule} with {id}.
// A body (the API's "cascade") is ignored.
func (s *Server) deleteAccessRule(c *call) (reply, *apiError) {
	r, err := removeAccessRule(c.zone, c.params["rule"])
	if err != nil {
		return reply{}, err
	}
	return reply{result: deletedID{ID: r.ID}}, nil
}
