// Package waf is the WAF step of a pass: rules, not records. From the
// configured skip rules, IP Access Rules and IP lists (Spec) and the
// sources they list (resolved each pass by a SourceResolver), it plans
// the owned rules of each zone and the items of each account list, then
// writes them through its ports (Rulesets, SecuritySettings, AccessRules,
// IPLists), and reports each zone's security level (Under Attack mode)
// with the sources its skip rules exempt.
//
//   - step.go: Step, the controller.WAF port: desire, observe, plan,
//     apply, in that order, for one pass;
//   - plan.go, dup.go: skip rules of a zone's custom rules entrypoint
//     (first in the ruleset, one per name, foreign rules never sent);
//   - access.go: allow IP Access Rules (the Free plan's way past Bot Fight
//     Mode); list.go: account IP list items;
//   - expr.go: the skip rules' expressions, built and parsed;
//   - security.go, stale.go: what a pass reports and warns about.
//
// Planning is pure (PlanRules, PlanAccessRules, PlanListItems take the
// desired and observed state and return changes); the domain types it
// shares with the adapter and the report (Rule, RuleChange, SourceSet...)
// are the controller's.
package waf
