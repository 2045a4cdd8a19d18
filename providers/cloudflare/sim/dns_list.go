package sim

import (
	"cmp"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// recordFilter holds the list filters of GET .../dns_records that were given.
type recordFilter struct {
	conds []func(Record) bool
	any   bool // match=any: one condition suffices; default all
}

// textFilters are the exact-match (case-insensitive) list filters.
var textFilters = []struct {
	key   string
	field func(Record) string
}{
	{"name", func(r Record) string { return r.Name }},
	{"type", func(r Record) string { return r.Type }},
	{"content", func(r Record) string { return r.Content }},
	{"comment", func(r Record) string { return r.Comment }},
}

// parseRecordFilter reads name (FQDN, a trailing dot ignored), type,
// content and comment (all exact but case-insensitive, like the API's
// filters; empty values are ignored), proxied and match. An invalid
// proxied or match value is a 400 (code 1001).
func parseRecordFilter(q url.Values) (recordFilter, *apiError) {
	var f recordFilter
	for _, tf := range textFilters {
		want, field := q.Get(tf.key), tf.field
		if tf.key == "name" {
			want = strings.TrimSuffix(want, ".")
		}
		if want != "" {
			f.conds = append(f.conds, func(r Record) bool { return strings.EqualFold(field(r), want) })
		}
	}
	if v := q.Get("proxied"); v != "" {
		want, err := strconv.ParseBool(v)
		if err != nil {
			return f, errInvalidParam("proxied", "true or false")
		}
		f.conds = append(f.conds, func(r Record) bool { return r.Proxied == want })
	}
	switch q.Get("match") {
	case "", "all":
	case "any":
		f.any = true
	default:
		return f, errInvalidParam("match", "any or all")
	}
	return f, nil
}

// keep reports whether r passes the filter: every condition (match=all) or
// at least one (match=any); no conditions keep everything.
func (f recordFilter) keep(r Record) bool {
	if len(f.conds) == 0 {
		return true
	}
	holds := func(c func(Record) bool) bool { return c(r) }
	if f.any {
		return slices.ContainsFunc(f.conds, holds)
	}
	return !slices.ContainsFunc(f.conds, func(c func(Record) bool) bool { return !holds(c) })
}

// recordOrders are the sort keys of the order parameter.
var recordOrders = map[string]func(a, b Record) int{
	"type":    func(a, b Record) int { return cmp.Compare(a.Type, b.Type) },
	"name":    func(a, b Record) int { return cmp.Compare(a.Name, b.Name) },
	"content": func(a, b Record) int { return cmp.Compare(a.Content, b.Content) },
	"ttl":     func(a, b Record) int { return cmp.Compare(a.TTL, b.TTL) },
	"proxied": func(a, b Record) int { return compareBool(a.Proxied, b.Proxied) },
}

// parseRecordOrder reads order (default type) and direction (default asc).
// Ties are broken by name, type, content and id, always ascending.
func parseRecordOrder(q url.Values) (func(a, b Record) int, *apiError) {
	key := cmp.Or(q.Get("order"), "type")
	primary, ok := recordOrders[key]
	if !ok {
		return nil, errInvalidParam("order", "one of type, name, content, ttl, proxied")
	}
	sign, err := parseDirection(q)
	if err != nil {
		return nil, err
	}
	return func(a, b Record) int {
		return cmp.Or(sign*primary(a, b), cmp.Compare(a.Name, b.Name), cmp.Compare(a.Type, b.Type),
			cmp.Compare(a.Content, b.Content), cmp.Compare(a.ID, b.ID))
	}, nil
}

func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case b:
		return -1
	}
	return 1
}

// listRecords answers GET /zones/{zone}/dns_records.
func (s *Server) listRecords(c *call) (reply, *apiError) {
	lim := pageLimits{def: 100, min: 1, max: s.maxPerPage}
	items, info, err := selectPage(c.query, lim, slices.Collect(maps.Values(c.zone.records)), recordKeep, parseRecordOrder)
	if err != nil {
		return reply{}, err
	}
	return reply{result: items, info: info}, nil
}

// recordKeep parses the record filter of a list query.
func recordKeep(q url.Values) (func(Record) bool, *apiError) {
	f, err := parseRecordFilter(q)
	if err != nil {
		return nil, err
	}
	return f.keep, nil
}
