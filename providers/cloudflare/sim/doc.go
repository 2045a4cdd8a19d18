// Package sim is an in-process simulator of the Cloudflare API v4, faithful
// enough to test flarewarden's Cloudflare adapter end to end.
//
// A Server is an http.Handler: serve it with httptest.NewServer (tests), an
// http.Server (the `sim` subcommand) or in the demo, and point
// cloudflare-go at it with cloudflare.BaseURL(url + "/client/v4").
//
// It covers token verification, zones, DNS records (single calls and the
// all-or-nothing batch endpoint) with the API's validation and error codes,
// bearer-token authentication with per-token zone visibility, read-only
// tokens and client IP filtering (bad credential headers answered with the
// API's 6003 and its error chain), injectable faults (status codes,
// Retry-After, latency, dropped connections, malformed bodies) and a log of
// every request for assertions.
//
// For the WAF it covers zone entrypoint rulesets (GET/PUT of a phase's
// entrypoint, single-rule POST/PATCH/DELETE with positions, custom-rule
// validation, an optional rule limit), the security_level zone setting
// ("I'm Under Attack"), zone IP Access Rules, and accounts with IP lists
// whose item writes are asynchronous bulk operations that complete when
// polled. Edge plays Cloudflare's edge for the simulated zones: 409/1001
// for unknown names (as the real edge answers), challenges under attack, and custom skip/block rules
// on ip.src.
//
// Its answers are held to the real answers of the corpus in
// testdata/cloudflare (api_corpus_test.go, edge_corpus_test.go) and to
// Cloudflare's OpenAPI document (conformance_test.go).
//
// The package is independent of the controller: it is a fake Cloudflare,
// not a client of it. Routes live in one table (routes.go); each concern
// (auth, zones, records, batch, rulesets, settings, access rules, lists,
// bulk operations, edge, faults, log, state file) has its own file(s).
package sim
