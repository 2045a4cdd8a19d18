package sim

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const yamlState = `
tokens:
  - {token: sim-token}
  - {token: ro, read_only: true, account: true, zones: [example.com]}
zones:
  - name: example.com
    records:
      - {name: home, type: CNAME, content: myhome.duckdns.org, proxied: true, ttl: 1}
      - {name: www.example.com, type: A, content: 198.51.100.20, comment: "hand made"}
      - {name: "@", type: TXT, content: "v=spf1 -all", ttl: 300, tags: ["a:b"], id: 0123456789abcdef0123456789abcdef}
  - name: other.org
`

const jsonState = `{"tokens":[{"token":"sim-token"},{"token":"ro","read_only":true,"account":true,"zones":["example.com"]}],
"zones":[{"name":"example.com","records":[
 {"name":"home","type":"CNAME","content":"myhome.duckdns.org","proxied":true,"ttl":1},
 {"name":"www.example.com","type":"A","content":"198.51.100.20","comment":"hand made"},
 {"name":"@","type":"TXT","content":"v=spf1 -all","ttl":300,"tags":["a:b"],"id":"0123456789abcdef0123456789abcdef"}]},
 {"name":"other.org"}]}`

func TestParseStateYAMLAndJSON(t *testing.T) {
	y, err := ParseState([]byte(yamlState))
	if err != nil {
		t.Fatal(err)
	}
	j, err := ParseState([]byte(jsonState))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(y, j) {
		t.Fatalf("YAML and JSON differ:\n%+v\n%+v", y, j)
	}
	if want := (StateToken{Token: "ro", ReadOnly: true, Account: true, Zones: []string{"example.com"}}); !reflect.DeepEqual(y.Tokens[1], want) {
		t.Errorf("token = %+v", y.Tokens[1])
	}
	if len(y.Zones) != 2 || len(y.Zones[0].Records) != 3 || y.Zones[0].Records[1].Comment != "hand made" {
		t.Errorf("zones = %+v", y.Zones)
	}
}

func TestParseStateErrors(t *testing.T) {
	tests := []struct{ name, data, want string }{
		{"unknown top-level key (YAML)", "zonez: []", "zonez"},
		{"unknown token key (YAML)", "tokens: [{token: a, readonly: true}]", "readonly"},
		{"unknown record key (YAML)", "zones: [{name: example.com, records: [{name: a, typ: A}]}]", "typ"},
		{"unknown key (JSON)", `{"zones":[{"name":"example.com","record":[]}]}`, "record"},
		{"empty token", "tokens: [{token: ''}]", "tokens[0]"},
		{"bad zone name", "zones: [{name: 'not a zone'}]", "zones[0]"},
		{"single-label zone", "zones: [{name: com}]", "zones[0]"},
		{"duplicate zone", "zones: [{name: a.com}, {name: A.com.}]", "listed twice"},
		{"not YAML", "tokens: [", "sim state"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseState([]byte(tt.data))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
	if st, err := ParseState(nil); err != nil || len(st.Zones) != 0 {
		t.Errorf("empty state: %+v, %v", st, err)
	}
}

func TestSeed(t *testing.T) {
	st, err := ParseState([]byte(yamlState))
	if err != nil {
		t.Fatal(err)
	}
	s := New()
	if err := s.Seed(st); err != nil {
		t.Fatal(err)
	}
	if zs := s.Zones(); len(zs) != 2 || zs[0].Name != "example.com" || zs[1].Name != "other.org" {
		t.Errorf("zones = %+v", zs)
	}
	recs := s.Records("example.com")
	if got := keys(recs); strings.Join(got, ",") != "example.com TXT,home.example.com CNAME,www.example.com A" {
		t.Fatalf("records = %v", got)
	}
	if recs[0].ID != "0123456789abcdef0123456789abcdef" || recs[0].TTL != 300 || recs[0].Tags[0] != "a:b" {
		t.Errorf("apex TXT = %+v", recs[0])
	}
	if recs[1].TTL != 1 || !recs[1].Proxied || recs[2].Comment != "hand made" || recs[2].TTL != 1 {
		t.Errorf("records = %+v", recs)
	}
	if tok := s.tokens["ro"]; tok == nil || !tok.readOnly || !tok.account || !tok.canSee("example.com") || tok.canSee("other.org") {
		t.Errorf("token ro = %+v", tok)
	}
	if len(s.Requests()) != 0 {
		t.Error("seeding was logged")
	}
}

func TestSeedRejectsInvalidRecords(t *testing.T) {
	for _, data := range []string{
		"zones: [{name: example.com, records: [{name: a, type: A, content: nope}]}]",
		"zones: [{name: example.com, records: [{name: a, type: CNAME, content: t.example.net}, {name: a, type: A, content: 192.0.2.1}]}]",
		"zones: [{name: example.com, records: [{name: a, type: A, content: 192.0.2.1, id: short}]}]",
	} {
		st, err := ParseState([]byte(data))
		if err != nil {
			t.Fatal(err)
		}
		if err := New().Seed(st); err == nil || !strings.Contains(err.Error(), "example.com: records[") {
			t.Errorf("Seed(%s) = %v, want an error naming the record", data, err)
		}
	}
}

func TestLoadState(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.yaml")
	if err := os.WriteFile(path, []byte(yamlState), 0o600); err != nil {
		t.Fatal(err)
	}
	if st, err := LoadState(path); err != nil || len(st.Zones) != 2 {
		t.Errorf("LoadState: %+v, %v", st, err)
	}
	if _, err := LoadState(filepath.Join(dir, "missing.yaml")); err == nil {
		t.Error("missing file: no error")
	}
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("zonez: []"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadState(bad); err == nil || !strings.Contains(err.Error(), bad) || !strings.Contains(err.Error(), "zonez") {
		t.Errorf("bad file: %v, want the path and the key", err)
	}
}
