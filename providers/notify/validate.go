package notify

import (
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"

	"golang.org/x/net/http/httpguts"
)

// parseTarget checks that raw is an http or https URL with a host. Errors
// never repeat raw: its path and query are secrets, and a parse error of
// net/url would quote it whole.
func parseTarget(raw string) (*url.URL, error) {
	switch {
	case raw == "":
		return nil, errors.New("is empty")
	case strings.TrimSpace(raw) != raw:
		return nil, errors.New("has leading or trailing spaces")
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return nil, errors.New("is not a valid URL")
	case u.Scheme == "":
		return nil, errors.New("has no scheme: want http:// or https://")
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("scheme %q is not http or https", u.Scheme)
	case u.Opaque != "":
		return nil, fmt.Errorf("is not a valid URL: want %s://host/path", u.Scheme)
	case u.Hostname() == "":
		return nil, errors.New("has no host")
	}
	return u, nil
}

// checkHeaders checks webhook header names and values. Errors name the
// header (names are not secret), never a value.
func checkHeaders(field string, h map[string]string) error {
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(h)) {
		switch {
		case !httpguts.ValidHeaderFieldName(name):
			errs = append(errs, fmt.Errorf("%s: %q is not a valid header name", field, name))
		case !httpguts.ValidHeaderFieldValue(h[name]):
			errs = append(errs, fmt.Errorf("%s[%s]: the value has a control character (a line break?)", field, name))
		}
	}
	return errors.Join(errs...)
}
