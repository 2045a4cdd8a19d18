package sim

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
)

// position is where a POST places a rule, or a PATCH moves it: exactly one
// of {"before": id}, {"after": id} or {"index": n}.
type position struct {
	kind  string // "before", "after" or "index"
	ref   string // the rule id of before/after; "" = top (before) or bottom (after)
	index int    // 1-based, for index
}

// parsePosition reads a rule body's "position" (absent or null = nil). An
// object without exactly one of before/after/index, a non-string id or a
// non-integer index below 1 is a 400 (code 20123).
func parsePosition(raw json.RawMessage) (*position, *apiError) {
	if len(raw) == 0 || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return nil, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || len(m) != 1 {
		return nil, errPosition("position must be an object with exactly one of before, after, index")
	}
	var kind string
	var v json.RawMessage
	for k, x := range m { // the one key
		kind, v = k, x
	}
	p := &position{kind: kind}
	var err error
	switch kind {
	case "before", "after":
		err = json.Unmarshal(v, &p.ref)
	case "index":
		err = json.Unmarshal(v, &p.index)
	default:
		return nil, errPosition("unknown position key %q", kind)
	}
	switch {
	case err != nil:
		return nil, errPosition("invalid position %s", kind)
	case kind == "index" && p.index < 1:
		return nil, errPosition("position index must be 1 or more")
	}
	return p, nil
}

// insertionIndex is where p puts a rule into rules (which do not include
// it): nil or {"after": ""} = the end, {"before": ""} = the start, before or
// after a rule id, or at index n (past the end = the end). A rule id not in
// rules is a 400 (code 20123).
func insertionIndex(rules []Rule, p *position) (int, *apiError) {
	switch {
	case p == nil:
		return len(rules), nil
	case p.kind == "index":
		return min(p.index-1, len(rules)), nil
	case p.ref == "" && p.kind == "before":
		return 0, nil
	case p.ref == "":
		return len(rules), nil
	}
	i := slices.IndexFunc(rules, func(r Rule) bool { return r.ID == p.ref })
	if i < 0 {
		return 0, errPosition("position %s refers to rule %s, which is not in the ruleset", p.kind, p.ref)
	}
	if p.kind == "after" {
		i++
	}
	return i, nil
}

func errPosition(format string, args ...any) *apiError {
	return pointed(newError(http.StatusBadRequest, codeRulePosition, format, args...), "/position")
}
