package sim

import (
	"encoding/json"
	"maps"
	"mime"
	"net/http"
	"slices"
	"sort"
	"testing"

	"github.com/flarewarden/flarewarden/providers/cloudflare/corpus"
)

// This file holds the machinery of the API corpus test (the table of
// cases is in api_corpus_test.go): it sends a case's request and compares
// the simulator's answer with the sample's.

// apiRequest is the request a case sends to the simulator.
type apiRequest struct {
	method, path string
	body         any         // marshalled unless a string (see bodyReader)
	header       http.Header // nil: the test token as a bearer token
}

// get is a GET of path with the test token.
func get(path string) apiRequest { return apiRequest{method: http.MethodGet, path: path} }

// send is a request with a body and the test token.
func send(method, path string, body any) apiRequest {
	return apiRequest{method: method, path: path, body: body}
}

// headers are the request's headers, the test token's by default.
func (r apiRequest) headers() http.Header {
	if r.header != nil {
		return r.header
	}
	return http.Header{"Authorization": {"Bearer " + testToken}}
}

// nestedObjects are, per Expect.Decode, the fields of the result whose
// objects' keys are compared besides the result's own.
var nestedObjects = map[string][]string{"ruleset": {"rules"}}

// loadAPISamples returns the API samples, failing the test if they cannot
// be read.
func loadAPISamples(t *testing.T) []corpus.API {
	t.Helper()
	samples, err := corpus.LoadAPI()
	if err != nil {
		t.Fatal(err)
	}
	if len(samples) == 0 {
		t.Fatal("no API samples in the corpus")
	}
	return samples
}

// decodeObject parses a JSON object, failing the test otherwise.
func decodeObject(t *testing.T, what string, body []byte) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("%s: not a JSON object: %v\n%s", what, err, body)
	}
	return v
}

// compareAnswer checks the simulator's answer got against sample s:
// status, media type, Retry-After, envelope (success, kind of result),
// error codes and shapes, and the key sets of the envelope and of its
// objects, where only the differences in allow (dotted key path to reason)
// are accepted, and each of them must occur.
func compareAnswer(t *testing.T, s corpus.API, got answer, allow map[string]string) {
	t.Helper()
	if got.status != s.Response.Status {
		t.Errorf("status %d, sample %d", got.status, s.Response.Status)
	}
	compareHeaders(t, s.Response.Header(), got.header)
	want := decodeObject(t, "sample body", []byte(s.Response.Body))
	sim := decodeObject(t, "simulator body", got.raw)
	if _, ok := want["success"]; ok && want["success"] != sim["success"] { // a missing key is a key difference
		t.Errorf("success %v, sample %v", sim["success"], want["success"])
	}
	if w, g := jsonKind(want["result"]), jsonKind(sim["result"]); w != g {
		t.Errorf("result is %s, sample's is %s", g, w)
	}
	if w, g := errorCodes(want), errorCodes(sim); !slices.Equal(w, g) {
		t.Errorf("error codes (with error_chain) %v, sample %v", g, w)
	}
	checkErrorShape(t, sim)
	checkAllowed(t, keyDiffs(want, sim, nestedObjects[s.Expect.Decode]), allow)
	if t.Failed() {
		t.Logf("simulator: %d %s\nsample:    %d %s", got.status, got.raw, s.Response.Status, s.Response.Body)
	}
}

// compareHeaders checks the Content-Type media type and that Retry-After
// is sent exactly when the sample has it.
func compareHeaders(t *testing.T, want, got http.Header) {
	t.Helper()
	wantType, _, err := mime.ParseMediaType(want.Get("Content-Type"))
	if err != nil {
		t.Fatalf("sample Content-Type: %v", err)
	}
	if gotType, _, _ := mime.ParseMediaType(got.Get("Content-Type")); gotType != wantType {
		t.Errorf("Content-Type %q, sample %q", gotType, wantType)
	}
	if w, g := want.Get("Retry-After") != "", got.Get("Retry-After") != ""; w != g {
		t.Errorf("Retry-After present: %v, sample: %v", g, w)
	}
}

// jsonKind names the kind of a decoded JSON value.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	}
	return "a scalar"
}

// errorCodes are the codes of an envelope's errors and of their
// error_chain entries, sorted.
func errorCodes(env map[string]any) []int {
	var codes []int
	for _, e := range errorEntries(env) {
		if c, ok := e["code"].(float64); ok {
			codes = append(codes, int(c))
		}
	}
	sort.Ints(codes)
	return codes
}

// errorEntries are an envelope's errors and the entries of their error_chain.
func errorEntries(env map[string]any) []map[string]any {
	var out []map[string]any
	errs, _ := env["errors"].([]any)
	for _, e := range errs {
		obj, _ := e.(map[string]any)
		out = append(out, obj)
		chain, _ := obj["error_chain"].([]any)
		for _, c := range chain {
			cobj, _ := c.(map[string]any)
			out = append(out, cobj)
		}
	}
	return out
}

// checkErrorShape checks that every error and error_chain entry has a
// numeric code and a non-empty message.
func checkErrorShape(t *testing.T, env map[string]any) {
	t.Helper()
	for i, e := range errorEntries(env) {
		_, code := e["code"].(float64)
		msg, _ := e["message"].(string)
		if !code || msg == "" {
			t.Errorf("error entry %d lacks code or message: %v", i, e)
		}
	}
}

// keyDiffs returns the keys present on one side only, by dotted path
// ("success", "result.zone_id", "result.rules.ref"), each with the side
// that has it: of the envelopes, of their results (the union over the
// items of an array) and of the given fields of the results.
func keyDiffs(sample, sim map[string]any, nested []string) map[string]string {
	d := map[string]string{}
	diffKeys(d, "", objectKeys(sample), objectKeys(sim))
	diffKeys(d, "result.", objectKeys(sample["result"]), objectKeys(sim["result"]))
	for _, f := range nested {
		diffKeys(d, "result."+f+".", objectKeys(field(sample["result"], f)), objectKeys(field(sim["result"], f)))
	}
	return d
}

func diffKeys(d map[string]string, prefix string, sample, sim map[string]bool) {
	for k := range sample {
		if !sim[k] {
			d[prefix+k] = "only the sample has it"
		}
	}
	for k := range sim {
		if !sample[k] {
			d[prefix+k] = "only the simulator has it"
		}
	}
}

// objectKeys are the keys of an object, or the union of the keys of the
// objects of an array; none for anything else.
func objectKeys(v any) map[string]bool {
	keys := map[string]bool{}
	switch v := v.(type) {
	case map[string]any:
		for k := range v {
			keys[k] = true
		}
	case []any:
		for _, item := range v {
			maps.Copy(keys, objectKeys(item))
		}
	}
	return keys
}

// field is the value of name in an object, or nil.
func field(v any, name string) any {
	obj, _ := v.(map[string]any)
	return obj[name]
}

// checkAllowed fails for each difference that allow does not list and for
// each entry of allow that is no longer a difference (so the list cannot
// go stale).
func checkAllowed(t *testing.T, diffs, allow map[string]string) {
	t.Helper()
	for _, k := range slices.Sorted(maps.Keys(diffs)) {
		if _, ok := allow[k]; !ok {
			t.Errorf("key %s: %s", k, diffs[k])
		}
	}
	for _, k := range slices.Sorted(maps.Keys(allow)) {
		if _, ok := diffs[k]; !ok {
			t.Errorf("allowed difference %s no longer occurs: drop it from the case", k)
		}
	}
}
