package sim

import "net/http"

// routes is the simulator's API surface. To add an endpoint, write a
// handler in the file of its concern and add one line here. Paths are
// relative to /client/v4; a {zone} or {account} segment right after
// /zones or /accounts is resolved (and checked against the token) before
// the handler runs.
var routes = routeTable{
	{method: http.MethodGet, pattern: "/user/tokens/verify", handle: (*Server).verifyToken, selfAuth: true},

	{method: http.MethodGet, pattern: "/zones", handle: (*Server).listZones},
	{method: http.MethodGet, pattern: "/zones/{zone}", handle: (*Server).getZone},

	{method: http.MethodGet, pattern: "/zones/{zone}/dns_records", handle: (*Server).listRecords},
	{method: http.MethodPost, pattern: "/zones/{zone}/dns_records", handle: (*Server).createRecord},
	{method: http.MethodPost, pattern: "/zones/{zone}/dns_records/batch", handle: (*Server).batchRecords},
	{method: http.MethodGet, pattern: "/zones/{zone}/dns_records/{record}", handle: (*Server).getRecord},
	{method: http.MethodPatch, pattern: "/zones/{zone}/dns_records/{record}", handle: (*Server).patchRecord},
	{method: http.MethodPut, pattern: "/zones/{zone}/dns_records/{record}", handle: (*Server).putRecord},
	{method: http.MethodDelete, pattern: "/zones/{zone}/dns_records/{record}", handle: (*Server).deleteRecord},

	{method: http.MethodGet, pattern: "/zones/{zone}/rulesets/phases/{phase}/entrypoint", handle: (*Server).getEntrypoint},
	{method: http.MethodPut, pattern: "/zones/{zone}/rulesets/phases/{phase}/entrypoint", handle: (*Server).putEntrypoint},
	{method: http.MethodPost, pattern: "/zones/{zone}/rulesets/{ruleset}/rules", handle: (*Server).createRule},
	{method: http.MethodPatch, pattern: "/zones/{zone}/rulesets/{ruleset}/rules/{rule}", handle: (*Server).patchRule},
	{method: http.MethodDelete, pattern: "/zones/{zone}/rulesets/{ruleset}/rules/{rule}", handle: (*Server).deleteRule},

	{method: http.MethodGet, pattern: "/zones/{zone}/settings/{setting}", handle: (*Server).getSetting},
	{method: http.MethodPatch, pattern: "/zones/{zone}/settings/{setting}", handle: (*Server).patchSetting},

	{method: http.MethodGet, pattern: "/zones/{zone}/firewall/access_rules/rules", handle: (*Server).listAccessRules},
	{method: http.MethodPost, pattern: "/zones/{zone}/firewall/access_rules/rules", handle: (*Server).createAccessRule},
	{method: http.MethodGet, pattern: "/zones/{zone}/firewall/access_rules/rules/{rule}", handle: (*Server).getAccessRule},
	{method: http.MethodPatch, pattern: "/zones/{zone}/firewall/access_rules/rules/{rule}", handle: (*Server).patchAccessRule},
	{method: http.MethodDelete, pattern: "/zones/{zone}/firewall/access_rules/rules/{rule}", handle: (*Server).deleteAccessRule},

	{method: http.MethodGet, pattern: "/accounts/{account}/rules/lists", handle: (*Server).listLists},
	{method: http.MethodPost, pattern: "/accounts/{account}/rules/lists", handle: (*Server).createList},
	{method: http.MethodGet, pattern: "/accounts/{account}/rules/lists/bulk_operations/{operation}", handle: (*Server).getOperation},
	{method: http.MethodGet, pattern: "/accounts/{account}/rules/lists/{list}", handle: (*Server).getList},
	{method: http.MethodDelete, pattern: "/accounts/{account}/rules/lists/{list}", handle: (*Server).deleteList},
	{method: http.MethodGet, pattern: "/accounts/{account}/rules/lists/{list}/items", handle: (*Server).listItems},
	{method: http.MethodPost, pattern: "/accounts/{account}/rules/lists/{list}/items", handle: (*Server).createItems},
	{method: http.MethodPut, pattern: "/accounts/{account}/rules/lists/{list}/items", handle: (*Server).updateAllItems},
	{method: http.MethodDelete, pattern: "/accounts/{account}/rules/lists/{list}/items", handle: (*Server).deleteListItems},
	{method: http.MethodGet, pattern: "/accounts/{account}/rules/lists/{list}/items/{item}", handle: (*Server).getItem},
}
