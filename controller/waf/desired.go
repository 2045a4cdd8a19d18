package waf

import "github.com/flarewarden/flarewarden/controller"

// DesiredSkipRule is one configured skip rule for one zone.
type DesiredSkipRule struct {
	Name string
	Set  controller.SourceSet
	Skip controller.SkipParams
	Log  bool
}

// Ref is the rule's stable identity in the ruleset.
func (d DesiredSkipRule) Ref() string { return controller.RefPrefix + d.Name }

// rule builds the rule to send; the set must be usable.
func (d DesiredSkipRule) rule() controller.Rule {
	skip := d.Skip
	return controller.Rule{Ref: d.Ref(), Description: "flarewarden: " + d.Name + " (managed, edits are reverted)",
		Expression: SkipExpression(d.Set.Prefixes), Action: "skip", Skip: &skip, Enabled: true, Logging: d.Log}
}

// DesiredAccessRule is one configured set of allow IP Access Rules for one zone.
type DesiredAccessRule struct {
	Name string
	Set  controller.SourceSet
}

// DesiredIPList is one configured account IP list.
type DesiredIPList struct {
	AccountID string
	Name      string
	Set       controller.SourceSet
}
