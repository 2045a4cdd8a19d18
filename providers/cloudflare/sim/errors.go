package sim

import (
	"fmt"
	"net/http"
)

// Error codes the simulator answers with. Codes marked "sim" are the
// simulator's own choice where the real code is undocumented.
const (
	codeInvalidToken     = 1000  // GET /user/tokens/verify with a token the endpoint does not know
	codeInvalidParam     = 1001  // sim: a malformed query parameter (page, per_page, order, ...)
	codeBadHeaders       = 6003  // missing or malformed credential headers; the causes are in its error_chain
	codeMissingEmail     = 6100  // in a 6003 chain: no Authorization and no X-Auth-Email header
	codeMissingKey       = 6101  // in a 6003 chain: no Authorization and no X-Auth-Key header
	codeBadEmail         = 6102  // in a 6003 chain: malformed X-Auth-Email header
	codeBadKey           = 6103  // in a 6003 chain: malformed X-Auth-Key header
	codeBadAuthorization = 6111  // in a 6003 chain: malformed Authorization header
	codeNoRoute          = 7000  // unknown route (second to a 7003 when the zone id is bad too)
	codeBadObjectID      = 7003  // unknown or malformed zone identifier
	codeRateLimited      = 971   // 429 from the rate limiter
	codeBadName          = 9000  // record name invalid or outside the zone
	codeBadType          = 9002  // sim: missing or unsupported record type
	codeNotProxiable     = 9004  // proxied on a type that cannot be proxied
	codeBadContent       = 9005  // content invalid for the record type
	codeBadTTL           = 9021  // TTL not 1 and not within 60..86400
	codeIPFilter         = 9109  // the token is restricted to other client addresses (403)
	codeCommentTooLong   = 9022  // sim: comment longer than maxCommentLength
	codeBadBody          = 9207  // request body is not valid JSON of the expected shape
	codeBatchTooLarge    = 9208  // sim: more operations in one batch than allowed
	codeAuth             = 10000 // unknown token, or a read-only token on a write
	codeMethodNotAllowed = 10405 // route exists but not for this method
	codeRecordNotFound   = 81044 // unknown DNS record id
	codeHostTaken        = 81053 // a CNAME onto a name that has an A, AAAA or CNAME
	codeCNAMEExists      = 81054 // an A or AAAA onto a name that has a CNAME
	codeIdentical        = 81058 // same name, type and content as another record (create or update; creates got 81057 until 2024)

	// Rulesets (404 for the first three, 400 for the others).
	codeNoEntrypoint    = 10003 // the zone has no entrypoint ruleset in that phase
	codeRulesetNotFound = 10004 // sim: unknown ruleset id in the zone
	codeRuleNotFound    = 10005 // sim: unknown rule id in the ruleset
	codeRuleBadValue    = 20119 // a value outside the allowed ones (action, products, phases, ruleset, ...)
	codeRuleExpression  = 20120 // sim: expression missing or longer than maxExpressionLength
	codeRuleSkipParams  = 20121 // sim: a skip rule without any skip option in action_parameters
	codeRuleDuplicate   = 20122 // sim: two rules of a ruleset share a ref (or an id)
	codeRulePosition    = 20123 // sim: a position naming an unknown rule, index < 1, or several keys
	codeRuleLimit       = 20217 // more rules in the phase than WithRuleLimit allows

	// Zone settings.
	codeSettingValue = 1007 // sim: invalid value for a zone setting (400)

	// IP Access Rules; the messages are the API's "firewallaccessrules.api.*".
	codeAccessNotFound  = 10001 // unknown access rule id (404)
	codeAccessDuplicate = 10009 // a rule with the same target and value exists (400)
	codeAccessInvalid   = 10010 // sim: invalid mode, target or value (400)

	// Lists and bulk operations.
	codeListNotFound      = 10020 // sim: unknown list id in the account, or unknown item id (404)
	codeListInvalid       = 10021 // sim: invalid list name, kind or description (400)
	codeListDuplicate     = 10022 // sim: the account has a list of that name (400)
	codeOperationNotFound = 10023 // sim: unknown bulk operation id in the account (404)
	codeListItemValue     = 10035 // an item's ip refused when the items body is read (400-10035-list-item-ipv6-cidr)
)

// apiError is an API failure: the HTTP status and the single entry of the
// envelope's "errors" array. It is also the error the Go API returns.
type apiError struct {
	Status  int
	Code    int
	Message string
	// Pointer, when set, is a JSON pointer into the request body, rendered
	// as the error's "source": {"pointer": ...} (rulesets errors).
	Pointer string
	// Chain, when set, is rendered as the error's "error_chain": the causes
	// of a 6003.
	Chain []message
	// More are further entries of "errors" after this one (a 7000 after a
	// 7003).
	More []message
}

// Error implements error.
func (e *apiError) Error() string {
	return fmt.Sprintf("cloudflare sim: %s (code %d, HTTP %d)", e.Message, e.Code, e.Status)
}

func newError(status, code int, format string, args ...any) *apiError {
	return &apiError{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

func errNoRoute() *apiError {
	return newError(http.StatusNotFound, codeNoRoute, "No route for that URI")
}

func errMethodNotAllowed() *apiError {
	return newError(http.StatusMethodNotAllowed, codeMethodNotAllowed, "Method not allowed")
}

func errBadObjectID(path string) *apiError {
	return newError(http.StatusBadRequest, codeBadObjectID,
		"Could not route to %s, perhaps your object identifier is invalid?", path)
}

// unrouted adds to e (a 7003) the 7000 that the API puts after it when no
// route takes the request either (routeErr not nil), and returns e.
func (e *apiError) unrouted(routeErr *apiError) *apiError {
	if routeErr != nil {
		e.More = append(e.More, message{Code: codeNoRoute, Message: errNoRoute().Message})
	}
	return e
}

// errBadHeaders is the 400 (code 6003) of bad credential headers, with
// their causes as its error chain.
func errBadHeaders(causes ...message) *apiError {
	e := newError(http.StatusBadRequest, codeBadHeaders, "Invalid request headers")
	e.Chain = causes
	return e
}

// errLocation is the 403 (code 9109) of a token used from an address it
// is not allowed from.
func errLocation(addr string) *apiError {
	return newError(http.StatusForbidden, codeIPFilter, "Cannot use the access token from location: %s", addr)
}

func errAuth() *apiError {
	return newError(http.StatusForbidden, codeAuth, "Authentication error")
}

func errInvalidToken() *apiError {
	return newError(http.StatusUnauthorized, codeInvalidToken, "Invalid API Token")
}

func errBadBody() *apiError {
	return newError(http.StatusBadRequest, codeBadBody, "Request body is invalid.")
}

func errInvalidParam(name, want string) *apiError {
	return newError(http.StatusBadRequest, codeInvalidParam, "Invalid request: %s must be %s", name, want)
}

func errRecordNotFound() *apiError {
	return newError(http.StatusNotFound, codeRecordNotFound, "Record does not exist.")
}

// errFault is the envelope error of an injected fault status.
func errFault(status int) *apiError {
	switch status {
	case http.StatusTooManyRequests:
		return newError(status, codeRateLimited, "Please wait and consider throttling your request speed")
	case http.StatusUnauthorized, http.StatusForbidden:
		return newError(status, codeAuth, "Authentication error")
	default:
		return newError(status, 10000+status, "%s", http.StatusText(status))
	}
}
