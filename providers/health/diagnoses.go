package health

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/flarewarden/flarewarden/controller"
)

// blockCodes are Cloudflare's block-page error codes and what blocked.
var blockCodes = map[int]string{
	1005: "the client's network (ASN) is banned",
	1006: "the client's address is banned",
	1007: "the client's address is banned",
	1008: "the client's address is banned",
	1009: "the client's country is banned",
	1010: "the client's browser signature is banned",
	1012: "access is denied",
	1015: "the client is rate limited",
	1020: "a firewall rule denies the request",
}

// otherCodes names the Cloudflare error codes worth naming in an
// unexpected-status explanation.
var otherCodes = map[int]string{
	1000: "the record points at a prohibited IP",
	1001: "DNS resolution error: the name is not configured in Cloudflare",
	1002: "the record points at a prohibited IP",
	1003: "direct IP access is not allowed",
	1014: "CNAME cross-user banned",
	1018: "Cloudflare could not find the host",
}

func ok(a answer) controller.Diagnosis {
	return controller.Diagnosis{Class: controller.ClassOK,
		Explanation: fmt.Sprintf("HTTP %d through Cloudflare, as expected", a.status)}
}

func challenged(a answer) controller.Diagnosis {
	return controller.Diagnosis{Class: controller.ClassChallenged,
		Explanation: fmt.Sprintf("Cloudflare answered HTTP %d with a challenge page: "+
			"Under Attack mode, a WAF rule or bot protection challenges this client", a.status),
		Hint: "exempt this host's address with a WAF skip rule (waf.skip_rules with self); " +
			"if Bot Fight Mode is on, only an IP Access Rule in allow mode helps"}
}

func notCloudflare(a answer) controller.Diagnosis {
	return controller.Diagnosis{Class: controller.ClassNotCloudflare,
		Explanation: fmt.Sprintf("HTTP %d without server: cloudflare or cf-ray: the answer did not come through Cloudflare, "+
			"so the record is not proxied or points somewhere else", a.status),
		Hint: "check that the DNS record is proxied (orange cloud) and holds this origin's address"}
}

// dnsErrorExplanation opens the explanation of an origin DNS error; the
// prober replaces what follows it when the name is a known CNAME.
const dnsErrorExplanation = "Cloudflare cannot resolve the origin host (error 1016)"

// cnameHint is the hint of an origin DNS error at a name that is a CNAME.
// The prober does not know the record's takeover_cname, so the hint says
// what each value does rather than ask for one (it may be set already).
const cnameHint = "unless its takeover_cname is false, flarewarden replaces a managed CNAME with an A record " +
	"holding this host's address (with on-failure, once a health check sees the target down)"

func originDNSError(answer) controller.Diagnosis {
	return controller.Diagnosis{Class: controller.ClassOriginDNSError,
		Explanation: dnsErrorExplanation + ": the record points at a name that does not resolve, " +
			"typically a CNAME to a DDNS provider that is down",
		Hint: cnameHint + "; by hand, replace it with an A record holding this host's current address"}
}

// tunnelDown diagnoses error 1033: the name routes to a Cloudflare Tunnel
// that no connector serves.
func tunnelDown(answer) controller.Diagnosis {
	return controller.Diagnosis{Class: controller.ClassOriginUnreachable,
		Explanation: "Cloudflare Tunnel error (error 1033): no cloudflared connector is running for the tunnel " +
			"this name routes to",
		Hint: "start cloudflared on the origin (check its logs for why it stopped), " +
			"or point the record at the origin's address instead of the tunnel"}
}

// originFailure diagnoses Cloudflare's 520-526 origin error pages.
func originFailure(a answer) controller.Diagnosis {
	d := controller.Diagnosis{Class: controller.ClassOriginError,
		Explanation: "the origin sent an empty, unknown or unexpected answer (error 520): " +
			"it crashed, closed the connection or sent oversize headers",
		Hint: "read the origin's logs at the time of the failure"}
	switch a.status {
	case 521:
		d = controller.Diagnosis{Class: controller.ClassOriginDown,
			Explanation: "the origin refused Cloudflare's connection (error 521): the web server is down, " +
				"or a firewall rejects Cloudflare's addresses",
			Hint: "start the web server and allow Cloudflare's IP ranges to the origin port"}
	case 522:
		d = controller.Diagnosis{Class: controller.ClassOriginTimeout,
			Explanation: "Cloudflare's connection to the origin timed out (error 522): the record holds a wrong " +
				"or old address, the host is off, or a firewall drops Cloudflare's addresses",
			Hint: "check that the record holds the current public address and that the router forwards the port"}
	case 523:
		d = controller.Diagnosis{Class: controller.ClassOriginUnreachable,
			Explanation: "Cloudflare has no route to the origin (error 523): the record holds a wrong or private address",
			Hint:        "check the record's address; flarewarden sets it from the detected public address"}
	case 524:
		d = controller.Diagnosis{Class: controller.ClassOriginTimeout,
			Explanation: "the origin accepted Cloudflare's connection but did not answer within 100 s (error 524)",
			Hint:        "look for slow or stuck requests on the origin"}
	case 525, 526:
		d = originTLS(a.status)
	}
	return d
}

