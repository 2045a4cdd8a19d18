package sim

import (
	"fmt"
	"html"
	"net/http"
	"strings"
)

// The edge's own answers, in the shapes of the real edge's (see the
// corpus in testdata/cloudflare/edge): every one carries "server:
// cloudflare" and a cf-ray; an error is the plain text "error code: N"
// for a client that does not ask for HTML, and an HTML page in
// Cloudflare's layout for one that does; a challenge is always an HTML
// page marked cf-mitigated: challenge.

// edgeVisit is what the edge's own answers tell about a request.
type edgeVisit struct {
	ray  string // the cf-ray
	host string // the site, as the visitor named it
	html bool   // the visitor asks for HTML (a browser)
}

// newEdgeVisit reads the visit's host and whether it asks for HTML.
func newEdgeVisit(r *http.Request, ray string) edgeVisit {
	return edgeVisit{ray: ray, host: edgeHost(r.Host), html: strings.Contains(r.Header.Get("Accept"), "text/html")}
}

// Content types of the edge's own answers.
const (
	edgeText = "text/plain; charset=UTF-8"
	edgeHTML = "text/html; charset=UTF-8"
)

// edgeNoStore is the cache-control of the edge's own answers.
const edgeNoStore = "private, max-age=0, no-store, no-cache, must-revalidate, post-check=0, pre-check=0"

// codeNames are the titles of the 1xxx errors the edge answers, and of
// the 5xx errors it answers about the origin.
var codeNames = map[int]string{
	1001: "DNS resolution error",
	1016: "Origin DNS error",
	1020: "Access denied",
	520:  "Web server is returning an unknown error",
	521:  "Web server is down",
	522:  "Connection timed out",
	523:  "Origin is unreachable",
	524:  "A timeout occurred",
	502:  "Bad gateway",
	504:  "Gateway time-out",
}

// writeError answers status with error code (a 1xxx code, or the 5xx
// status itself): "error code: N" as plain text, or the HTML page of the
// error for a browser.
func (v edgeVisit) writeError(w http.ResponseWriter, status, code int) {
	if !v.html {
		v.write(w, status, edgeText, fmt.Sprintf("error code: %d", code))
		return
	}
	if code >= 1000 {
		v.write(w, status, edgeHTML, v.codePage(code))
		return
	}
	v.write(w, status, edgeHTML, v.statusPage(code))
}

// writeText answers status with a plain text body of the edge's own.
func (v edgeVisit) writeText(w http.ResponseWriter, status int, body string) {
	v.write(w, status, edgeText, body)
}

// writeChallenge answers a 403 challenge: an HTML interstitial titled
// "Just a moment..." that loads the challenge platform's script, marked
// cf-mitigated: challenge, whatever the visitor asks for.
func (v edgeVisit) writeChallenge(w http.ResponseWriter) {
	w.Header().Set("Cf-Mitigated", "challenge")
	v.write(w, http.StatusForbidden, edgeHTML, fmt.Sprintf(challengePage, v.ray, v.ray))
}

// challengePage is the simulated challenge, for the ray twice.
const challengePage = `<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>` +
	`<meta name="robots" content="noindex,nofollow"></head><body>` +
	`<noscript>The simulated edge challenges this client; a browser would run the script below.</noscript>` +
	`<script>window._cf_chl_opt={cType:'managed',cRay:'%s'};</script>` +
	`<script src="/cdn-cgi/challenge-platform/h/g/orchestrate/chl_page/v1?ray=%s"></script></body></html>`

// write sends an answer of the edge itself.
func (v edgeVisit) write(w http.ResponseWriter, status int, contentType, body string) {
	h := w.Header()
	h.Set("Server", "cloudflare")
	h.Set("Cf-Ray", v.ray)
	h.Set("Content-Type", contentType)
	h.Set("Cache-Control", edgeNoStore)
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

// codePage is the HTML page of 1xxx error code.
func (v edgeVisit) codePage(code int) string {
	host := html.EscapeString(v.host)
	title := fmt.Sprintf("%s | %s | Cloudflare", codeNames[code], host)
	if code == 1020 {
		title = fmt.Sprintf("Access denied | %s used Cloudflare to restrict access", host)
	}
	return fmt.Sprintf(`<!DOCTYPE html><html lang="en-US"><head><title>%s</title>`+
		`<link rel="stylesheet" id="cf_styles-css" href="/cdn-cgi/styles/cf.errors.css" /></head>`+
		`<body><div id="cf-wrapper"><div id="cf-error-details">`+
		`<h1><span class="cf-error-type">Error</span> <span class="cf-error-code">%d</span></h1>`+
		`<h2 class="cf-subheadline">%s</h2><p>The simulated edge answered this request for %s itself.</p>`+
		`<p>Cloudflare Ray ID: <strong>%s</strong></p></div></div></body></html>`,
		title, code, codeNames[code], host, v.ray)
}

// statusPage is the HTML page of a 5xx error about the origin: it could
// not be reached (52x), or it answered 502 or 504.
func (v edgeVisit) statusPage(status int) string {
	host := html.EscapeString(v.host)
	return fmt.Sprintf(`<!DOCTYPE html><html lang="en-US"><head><title>%s | %d: %s</title>`+
		`<link rel="stylesheet" id="cf_styles-css" href="/cdn-cgi/styles/main.css" /></head>`+
		`<body><div id="cf-wrapper"><div id="cf-error-details">`+
		`<h1><span class="inline-block">%s</span> <span class="code-label">Error code %d</span></h1>`+
		`<p>The simulated edge got no usable answer for %s from its origin.</p>`+
		`<p>Cloudflare Ray ID: <strong>%s</strong></p></div></div></body></html>`,
		host, status, codeNames[status], codeNames[status], status, host, v.ray)
}
