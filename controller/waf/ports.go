package waf

import (
	"context"

	"github.com/flarewarden/flarewarden/controller"
)

// Rulesets reads and writes a zone's custom rules entrypoint.
type Rulesets interface {
	// Entrypoint returns the zone's custom rules entrypoint ruleset, with
	// ID "" (and no error) when the zone has none.
	Entrypoint(ctx context.Context, zone controller.Zone) (controller.Ruleset, error)
	// ApplyRules writes the changes in order, with single-rule calls
	// (POST/PATCH/DELETE) on an existing ruleset, or by creating the
	// entrypoint when the changes have RulesetID "". An error wraps
	// ErrRuleLimit when the API refused a rule for the plan's limit.
	ApplyRules(ctx context.Context, zone controller.Zone, changes []controller.RuleChange) error
}

// SecuritySettings reads a zone's security level.
type SecuritySettings interface {
	SecurityLevel(ctx context.Context, zone controller.Zone) (string, error)
}

// AccessRules reads and writes a zone's IP Access Rules.
type AccessRules interface {
	AccessRules(ctx context.Context, zone controller.Zone) ([]controller.AccessRule, error)
	ApplyAccessRules(ctx context.Context, zone controller.Zone, changes []controller.AccessRuleChange) error
}

// IPLists reads and writes account IP lists.
type IPLists interface {
	// IPList returns the account's list of that name with its items, or an
	// IPList with ID "" when there is none.
	IPList(ctx context.Context, accountID, name string) (controller.IPList, error)
	// ApplyIPList creates the list if its ID is "", then adds and removes
	// items (bulk operations, polled until they complete).
	ApplyIPList(ctx context.Context, list controller.IPList, changes []controller.ListItemChange) error
}
