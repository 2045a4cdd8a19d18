package waf

import (
	"fmt"
	"net/netip"

	"github.com/flarewarden/flarewarden/controller"
)

// PlanListItems plans the owned items of an account IP list: one item per
// source prefix, comment = marker. An address any item already holds
// (owned or not) is not added again; owned items no usable source wants
// are removed under sync only. A list that does not exist yet (ID "") is
// created by the adapter with the first items.
func PlanListItems(d DesiredIPList, observed controller.IPList, p controller.Policy) ([]controller.ListItemChange, []controller.Warning) {
	list := controller.IPList{AccountID: d.AccountID, ID: observed.ID, Name: d.Name}
	if why := d.Set.Usable(); why != "" {
		return nil, []controller.Warning{{Name: "list " + d.Name, Message: "items kept as they are: " + why}}
	}
	have := map[netip.Prefix]bool{}
	for _, it := range observed.Items {
		if pfx, err := ParsePrefixOrAddr(it.IP); err == nil {
			have[pfx] = true
		}
	}
	var changes []controller.ListItemChange
	wanted := map[netip.Prefix]bool{}
	for _, pfx := range d.Set.Prefixes {
		wanted[pfx] = true
		if !have[pfx] {
			changes = append(changes, controller.ListItemChange{Action: controller.ActionCreate, List: list,
				Item: controller.ListItem{IP: formatPrefix(pfx), Comment: p.Marker}, Reason: "add source"})
		}
	}
	var warnings []controller.Warning
	for _, it := range observed.Items {
		pfx, err := ParsePrefixOrAddr(it.IP)
		if !p.OwnsText(it.Comment) || (err == nil && wanted[pfx]) {
			continue
		}
		if p.Mode != controller.ModeSync {
			warnings = append(warnings, controller.Warning{Name: "list " + d.Name, Message: fmt.Sprintf("owned item %s no longer configured; policy %s keeps it", it.IP, p.Mode)})
			continue
		}
		changes = append(changes, controller.ListItemChange{Action: controller.ActionDelete, List: list, Item: it, Reason: "source removed from the config"})
	}
	return changes, warnings
}
