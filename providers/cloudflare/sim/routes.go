package sim

import "net/http"

// routes is the simulator's API surface. To add an endpoint, write a
// handler in the file of its concern and add one line here. Paths are
// relative to /client/v4; a {zone} segment is resolved (and checked
// against the token) before the handler runs.
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
}
