package health

import (
	"errors"
	"fmt"
	"maps"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/net/http/httpguts"
)

// validate checks o; errors name the field ("checks[1].url: ..."), all of
// them joined. They never repeat a URL, a header value or an address that
// could carry a secret.
func validate(o Options) error {
	var errs []error
	if o.DNSServer != "" {
		if err := checkHostPort(o.DNSServer); err != nil {
			errs = append(errs, fmt.Errorf("dns_server: %w", err))
		}
	}
	seen := make(map[string]int)
	for i, c := range o.Checks {
		for _, err := range validateCheck(c, seen, i) {
			errs = append(errs, fmt.Errorf("checks[%d].%w", i, err))
		}
	}
	return errors.Join(errs...)
}

// validateCheck returns the problems of check i, each starting with its
// field name; seen maps the names of the checks before it to their index.
func validateCheck(c Check, seen map[string]int, i int) []error {
	var errs []error
	add := func(field string, err error) {
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", field, err))
		}
	}
	add("name", checkName(c.Name, seen, i))
	add("url", checkURL(c.URL))
	if c.Timeout <= 0 {
		add("timeout", fmt.Errorf("%s is not positive", c.Timeout))
	}
	for j, s := range c.ExpectStatus {
		add(fmt.Sprintf("expect_status[%d]", j), checkStatus(s))
	}
	if c.EdgeAddress != "" {
		add("edge_address", checkHostPort(c.EdgeAddress))
	}
	for _, name := range slices.Sorted(maps.Keys(c.Headers)) {
		add("headers", checkHeader(name, c.Headers[name]))
	}
	if c.Origin != nil {
		add("origin.port", checkPort(c.Origin.Port, true))
		if c.Origin.Address != "" {
			add("origin.address", checkHostPort(c.Origin.Address))
		}
	}
	return errs
}

// checkName requires a non-empty name not used by an earlier check.
func checkName(name string, seen map[string]int, i int) error {
	if strings.TrimSpace(name) == "" {
		return errors.New("is empty")
	}
	if j, dup := seen[name]; dup {
		return fmt.Errorf("%q is already the name of checks[%d]", name, j)
	}
	seen[name] = i
	return nil
}

// checkURL requires an absolute http or https URL with a host.
func checkURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case raw == "":
		return errors.New("is empty")
	case err != nil:
		return errors.New("is not a valid URL")
	case u.Scheme != "http" && u.Scheme != "https":
		return errors.New("scheme must be http or https")
	case u.Hostname() == "":
		return errors.New("has no host")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return errors.New("has an invalid port")
		}
	}
	return nil
}

// checkStatus requires an HTTP status code (100-599).
func checkStatus(s int) error {
	if s < 100 || s > 599 {
		return fmt.Errorf("%d is not an HTTP status", s)
	}
	return nil
}

// checkPort requires 1-65535, or 0 when zeroOK (the default port).
func checkPort(p int, zeroOK bool) error {
	if (p == 0 && zeroOK) || (p >= 1 && p <= 65535) {
		return nil
	}
	return fmt.Errorf("%d is not a port", p)
}

// checkHostPort requires "host:port" with a non-empty host and a port.
func checkHostPort(s string) error {
	host, port, err := net.SplitHostPort(s)
	if err != nil || host == "" || strings.ContainsAny(host, "/ ") {
		return errors.New(`must be "host:port"`)
	}
	n, err := strconv.Atoi(port)
	if err != nil {
		return errors.New("has an invalid port")
	}
	return checkPort(n, false)
}

// checkHeader requires an HTTP token (RFC 9110) other than Host, which is
// always the URL's host, and a value without control characters. Errors
// name the header, never its value.
func checkHeader(name, value string) error {
	switch {
	case strings.EqualFold(name, "Host"):
		return errors.New("the Host header cannot be set: probes send the URL's host")
	case !httpguts.ValidHeaderFieldName(name):
		return fmt.Errorf("%q is not a valid header name", clip(name))
	case !httpguts.ValidHeaderFieldValue(value):
		return fmt.Errorf("the value of %s has a control character (a line break?)", name)
	}
	return nil
}

// clip shortens s for a message: at most 40 bytes, then "...".
func clip(s string) string { return clipN(s, 40) }

// clipN shortens s to at most n bytes (never splitting a character),
// followed by "..." when it cut anything.
func clipN(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "..."
}
