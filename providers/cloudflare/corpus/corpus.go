// Package corpus loads the real-capture corpus of Cloudflare answers kept
// in testdata/cloudflare at the module root: answers of Cloudflare's edge,
// of its API, of /cdn-cgi/trace and of the DNS whoami name, each recorded
// from a public source with its provenance and the outcome flarewarden
// must reach on it.
//
// The corpus is the project's ground truth about Cloudflare: the health
// classifier, the IP detection parsers, the API client and the simulator
// are all tested against it, so a belief that the real service
// contradicts fails a test. It is for tests only; nothing in the product
// imports this package.
package corpus

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Provenance says where a sample comes from. Every sample has one.
type Provenance struct {
	// Source is where the capture was found: a URL of a public page,
	// issue, documentation example or file (a repository file as
	// owner/name/path@commit or its URL).
	Source string `yaml:"source"`
	// Date is when the capture was made or published, as the source
	// gives it (YYYY, YYYY-MM or YYYY-MM-DD).
	Date string `yaml:"date"`
	// Notes say what was trimmed, replaced (names, addresses, ray ids)
	// or reconstructed (headers a paste left out), and why the sample
	// matters.
	Notes string `yaml:"notes"`
}

// Response is an HTTP answer as recorded: the status, the headers that
// matter (name to value; a header sent twice holds its values joined by
// "\n") and the body trimmed to what identifies it.
type Response struct {
	Status  int               `yaml:"status"`
	Headers map[string]string `yaml:"headers"`
	Body    string            `yaml:"body"`
}

// Header returns the response's headers as an http.Header.
func (r Response) Header() http.Header {
	h := make(http.Header, len(r.Headers))
	for name, v := range r.Headers {
		for _, part := range strings.Split(v, "\n") {
			h.Add(name, part)
		}
	}
	return h
}

// Edge is an answer of Cloudflare's edge (or of a server not behind it)
// to an HTTP request for a site.
type Edge struct {
	Name       string `yaml:"-"`
	Provenance `yaml:",inline"`
	Response   Response `yaml:"response"`
	Expect     struct {
		// Class is the health class the classifier must give.
		Class string `yaml:"class"`
		// Code is the Cloudflare error code (1xxx) the answer carries,
		// or 0 for none (a decoy code in a challenge page is not one).
		Code int `yaml:"code"`
	} `yaml:"expect"`
}

// API is an answer of Cloudflare's API (api.cloudflare.com/client/v4).
type API struct {
	Name       string `yaml:"-"`
	Provenance `yaml:",inline"`
	Request    struct {
		Method string `yaml:"method"`
		// Path is the route template under /client/v4, such as
		// /zones/{zone_id}/dns_records.
		Path string `yaml:"path"`
	} `yaml:"request"`
	Response Response `yaml:"response"`
	Expect   struct {
		// Decode names what a successful answer decodes as (see
		// APIKinds); "error" for a failure envelope.
		Decode string `yaml:"decode"`
		// Codes are the error codes of a failure envelope, in order.
		Codes []int `yaml:"codes"`
		// Temporary: retrying later may succeed (429, 5xx).
		Temporary bool `yaml:"temporary"`
		// Auth: the token is refused or lacks a permission.
		Auth bool `yaml:"auth"`
		// RetryAfter is the Retry-After the client must honour, as a Go
		// duration ("" for none).
		RetryAfter string `yaml:"retry_after"`
	} `yaml:"expect"`
}

// APIKinds are the values of API.Expect.Decode.
var APIKinds = []string{
	"dns_records", "dns_record", "dns_batch", "zones", "zone", "token_verify",
	"ruleset", "zone_setting", "access_rules", "access_rule", "lists", "list",
	"list_items", "bulk_operation", "error",
}

// Trace is a body of https://1.1.1.1/cdn-cgi/trace (or another
// Cloudflare host's trace).
type Trace struct {
	Name       string `yaml:"-"`
	Provenance `yaml:",inline"`
	// Family is "ipv4" or "ipv6": the family the client asked over.
	Family string `yaml:"family"`
	// Host is the host the trace was fetched from (the h= it must match).
	Host   string `yaml:"host"`
	Body   string `yaml:"body"`
	Expect Detect `yaml:"expect"`
}

// Whoami is an answer to TXT whoami.cloudflare. in class CHAOS.
type Whoami struct {
	Name       string `yaml:"-"`
	Provenance `yaml:",inline"`
	Family     string `yaml:"family"`
	// TXT holds the strings of each TXT record of the answer, one slice
	// per record.
	TXT    [][]string `yaml:"txt"`
	Expect Detect     `yaml:"expect"`
}

// Detect is what an IP source must make of an answer: the address, or
// an error whose text contains Error.
type Detect struct {
	IP    string `yaml:"ip"`
	Error string `yaml:"error"`
}

// Dir returns the corpus directory (testdata/cloudflare at the module
// root), found from the working directory, which go test sets to the
// package's folder.
func Dir() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("corpus: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "testdata", "cloudflare"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("corpus: no go.mod above the working directory")
		}
		dir = parent
	}
}

// LoadEdge returns the edge samples, sorted by name.
func LoadEdge() ([]Edge, error) { return load[Edge]("edge", func(s *Edge, n string) { s.Name = n }) }

// LoadAPI returns the API samples, sorted by name.
func LoadAPI() ([]API, error) { return load[API]("api", func(s *API, n string) { s.Name = n }) }

// LoadTrace returns the trace samples, sorted by name.
func LoadTrace() ([]Trace, error) {
	return load[Trace]("trace", func(s *Trace, n string) { s.Name = n })
}

// LoadWhoami returns the whoami samples, sorted by name.
func LoadWhoami() ([]Whoami, error) {
	return load[Whoami]("whoami", func(s *Whoami, n string) { s.Name = n })
}

// load decodes every *.yaml file of one kind's folder, strictly (an
// unknown key is an error naming the file), and names each sample after
// its file.
func load[T any](kind string, name func(*T, string)) ([]T, error) {
	root, err := Dir()
	if err != nil {
		return nil, err
	}
	files, err := filepath.Glob(filepath.Join(root, kind, "*.yaml"))
	if err != nil {
		return nil, fmt.Errorf("corpus: %w", err)
	}
	sort.Strings(files)
	out := make([]T, 0, len(files))
	for _, f := range files {
		var s T
		if err := decodeFile(f, &s); err != nil {
			return nil, err
		}
		name(&s, strings.TrimSuffix(filepath.Base(f), ".yaml"))
		out = append(out, s)
	}
	return out, nil
}

func decodeFile(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("corpus: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("corpus: %s: %w", filepath.Base(path), err)
	}
	return nil
}
