package controller

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// Warning is something a plan deliberately left alone and that a user
// should hear about (an unowned duplicate, a CNAME kept because detection
// failed, a policy that forbids a change).
type Warning struct {
	Zone    string `json:"zone"`
	Name    string `json:"name"`
	Message string `json:"message"`
}

// PlanResult is the outcome of Plan: ordered changes and warnings.
type PlanResult struct {
	Changes     []Change           `json:"changes"`
	Rules       []RuleChange       `json:"skip_rules,omitempty"`
	AccessRules []AccessRuleChange `json:"access_rules,omitempty"`
	ListItems   []ListItemChange   `json:"list_items,omitempty"`
	Warnings    []Warning          `json:"warnings,omitempty"`
	// Follows says, for each name that follows uplinks, which it follows
	// and why.
	Follows []Follow `json:"uplinks,omitempty"`
}

// Follow is which uplinks a name follows, and why.
type Follow struct {
	Name string `json:"name"`
	Why  string `json:"why"`
}

// MarshalJSON writes "changes" as [] rather than null when there is none,
// so that scripts can always iterate it.
func (p PlanResult) MarshalJSON() ([]byte, error) {
	type plain PlanResult // without this method
	if p.Changes == nil {
		p.Changes = []Change{}
	}
	return json.Marshal(plain(p))
}

// Empty reports whether the plan changes nothing.
func (p PlanResult) Empty() bool { return p.Count() == 0 }

// Count is the number of planned changes of every kind.
func (p PlanResult) Count() int {
	return len(p.Changes) + len(p.Rules) + len(p.AccessRules) + len(p.ListItems)
}

// ByZone returns the changes grouped by zone ID, keeping their order.
func (p PlanResult) ByZone() map[string][]Change {
	out := make(map[string][]Change)
	for _, c := range p.Changes {
		out[c.Zone.ID] = append(out[c.Zone.ID], c)
	}
	return out
}

// Plan compares the desired state with the observed records and returns the
// changes that make Cloudflare match it, within the policy. It is pure and
// deterministic. Its contract:
//   - only records at the desired names, in their zone, are considered;
//   - a record is modified or deleted only if its comment carries the
//     ownership marker, or it is the one record of its type adopted at a
//     configured name (it then gets the marker);
//   - no record is created or updated to the content of another record at
//     its name and type (Cloudflare refuses it with 81058, and the zone's
//     whole batch with it): an unowned record that already has the address
//     is the one adopted, and owned records beside it are stale duplicates;
//   - a family whose address is unknown keeps its records untouched;
//   - a name with an IPv6Host gets the detected IPv6 prefix joined to its
//     interface identifier as its AAAA;
//   - a CNAME is replaced (delete + create, applied atomically) only when
//     takeover is on, the policy is sync, and every enabled family is known;
//   - upsert-only never deletes; create-only only creates.
func Plan(d Desired, observed []Record, p Policy) PlanResult {
	var res PlanResult
	index := indexRecords(observed)
	for _, n := range d.Names {
		planName(&res, n, index[recordKey{n.Zone.ID, n.Name}], d, p)
	}
	sortChanges(res.Changes)
	return res
}

type recordKey struct{ zoneID, name string }

// indexRecords groups observed records by zone and normalized name.
func indexRecords(observed []Record) map[recordKey][]Record {
	index := make(map[recordKey][]Record, len(observed))
	for _, r := range observed {
		k := recordKey{r.ZoneID, NormalizeName(r.Name)}
		index[k] = append(index[k], r)
	}
	return index
}

func planName(res *PlanResult, n DesiredName, at []Record, d Desired, p Policy) {
	addrs, why := n.targets(d)
	from := len(res.Changes)
	if cnames := ofType(at, TypeCNAME); len(cnames) > 0 {
		planTakeover(res, n, cnames, addrs, p)
	} else {
		for _, f := range Families {
			planFamily(res, n, f, at, addrs[f], p)
		}
	}
	if why != "" && n.UplinkMode != UplinkPinned {
		res.Follows = append(res.Follows, Follow{Name: n.Name, Why: why})
	}
	if strings.HasPrefix(why, uplinksDownPrefix) {
		res.warn(n, why)
	}
	for i := from; why != "" && i < len(res.Changes); i++ {
		res.Changes[i].Reason = withMove(res.Changes[i], d.Uplinks, why)
	}
}

