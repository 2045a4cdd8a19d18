package corpus

import (
	"regexp"
	"slices"
	"testing"
)

// dateRE is the form of a provenance date: YYYY, YYYY-MM or YYYY-MM-DD.
var dateRE = regexp.MustCompile(`^\d{4}(-\d{2}(-\d{2})?)?$`)

func checkProvenance(t *testing.T, kind, name string, p Provenance) {
	t.Helper()
	if p.Source == "" || p.Notes == "" {
		t.Errorf("%s/%s: provenance needs source and notes", kind, name)
	}
	if !dateRE.MatchString(p.Date) {
		t.Errorf("%s/%s: date %q is not YYYY, YYYY-MM or YYYY-MM-DD", kind, name, p.Date)
	}
}

func TestEdgeSamplesHaveProvenanceAndOutcome(t *testing.T) {
	samples, err := LoadEdge()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range samples {
		checkProvenance(t, "edge", s.Name, s.Provenance)
		if s.Response.Status < 100 || s.Response.Status > 599 {
			t.Errorf("edge/%s: status %d", s.Name, s.Response.Status)
		}
		if s.Expect.Class == "" {
			t.Errorf("edge/%s: expect.class is empty", s.Name)
		}
	}
}

func TestAPISamplesHaveProvenanceAndOutcome(t *testing.T) {
	samples, err := LoadAPI()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range samples {
		checkProvenance(t, "api", s.Name, s.Provenance)
		if !slices.Contains(APIKinds, s.Expect.Decode) {
			t.Errorf("api/%s: expect.decode %q is none of %v", s.Name, s.Expect.Decode, APIKinds)
		}
		if s.Request.Method == "" || s.Request.Path == "" {
			t.Errorf("api/%s: request needs method and path", s.Name)
		}
		if (s.Expect.Decode == "error") != (len(s.Expect.Codes) > 0) {
			t.Errorf("api/%s: an error sample lists its codes, and only an error sample does", s.Name)
		}
	}
}

func TestDetectionSamplesHaveProvenanceAndOutcome(t *testing.T) {
	traces, err := LoadTrace()
	if err != nil {
		t.Fatal(err)
	}
	whoamis, err := LoadWhoami()
	if err != nil {
		t.Fatal(err)
	}
	check := func(kind, name, family string, want Detect) {
		if family != "ipv4" && family != "ipv6" {
			t.Errorf("%s/%s: family %q", kind, name, family)
		}
		if (want.IP == "") == (want.Error == "") {
			t.Errorf("%s/%s: expect needs exactly one of ip and error", kind, name)
		}
	}
	for _, s := range traces {
		checkProvenance(t, "trace", s.Name, s.Provenance)
		check("trace", s.Name, s.Family, s.Expect)
	}
	for _, s := range whoamis {
		checkProvenance(t, "whoami", s.Name, s.Provenance)
		check("whoami", s.Name, s.Family, s.Expect)
	}
}

// The corpus never shrinks below what issue 8 asked for.
const minEdge, minAPI = 40, 30

func TestCorpusSize(t *testing.T) {
	edge, err := LoadEdge()
	if err != nil {
		t.Fatal(err)
	}
	api, err := LoadAPI()
	if err != nil {
		t.Fatal(err)
	}
	if len(edge) < minEdge || len(api) < minAPI {
		t.Errorf("corpus has %d edge and %d API samples, want at least %d and %d", len(edge), len(api), minEdge, minAPI)
	}
}
