package controller

import (
	"net/url"
	"strings"
)

// Classes lists every health check class, in a stable order.
var Classes = []Class{
	ClassOK, ClassOriginDNSError, ClassOriginDown, ClassOriginTimeout, ClassOriginUnreachable, ClassOriginTLS,
	ClassOriginError, ClassChallenged, ClassBlocked, ClassNotCloudflare, ClassUnexpected, ClassTimeout, ClassTLS,
	ClassDNS, ClassDDNSTargetDown,
}

// SourceLabel returns an IP source name fit for metrics and status: a URL
// in it keeps only its scheme and host ("url:https://ip.example/x?k=v"
// becomes "url:https://ip.example"), so that no path, query or user
// information (which may embed a secret) is shown.
func SourceLabel(name string) string {
	i := strings.Index(name, "://")
	if i < 0 {
		return name
	}
	start := strings.LastIndexAny(name[:i], ":") + 1
	u, err := url.Parse(name[start:])
	if err != nil || u.Host == "" {
		return name[:start] + "[redacted]"
	}
	return name[:start] + u.Scheme + "://" + u.Host
}
