package render

import (
	"testing"

	"github.com/flarewarden/flarewarden/controller"
)

func TestPlanRowsPutWhatADeleteRemovesInOld(t *testing.T) {
	z := controller.Zone{ID: "z", Name: "example.com"}
	list := controller.IPList{AccountID: "acc", Name: "scripts"}
	p := controller.PlanResult{
		AccessRules: []controller.AccessRuleChange{
			{Action: controller.ActionCreate, Zone: z, Rule: controller.AccessRule{Mode: "whitelist", Value: "198.51.100.50"}},
			{Action: controller.ActionDelete, Zone: z, Rule: controller.AccessRule{Mode: "whitelist", Value: "198.51.100.9"}},
		},
		ListItems: []controller.ListItemChange{
			{Action: controller.ActionCreate, List: list, Item: controller.ListItem{IP: "198.51.100.50"}},
			{Action: controller.ActionDelete, List: list, Item: controller.ListItem{IP: "198.51.100.9"}},
		},
	}
	want := [][2]string{{"", "whitelist"}, {"whitelist", ""}, {"", "198.51.100.50"}, {"198.51.100.9", ""}}
	rows := planRows(p)
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d", len(rows), len(want))
	}
	for i, r := range rows {
		if r.old != want[i][0] || r.new != want[i][1] {
			t.Errorf("row %d (%s %s): old %q new %q, want %q %q", i, r.action, r.typ, r.old, r.new, want[i][0], want[i][1])
		}
	}
}
