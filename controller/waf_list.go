package controller

import (
	"fmt"
	"net/netip"
)

// PlanListItems plans the owned items of an account IP list: one item per
// source prefix, comment = marker. An address any item already holds
// (owned or not) is not added again; owned items no usable source wants
// are removed under sync only. A list that does not exist yet (ID "") is
// created by the adapter with the first items.
func PlanListItems(d DesiredIPList, observed IPList, p Policy) ([]ListItemChange, []Warning) {
	list := IPList{AccountID: d.AccountID, ID: observed.ID, Name: d.Name}
	if why := d.Set.usable(); why != "" {
		return nil, []Warning{{Name: "list " + d.Name, Message: "items kept as they are: " + why}}
	}
	have := map[netip.Prefix]bool{}
	for _, it := range observed.Items {
		if pfx, err := ParsePrefixOrAddr(it.IP); err == nil {
			have[pfx] = true
		}
	}
	var changes []ListItemChange
	wanted := map[netip.Prefix]bool{}
	for _, pfx := range d.Set.Prefixes {
		wanted[pfx] = true
		if !have[pfx] {
			changes = append(changes, ListItemChange{Action: ActionCreate, List: list,
				Item: ListItem{IP: formatPrefix(pfx), Comment: p.Marker}, Reason: "add source"})
		}
	}
	var warnings []Warning
	for _, it := range observed.Items {
		pfx, err := ParsePrefixOrAddr(it.IP)
		if !p.ownsText(it.Comment) || (err == nil && wanted[pfx]) {
			continue
		}
		if p.Mode != ModeSync {
			warnings = append(warnings, Warning{Name: "list " + d.Name, Message: fmt.Sprintf("owned item %s no longer configured; policy %s keeps it", it.IP, p.Mode)})
			continue
		}
		changes = append(changes, ListItemChange{Action: ActionDelete, List: list, Item: it, Reason: "source removed from the config"})
	}
	return changes, warnings
}