func ofType(recs []Record, typ string) []Record {
	var out []Record
	for _, r := range recs {
		if strings.EqualFold(r.Type, typ) {
			out = append(out, r)
		}
	}
	return out
}

// planFamily plans the A or AAAA records of one name, given every record
// at the name.
func planFamily(res *PlanResult, n DesiredName, f Family, at []Record, t Target, p Policy) {
	recs := ofType(at, f.RecordType())
	switch {
	case t.State == StateKnown:
		planKnown(res, n, f, recs, at, t, p)
	case t.State == StateUnknown:
		// Detection failed: whatever is there stays.
	default:
		planDisabled(res, n, f, recs, p)
	}
}

// planCreate creates the record of a family the name lacks. With proxied
// unset it is proxied when a record beside it is: adding a family never
// publishes the origin's address beside a proxied one.
func planCreate(res *PlanResult, n DesiredName, f Family, want string, at []Record, p Policy) {
	rec := n.newRecordBeside(f.RecordType(), want, p.Marker, at)
	res.add(Change{Action: ActionCreate, Zone: n.Zone, Name: n.Name, Type: rec.Type, After: &rec,
		Reason: "missing " + rec.Type + " record"})
}

// planDisabled removes owned records of a family the config no longer enables.
func planDisabled(res *PlanResult, n DesiredName, f Family, recs []Record, p Policy) {
	for _, r := range recs {
		if !p.owns(r) {
			continue
		}
		if p.Mode != ModeSync {
			res.warn(n, fmt.Sprintf("%s is disabled but owned record %s remains (policy %s does not delete)", f, r.Content, p.Mode))
			continue
		}
		res.add(deleteChange(n, r, f.String()+" is disabled in the config"))
	}
}

// planKnown makes the records of the family carry the target's addresses,
// one record each: a record that has an address keeps it, other records
// are updated in place to the addresses left (owned ones first), the rest
// are created, and the records left over are duplicates. It never gives a
// record the content of another at the name: Cloudflare refuses that
// (81058), and the zone's whole batch with it.
func planKnown(res *PlanResult, n DesiredName, f Family, recs, at []Record, t Target, p Policy) {
	wants := t.All()
	left := slices.Clone(recs)
	var keepers []Record
	missing := wants[:0:0]
	for _, want := range wants {
		if i := pickKeeper(left, want.String(), p, true); i >= 0 {
			keepers = append(keepers, left[i])
			planKeeper(res, n, left[i], want.String(), p)
			left = slices.Delete(left, i, i+1)
			continue
		}
		missing = append(missing, want)
	}
	for _, want := range missing {
		i := pickKeeper(left, want.String(), p, false)
		if i < 0 {
			planCreate(res, n, f, want.String(), at, p)
			continue
		}
		keepers = append(keepers, left[i])
		planKeeper(res, n, left[i], want.String(), p)
		left = slices.Delete(left, i, i+1)
	}
	for _, r := range left {
		planDuplicate(res, n, r, duplicateWhy(r, keepers, wants, p), p)
	}
}

// pickKeeper returns the index in recs of the record to give the address
// want, or -1: among those that already have it when same (an unowned
// record with it is adopted rather than an owned one updated to a copy of
// it), else among all; within those, an owned record before an unowned one.
func pickKeeper(recs []Record, want string, p Policy, same bool) int {
	best := -1
	for i, r := range recs {
		if same && !sameAddress(r.Content, want) {
			continue
		}
		if best < 0 || (p.owns(r) && !p.owns(recs[best])) {
			best = i
		}
	}
	return best
}