func originTLS(status int) controller.Diagnosis {
	what := "the TLS handshake between Cloudflare and the origin failed (error 525)"
	if status == 526 {
		what = "Cloudflare rejected the origin's certificate (error 526): expired, self-signed or for another name, " +
			"with SSL mode Full (strict)"
	}
	return controller.Diagnosis{Class: controller.ClassOriginTLS, Explanation: what,
		Hint: "install a valid certificate on the origin (a Cloudflare Origin CA certificate works) " +
			"or check the zone's SSL/TLS mode"}
}

func blocked(a answer) controller.Diagnosis {
	why := "a block page"
	if reason, ok := blockCodes[a.code]; ok {
		why = fmt.Sprintf("error %d: %s", a.code, reason)
	}
	hint := "find the blocking rule in Security > Events and exempt this host's address " +
		"with a WAF skip rule (waf.skip_rules)"
	if a.code == 1015 {
		hint = "a rate limiting rule limits this host's address: probe less often, raise the rule's threshold, " +
			"or skip the http_ratelimit phase for it with a WAF skip rule (waf.skip_rules)"
	}
	return controller.Diagnosis{Class: controller.ClassBlocked,
		Explanation: fmt.Sprintf("Cloudflare blocked the request (HTTP %d, %s)", a.status, why), Hint: hint}
}

// originError diagnoses a 5xx through Cloudflare that is not one of
// Cloudflare's own errors: Cloudflare's page saying the origin answered
// 502 or 504, or the origin's own answer, relayed.
func originError(a answer) controller.Diagnosis {
	if a.errorPage && (a.status == http.StatusBadGateway || a.status == http.StatusGatewayTimeout) {
		return controller.Diagnosis{Class: controller.ClassOriginError,
			Explanation: fmt.Sprintf("the origin answered Cloudflare HTTP %d, which Cloudflare shows as its own "+
				"error page: a proxy or load balancer in front of the application failed or timed out", a.status),
			Hint: "read the logs of the origin's web server or reverse proxy and check that the application behind it runs"}
	}
	return controller.Diagnosis{Class: controller.ClassOriginError,
		Explanation: fmt.Sprintf("the origin itself answered HTTP %d, relayed by Cloudflare", a.status),
		Hint:        "read the origin's logs: the application failed"}
}

// unexpected diagnoses an answer through Cloudflare that no rule matched.
func unexpected(a answer) controller.Diagnosis {
	what := fmt.Sprintf("Cloudflare answered HTTP %d, not an expected status (%s)", a.status, statusList(a.expect))
	hint := "check the site, or add the status to expect_status if it is fine"
	switch {
	case a.code != 0:
		what += fmt.Sprintf(", with error %d", a.code)
		if name, ok := otherCodes[a.code]; ok {
			what += ": " + name
		}
		hint = fmt.Sprintf("look up Cloudflare error %d in Cloudflare's documentation", a.code)
	case a.status == 530:
		what += ", without an error code"
	case a.status >= 300 && a.status <= 399:
		what += ": a redirect" + location(a.header.Get("Location")) + ", not followed"
		hint = "probe the final URL, or add the status to expect_status"
	}
	return controller.Diagnosis{Class: controller.ClassUnexpected, Explanation: what, Hint: hint}
}

// location describes a redirect target without its query or fragment
// (they may carry tokens): " to https://host/path", or "" when unusable.
func location(loc string) string {
	u, err := url.Parse(strings.TrimSpace(loc))
	if err != nil || loc == "" {
		return ""
	}
	target := u.EscapedPath()
	if u.Host != "" {
		target = "//" + u.Host + target
		if u.Scheme != "" {
			target = u.Scheme + ":" + target
		}
	}
	if target == "" || strings.ContainsAny(target, "\r\n") {
		return ""
	}
	return " to " + clipN(target, 100)
}

// statusList formats statuses as "200, 204".
func statusList(s []int) string {
	parts := make([]string, len(s))
	for i, v := range s {
		parts[i] = fmt.Sprint(v)
	}
	return strings.Join(parts, ", ")
}
