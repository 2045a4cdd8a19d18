package cloudflare

import (
	"net/http"
	"strings"
)

// RequestObserver is told about every HTTP attempt the client makes
// (retries included): the endpoint as a route template (never an id or a
// token), the method, and the status (0 when no answer came). It must be
// safe for concurrent use and must not block.
type RequestObserver interface {
	ObserveRequest(endpoint, method string, status int)
}

// literalSegments are the path segments of the API routes flarewarden uses
// that name a collection or an action; every other segment is an id or a
// name and is replaced by a placeholder.
var literalSegments = map[string]bool{
	"zones": true, "dns_records": true, "batch": true, "rulesets": true, "phases": true, "entrypoint": true,
	"rules": true, "settings": true, "security_level": true, "firewall": true, "access_rules": true,
	"accounts": true, "lists": true, "items": true, "bulk_operations": true, "user": true, "tokens": true,
	"verify": true, "http_request_firewall_custom": true, "export": true, "import": true,
}

// placeholders name the id that follows a collection segment.
var placeholders = map[string]string{
	"zones": "{zone_id}", "dns_records": "{dns_record_id}", "rulesets": "{ruleset_id}", "phases": "{phase}",
	"rules": "{rule_id}", "accounts": "{account_id}", "lists": "{list_id}", "items": "{item_id}",
	"bulk_operations": "{operation_id}", "settings": "{setting}", "tokens": "{token_id}",
}

// EndpointTemplate turns a request path below the API root (base is the
// root's path, such as "/client/v4") into its route template:
// "/client/v4/zones/023e.../dns_records/batch" becomes
// "/zones/{zone_id}/dns_records/batch". Unknown segments become "{id}", so
// the result never carries an id, a name or a token.
func EndpointTemplate(base, path string) string {
	path = strings.TrimPrefix(path, strings.TrimSuffix(base, "/"))
	segs := strings.Split(strings.Trim(path, "/"), "/")
	prev := ""
	for i, s := range segs {
		if !literalSegments[s] {
			segs[i] = placeholders[prev]
			if segs[i] == "" {
				segs[i] = "{id}"
			}
		}
		prev = s
	}
	return "/" + strings.Join(segs, "/")
}

// observe reports one attempt to the observer, if any.
func (t *retryTransport) observe(req *http.Request, status int) {
	if t.observer != nil {
		t.observer.ObserveRequest(EndpointTemplate(t.basePath, req.URL.Path), req.Method, status)
	}
}
