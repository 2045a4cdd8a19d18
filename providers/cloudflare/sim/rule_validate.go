package sim

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxExpressionLength is the longest rule expression accepted, in characters.
const maxExpressionLength = 4096

// customActions are the actions of http_request_firewall_custom rules.
var customActions = []string{"block", "challenge", "js_challenge", "managed_challenge", "log", "skip", "execute"}

// skipPhases are the phases a custom skip rule may skip.
var skipPhases = []string{"http_ratelimit", "http_request_firewall_managed", "http_request_sbfm"}

// skipProducts are the legacy security products a skip rule may skip, in
// the API's exact spelling (the SDK's lower-case constants are refused).
var skipProducts = []string{"zoneLockdown", "uaBlock", "bic", "hot", "securityLevel", "rateLimit", "waf"}

// actionPattern is the shape of any action name (phases other than the
// custom one are not validated further).
var actionPattern = regexp.MustCompile(`^[a-z_]+$`)

// skipParams are the action_parameters of a skip rule.
type skipParams struct {
	Ruleset  string              `json:"ruleset"`
	Phase    string              `json:"phase"`
	Phases   []string            `json:"phases"`
	Products []string            `json:"products"`
	Rules    map[string][]string `json:"rules"`
	Rulesets []string            `json:"rulesets"`
}

// prepareRule compacts r's action_parameters ("null" counts as absent) and
// validates r as a rule of phase. ptr is the JSON pointer of the rule in
// the request body ("" for a single-rule call), used in error sources.
func prepareRule(phase string, r Rule, ptr string) (Rule, *apiError) {
	if params := bytes.TrimSpace(r.ActionParameters); len(params) == 0 || string(params) == "null" {
		r.ActionParameters = nil
	} else {
		var buf bytes.Buffer
		if err := json.Compact(&buf, params); err != nil || params[0] != '{' {
			return Rule{}, badType(ptr+"/action_parameters", "action_parameters", "a JSON object")
		}
		r.ActionParameters = buf.Bytes()
	}
	return r, validateRule(phase, r, ptr)
}

// validateRule checks the expression (required, at most
// maxExpressionLength characters) and the action; in the custom phase it
// also checks the action against customActions and a skip rule's
// parameters.
func validateRule(phase string, r Rule, ptr string) *apiError {
	switch n := utf8.RuneCountInString(r.Expression); {
	case strings.TrimSpace(r.Expression) == "":
		return pointed(newError(http.StatusBadRequest, codeRuleExpression, "expression is required"), ptr+"/expression")
	case n > maxExpressionLength:
		return pointed(newError(http.StatusBadRequest, codeRuleExpression,
			"expression is too long: %d characters, at most %d are allowed", n, maxExpressionLength), ptr+"/expression")
	}
	if !actionPattern.MatchString(r.Action) || phase == customPhase && !slices.Contains(customActions, r.Action) {
		return badValue(ptr+"/action", r.Action, "action")
	}
	if phase == customPhase && r.Action == "skip" {
		return validateSkip(r.ActionParameters, ptr+"/action_parameters")
	}
	return nil
}

// validateSkip checks a custom skip rule's parameters: at least one of
// ruleset and phase ("current" only), phases (skipPhases), products
// (skipProducts), rules, rulesets. Custom rules may combine them (unlike
// what the OpenAPI document says of skip rules in general).
func validateSkip(raw json.RawMessage, ptr string) *apiError {
	var p skipParams
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &p); err != nil {
			return badType(ptr, "action_parameters", "an object of the skip action's parameters")
		}
	}
	switch {
	case p.Ruleset == "" && p.Phase == "" && len(p.Phases)+len(p.Products)+len(p.Rules)+len(p.Rulesets) == 0:
		return pointed(newError(http.StatusBadRequest, codeRuleSkipParams,
			"a skip rule needs action_parameters with at least one of ruleset, phase, phases, products, rules, rulesets"), ptr)
	case p.Ruleset != "" && p.Ruleset != "current":
		return badValue(ptr+"/ruleset", p.Ruleset, "ruleset")
	case p.Phase != "" && p.Phase != "current":
		return badValue(ptr+"/phase", p.Phase, "phase")
	}
	if err := checkValues(p.Phases, skipPhases, ptr+"/phases", "phases"); err != nil {
		return err
	}
	return checkValues(p.Products, skipProducts, ptr+"/products", "products")
}

// checkValues refuses the first of got that is not in allowed.
func checkValues(got, allowed []string, ptr, field string) *apiError {
	for i, v := range got {
		if !slices.Contains(allowed, v) {
			return badValue(ptr+"/"+strconv.Itoa(i), v, field)
		}
	}
	return nil
}

// badValue is the API's 20119 for a value outside the allowed ones.
func badValue(ptr, value, field string) *apiError {
	return pointed(newError(http.StatusBadRequest, codeRuleBadValue,
		"'%s' is not a valid value for %s because it's not one of the allowed values", value, field), ptr)
}

// badType is a 20119 for a value of the wrong JSON type.
func badType(ptr, field, want string) *apiError {
	return pointed(newError(http.StatusBadRequest, codeRuleBadValue, "%s must be %s", field, want), ptr)
}

// pointed sets e's source pointer.
func pointed(e *apiError, ptr string) *apiError {
	e.Pointer = ptr
	return e
}