// duplicateWhy says why r is extra: with one wanted address, a duplicate
// of the record kept for it (stale when that one is unowned and already
// had the address); with several, an address none of them is.
func duplicateWhy(r Record, keepers []Record, wants []netip.Addr, p Policy) string {
	if len(wants) > 1 {
		return r.Type + " record " + r.Content + " is none of the wanted addresses"
	}
	keep, want := keepers[0], wants[0].String()
	if sameAddress(keep.Content, want) && !p.owns(keep) {
		return "stale duplicate: unowned " + keep.Type + " record already has " + want
	}
	return "duplicate " + keep.Type + " record"
}

// sameAddress reports whether a record's content is the address want
// however it is spelled ("2001:DB8:0::7" is "2001:db8::7"); contents that
// are not addresses must be equal.
func sameAddress(content, want string) bool {
	if content == want {
		return true
	}
	a, errA := netip.ParseAddr(content)
	b, errB := netip.ParseAddr(want)
	return errA == nil && errB == nil && a == b
}

// planKeeper updates the kept record in place when it differs.
func planKeeper(res *PlanResult, n DesiredName, keep Record, want string, p Policy) {
	next := n.converge(keep, want, p.Marker)
	reason := diffReason(keep, next, p)
	if reason == "" {
		return
	}
	if p.Mode == ModeCreateOnly {
		res.warn(n, fmt.Sprintf("%s record %s differs (%s); policy create-only leaves it", keep.Type, keep.Content, reason))
		return
	}
	res.add(Change{Action: ActionUpdate, Zone: n.Zone, Name: n.Name, Type: keep.Type,
		Before: ptr(keep), After: &next, Reason: reason})
}

// planDuplicate deletes an extra record of the family if flarewarden owns
// it; why says why it is extra.
func planDuplicate(res *PlanResult, n DesiredName, r Record, why string, p Policy) {
	switch {
	case !p.owns(r):
		res.warn(n, fmt.Sprintf("unowned duplicate %s record %s left as is", r.Type, r.Content))
	case p.Mode != ModeSync:
		res.warn(n, fmt.Sprintf("owned %s record %s kept (%s; policy %s does not delete)", r.Type, r.Content, why, p.Mode))
	default:
		res.add(deleteChange(n, r, why))
	}
}

func deleteChange(n DesiredName, r Record, reason string) Change {
	return Change{Action: ActionDelete, Zone: n.Zone, Name: n.Name, Type: r.Type, Before: ptr(r), Reason: reason}
}

// diffReason names what differs between the observed and the converged
// record, or returns "" when they are equal.
func diffReason(before, after Record, p Policy) string {
	var parts []string
	if !sameAddress(before.Content, after.Content) {
		parts = append(parts, "stale address")
	}
	if before.Proxied != after.Proxied {
		parts = append(parts, "proxied drift")
	}
	if before.TTL != after.TTL {
		parts = append(parts, "ttl drift")
	}
	if !p.owns(before) {
		parts = append(parts, "adopt")
	}
	return strings.Join(parts, ", ")
}

func (res *PlanResult) add(c Change) { res.Changes = append(res.Changes, c) }

func (res *PlanResult) warn(n DesiredName, msg string) {
	res.Warnings = append(res.Warnings, Warning{Zone: n.Zone.Name, Name: n.Name, Message: msg})
}

func ptr(r Record) *Record { return &r }

var actionOrder = map[Action]int{ActionDelete: 0, ActionUpdate: 1, ActionCreate: 2}

// sortChanges orders changes by zone, name, then deletes before updates
// before creates (the order the batch endpoint executes them in).
func sortChanges(cs []Change) {
	slices.SortStableFunc(cs, func(a, b Change) int {
		return cmp.Or(
			cmp.Compare(a.Zone.Name, b.Zone.Name),
			cmp.Compare(a.Name, b.Name),
			cmp.Compare(actionOrder[a.Action], actionOrder[b.Action]),
			cmp.Compare(a.Type, b.Type),
		)
	})
}
