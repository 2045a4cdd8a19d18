package ipdetect

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"

	"github.com/flarewarden/flarewarden/controller"
)

// urlSource GETs a URL whose body is one address ("url:URL").
type urlSource struct {
	httpEndpoint
}

func newURLSource(name, arg string, rt transportFunc) (Source, error) {
	if arg == "" {
		return nil, errors.New(`url source needs a URL ("url:https://...")`)
	}
	e, err := newHTTPEndpoint(name, arg, true, rt, "", "")
	if err != nil {
		return nil, err
	}
	return &urlSource{e}, nil
}

// Lookup GETs the URL over family f, following redirects, and parses the
// body with ParseAddressBody.
func (s *urlSource) Lookup(ctx context.Context, f controller.Family) (netip.Addr, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url.String(), nil)
	if err != nil {
		return netip.Addr{}, sourceError(s.name, err)
	}
	req.Header.Set("Accept", "text/plain")
	reply, err := doHTTP(req, s.rt(f), true)
	if err != nil {
		return netip.Addr{}, sourceError(s.name, err)
	}
	addr, err := ParseAddressBody(reply.body)
	if err != nil {
		return netip.Addr{}, sourceError(s.name, err)
	}
	return addr, nil
}

// ParseAddressBody parses a plain-text answer that must be exactly one IP
// address, with optional surrounding whitespace (as bytes.TrimSpace
// removes). An empty body, an HTML page, several addresses or anything else
// is an error that says which. Zones are refused. The address is not
// validated further: see Validate.
func ParseAddressBody(body []byte) (netip.Addr, error) {
	text := bytes.TrimSpace(body)
	switch fields := bytes.Fields(text); {
	case len(text) == 0:
		return netip.Addr{}, errors.New("answer is empty")
	case looksHTML(text):
		return netip.Addr{}, errHTML("an address")
	case len(fields) > 1 && allAddresses(fields):
		return netip.Addr{}, fmt.Errorf("answer holds %d addresses, want exactly one", len(fields))
	case len(fields) > 1:
		return netip.Addr{}, fmt.Errorf("answer %q is not a single address", clip(string(text)))
	}
	addr, err := parseAddrText(string(text))
	if err != nil {
		return netip.Addr{}, fmt.Errorf("answer %q: %w", clip(string(text)), err)
	}
	return addr, nil
}

// allAddresses reports whether every field parses as an IP address.
func allAddresses(fields [][]byte) bool {
	for _, f := range fields {
		if _, err := netip.ParseAddr(string(f)); err != nil {
			return false
		}
	}
	return true
}
