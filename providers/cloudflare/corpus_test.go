package cloudflare

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	cf "github.com/cloudflare/cloudflare-go"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/providers/cloudflare/corpus"
)

// Identifiers the corpus's route templates are filled with (those of the
// samples' own bodies where a client call needs them).
const (
	corpusRecordID    = "372e67954025e0ba6aaa6d586b9e0b59"
	corpusListID      = "2c0fc9fa937b11eaa1b71c4d701ab86e"
	corpusOperationID = "4da8780eeb215e6cb7f48dd981c4ea02"
)

// corpusCase is how one route (or, for routes flarewarden never calls, one
// kind of answer) is read: read calls the client and returns a comparable
// view of what it understood; want, when not nil, derives the view the
// sample's result must give, read independently from its JSON. A nil want
// means the call has only to succeed (writes whose answer decides nothing).
type corpusCase struct {
	read func(ctx context.Context, c *Client, s corpus.API) (any, error)
	want func(result any) any
}

// corpusRoutes are the routes flarewarden calls, by "METHOD template", each
// read with the client method that calls it.
var corpusRoutes = map[string]corpusCase{
	"GET /zones/{zone_id}/dns_records":                   {readRecords, wantRecords},
	"POST /zones/{zone_id}/dns_records":                  {readSingleCreate, nil},
	"PATCH /zones/{zone_id}/dns_records/{dns_record_id}": {readSingleUpdate, nil},
	"POST /zones/{zone_id}/dns_records/batch":            {readBatchCreate, nil},
	"GET /zones":              {readZones, wantZones},
	"GET /user/tokens/verify": {readVerify, wantStatus},
	"GET /zones/{zone_id}/rulesets/phases/" + controller.CustomRulesPhase + "/entrypoint": {readEntrypoint, wantRuleset},
	"POST /zones/{zone_id}/rulesets/{ruleset_id}/rules":                                   {readRuleCreate, nil},
	"GET /zones/{zone_id}/settings/security_level":                                        {readSecurityLevel, wantValue},
	"GET /zones/{zone_id}/firewall/access_rules/rules":                                    {readAccessRules, wantAccessRules},
	"POST /zones/{zone_id}/firewall/access_rules/rules":                                   {readAccessCreate, nil},
	"GET /accounts/{account_id}/rules/lists":                                              {readLists, wantLists},
	"GET /accounts/{account_id}/rules/lists/{list_id}/items":                              {readListItems, wantListItems},
	"POST /accounts/{account_id}/rules/lists/{list_id}/items":                             {readBulkStart, wantOperationID},
	"GET /accounts/{account_id}/rules/lists/bulk_operations/{operation_id}":               {readBulkStatus, wantStatus},
}

// corpusKinds read answers of routes flarewarden does not call with the
// client's decoder of that kind of answer, over the client's call.
var corpusKinds = map[string]corpusCase{
	"ruleset":      {readRawRuleset, wantRuleset},
	"zone_setting": {readRawSetting, wantValue},
	"zone":         {readRawZone, wantZone},
}

// TestCorpusAPI serves every API sample of the real-capture corpus
// (testdata/cloudflare/api) from a test server at its route and reads it
// with the client: a successful answer must decode, with no error, to the
// values it holds; a failure envelope must give an *APIError with the
// sample's status, codes, temporary/auth classification and Retry-After,
// both as the client reads any error and through the method calling that
// route.
func TestCorpusAPI(t *testing.T) {
	t.Parallel()
	samples, err := corpus.LoadAPI()
	if err != nil {
		t.Fatal(err)
	}
	if len(samples) == 0 {
		t.Fatal("no API samples in the corpus")
	}
	for _, s := range samples {
		t.Run(s.Name, func(t *testing.T) {
			t.Parallel()
			if s.Expect.Decode == "error" {
				checkErrorSample(t, s)
				return
			}
			checkDecodedSample(t, s)
		})
	}
}

// checkDecodedSample reads a successful sample and compares what the client
// understood with what the sample holds.
func checkDecodedSample(t *testing.T, s corpus.API) {
	t.Helper()
	cc, ok := corpusRoutes[route(s)]
	if !ok {
		cc, ok = corpusKinds[s.Expect.Decode]
	}
	if !ok {
		t.Fatalf("no client call reads %s (decode %s): add one to corpusRoutes or corpusKinds", route(s), s.Expect.Decode)
	}
	got, err := cc.read(context.Background(), sampleHarness(t, s).c, s)
	if err != nil {
		t.Fatalf("%s: %v", route(s), err)
	}
	if cc.want == nil {
		return
	}
	if want := cc.want(sampleResult(t, s)); !reflect.DeepEqual(got, want) {
		t.Errorf("%s decoded\n got %+v\nwant %+v", route(s), got, want)
	}
}

// checkErrorSample checks the client's reading of a failure envelope: the
// error of a bare call, then that of the method calling the route, if any.
// A 404 with code 10003 on the entrypoint is no error for Entrypoint but
// the sign of a zone without custom rules.
func checkErrorSample(t *testing.T, s corpus.API) {
	t.Helper()
	h := sampleHarness(t, s)
	_, err := h.c.call(context.Background(), s.Request.Method, samplePath(t, s), nil)
	ae := checkClassified(t, s, h.c.apiError(err, "corpus", testZone.Name, ""))
	cc, ok := corpusRoutes[route(s)]
	if !ok {
		return
	}
	got, err := cc.read(context.Background(), sampleHarness(t, s).c, s)
	if noEntrypoint(ae) {
		if err != nil || !reflect.DeepEqual(got, rulesetView{}) {
			t.Errorf("Entrypoint = %+v, %v; want an empty ruleset and no error", got, err)
		}
		return
	}
	checkClassified(t, s, err)
}

// checkClassified asserts that err is or wraps an *APIError as the sample
// expects, and returns it.
func checkClassified(t *testing.T, s corpus.API, err error) *APIError {
	t.Helper()
	var ae *APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error %T (%v) is no *APIError", err, err)
	}
	if strings.Contains(err.Error(), testToken) {
		t.Errorf("error text contains the token: %v", err)
	}
	wantDelay := time.Duration(0)
	if s.Expect.RetryAfter != "" {
		var perr error
		if wantDelay, perr = time.ParseDuration(s.Expect.RetryAfter); perr != nil {
			t.Fatalf("expect.retry_after: %v", perr)
		}
	}
	got := fmt.Sprintf("status %d codes %v temporary %t auth %t retry after %s",
		ae.Status, ae.Codes, ae.Temporary(), IsAuth(err), ae.RetryDelay())
	want := fmt.Sprintf("status %d codes %v temporary %t auth %t retry after %s",
		s.Response.Status, s.Expect.Codes, s.Expect.Temporary, s.Expect.Auth, wantDelay)
	if got != want {
		t.Errorf("error %q\n read as %s\n    want %s", err, got, want)
	}
	return ae
}

// sampleHarness starts a client and a test server that answers the
// sample's route with the sample's status, headers and body, and any other
// request with a plain 404. The client does not retry, so that a 429 or
// 5xx comes back at once with what it carried.
func sampleHarness(t *testing.T, s corpus.API) *harness {
	t.Helper()
	path := "/client/v4" + samplePath(t, s)
	header := s.Response.Header()
	return newHarness(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		if r.Method != s.Request.Method || r.URL.Path != path {
			http.Error(w, "not the sample's route", http.StatusNotFound)
			return
		}
		for name, values := range header {
			w.Header()[name] = values
		}
		w.WriteHeader(s.Response.Status)
		_, _ = io.WriteString(w, s.Response.Body)
	}, func(o *Options) { o.MaxRetries = -1; o.BulkPollInterval = time.Millisecond })
}

// route is a sample's "METHOD template".
func route(s corpus.API) string { return s.Request.Method + " " + s.Request.Path }

// samplePath fills a sample's route template with the corpus identifiers
// ({setting_id} with the id of the setting the sample answers).
func samplePath(t *testing.T, s corpus.API) string {
	t.Helper()
	setting := ""
	if strings.Contains(s.Request.Path, "{setting_id}") {
		m, _ := sampleResult(t, s).(map[string]any)
		setting = str(m, "id")
	}
	return strings.NewReplacer("{zone_id}", testZone.ID, "{dns_record_id}", corpusRecordID,
		"{ruleset_id}", testRulesetID, "{account_id}", testAccount, "{list_id}", corpusListID,
		"{operation_id}", corpusOperationID, "{setting_id}", setting).Replace(s.Request.Path)
}

// sampleResult is the result of a sample's envelope, decoded generically.
func sampleResult(t *testing.T, s corpus.API) any {
	t.Helper()
	var env struct {
		Result any `json:"result"`
	}
	if err := json.Unmarshal([]byte(s.Response.Body), &env); err != nil {
		t.Fatalf("sample body is not JSON: %v", err)
	}
	return env.Result
}

// str, flag and strs read one field of a generically decoded object.
func str(m map[string]any, key string) string { v, _ := m[key].(string); return v }

func flag(m map[string]any, key string) bool { v, _ := m[key].(bool); return v }

func strs(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

// objects returns the objects of a generically decoded array.
func objects(v any) []map[string]any {
	list, _ := v.([]any)
	out := make([]map[string]any, 0, len(list))
	for _, x := range list {
		m, _ := x.(map[string]any)
		out = append(out, m)
	}
	return out
}

// orEmpty hands on what a client call read, an empty list for none, so
// that it compares equal to the view of an empty result.
func orEmpty[T any](items []T, err error) (any, error) {
	if items == nil {
		items = []T{}
	}
	return items, err
}

// viewed hands on the views of what a client call read, an empty list for
// none.
func viewed[T, V any](items []T, err error, view func(T) V) (any, error) {
	views := make([]V, 0, len(items))
	for _, x := range items {
		views = append(views, view(x))
	}
	return views, err
}

// viewsOf renders each object of a generically decoded array with view,
// an empty list for none.
func viewsOf[T any](result any, view func(m map[string]any) T) any {
	views := []T{}
	for _, m := range objects(result) {
		views = append(views, view(m))
	}
	return views
}

// recordView is what the client keeps of a DNS record.
type recordView struct {
	ID, Name, Type, Content string
	Proxied                 bool
	TTL                     int
	Comment, Tags           string
}

func readRecords(ctx context.Context, c *Client, _ corpus.API) (any, error) {
	recs, err := c.Records(ctx, testZone)
	return viewed(recs, err, func(r controller.Record) recordView {
		return recordView{ID: r.ID, Name: r.Name, Type: r.Type, Content: r.Content,
			Proxied: r.Proxied, TTL: r.TTL, Comment: r.Comment, Tags: strings.Join(r.Tags, ",")}
	})
}

func wantRecords(result any) any {
	return viewsOf(result, func(m map[string]any) recordView {
		ttl, _ := m["ttl"].(float64)
		return recordView{ID: str(m, "id"), Name: controller.NormalizeName(str(m, "name")),
			Type: str(m, "type"), Content: str(m, "content"), Proxied: flag(m, "proxied"), TTL: int(ttl),
			Comment: str(m, "comment"), Tags: strings.Join(strs(m["tags"]), ",")}
	})
}

// corpusRecord is the record the write samples create or update.
func corpusRecord(id string) *controller.Record {
	return &controller.Record{ID: id, ZoneID: testZone.ID, Name: "www.example.com", Type: "A", Content: "192.0.2.1", TTL: 1}
}

// readSingleCreate creates a record with a single POST (the batch endpoint
// being switched off, as after it answered as missing).
func readSingleCreate(ctx context.Context, c *Client, _ corpus.API) (any, error) {
	c.noBatch.turnOff()
	rec := corpusRecord("")
	return nil, c.Apply(ctx, testZone, []controller.Change{{Action: controller.ActionCreate, Zone: testZone,
		Name: rec.Name, Type: rec.Type, After: rec}})
}

// readSingleUpdate updates a record with a single PATCH.
func readSingleUpdate(ctx context.Context, c *Client, _ corpus.API) (any, error) {
	c.noBatch.turnOff()
	before, after := corpusRecord(corpusRecordID), corpusRecord(corpusRecordID)
	after.Content = "192.0.2.2"
	return nil, c.Apply(ctx, testZone, []controller.Change{{Action: controller.ActionUpdate, Zone: testZone,
		Name: after.Name, Type: after.Type, Before: before, After: after}})
}

func readBatchCreate(ctx context.Context, c *Client, _ corpus.API) (any, error) {
	rec := corpusRecord("")
	return nil, c.Apply(ctx, testZone, []controller.Change{{Action: controller.ActionCreate, Zone: testZone,
		Name: rec.Name, Type: rec.Type, After: rec}})
}

// zoneView is what the client keeps of a zone.
type zoneView struct{ ID, Name string }

func readZones(ctx context.Context, c *Client, _ corpus.API) (any, error) {
	zones, err := c.Zones(ctx)
	return viewed(zones, err, func(z controller.Zone) zoneView { return zoneView{ID: z.ID, Name: z.Name} })
}

func wantZones(result any) any { return viewsOf(result, viewZone) }

// readRawZone decodes a zone answer as the client decodes zones.
func readRawZone(ctx context.Context, c *Client, s corpus.API) (any, error) {
	r, err := c.call(ctx, s.Request.Method, zonesPath(s), nil)
	if err != nil {
		return nil, err
	}
	var z cf.Zone
	if err := decode(r.Result, &z); err != nil {
		return nil, err
	}
	zone, err := zoneOf(z)
	return zoneView{ID: zone.ID, Name: zone.Name}, err
}

func wantZone(result any) any {
	m, _ := result.(map[string]any)
	return viewZone(m)
}

// viewZone is the view of a generically decoded zone.
func viewZone(m map[string]any) zoneView {
	return zoneView{ID: str(m, "id"), Name: controller.NormalizeName(str(m, "name"))}
}

// zonesPath is the concrete path of a zone route (no identifier but the
// test zone's).
func zonesPath(s corpus.API) string {
	return strings.ReplaceAll(s.Request.Path, "{zone_id}", testZone.ID)
}

// readVerify returns the token's status when Verify accepts it.
func readVerify(ctx context.Context, c *Client, _ corpus.API) (any, error) {
	if err := c.Verify(ctx); err != nil {
		return nil, err
	}
	return tokenActive, nil
}

// wantStatus is the result's status (a token's, an operation's).
func wantStatus(result any) any {
	m, _ := result.(map[string]any)
	return str(m, "status")
}

// rulesetView is what the client keeps of a ruleset.
type rulesetView struct {
	ID    string
	Rules []ruleView
}

// ruleView is what the client keeps of a rule; Skip renders a skip rule's
// parameters ("" for other actions).
type ruleView struct {
	ID, Ref, Description, Expression, Action string
	Enabled, Logging                         bool
	Skip                                     string
}

func viewRuleset(rs controller.Ruleset) rulesetView {
	v := rulesetView{ID: rs.ID}
	for _, r := range rs.Rules {
		skip := ""
		if r.Skip != nil {
			skip = skipText(r.Skip.Ruleset, r.Skip.Phases, r.Skip.Products)
		}
		v.Rules = append(v.Rules, ruleView{ID: r.ID, Ref: r.Ref, Description: r.Description, Expression: r.Expression,
			Action: r.Action, Enabled: r.Enabled, Logging: r.Logging, Skip: skip})
	}
	return v
}

func skipText(ruleset string, phases, products []string) string {
	return fmt.Sprintf("ruleset=%s phases=%s products=%s", ruleset, strings.Join(phases, ","), strings.Join(products, ","))
}

func readEntrypoint(ctx context.Context, c *Client, _ corpus.API) (any, error) {
	rs, err := c.Entrypoint(ctx, testZone)
	return viewRuleset(rs), err
}

// readRawRuleset decodes a ruleset answer with the client's decoder.
func readRawRuleset(ctx context.Context, c *Client, s corpus.API) (any, error) {
	r, err := c.call(ctx, s.Request.Method, rulesPathOf(s), nil)
	if err != nil {
		return nil, err
	}
	rs, err := decodeRuleset(r.Result)
	return viewRuleset(rs), err
}

func rulesPathOf(s corpus.API) string {
	return strings.NewReplacer("{zone_id}", testZone.ID, "{ruleset_id}", testRulesetID).Replace(s.Request.Path)
}

// wantRuleset reads a ruleset as the API defines it: enabled defaults to
// true, only skip rules have skip parameters.
func wantRuleset(result any) any {
	m, _ := result.(map[string]any)
	v := rulesetView{ID: str(m, "id")}
	for _, r := range objects(m["rules"]) {
		enabled, set := r["enabled"].(bool)
		logging, _ := r["logging"].(map[string]any)
		skip := ""
		if str(r, "action") == actionSkip {
			p, _ := r["action_parameters"].(map[string]any)
			skip = skipText(str(p, "ruleset"), strs(p["phases"]), strs(p["products"]))
		}
		v.Rules = append(v.Rules, ruleView{ID: str(r, "id"), Ref: str(r, "ref"), Description: str(r, "description"),
			Expression: str(r, "expression"), Action: str(r, "action"), Enabled: enabled || !set,
			Logging: flag(logging, "enabled"), Skip: skip})
	}
	return v
}

func readRuleCreate(ctx context.Context, c *Client, _ corpus.API) (any, error) {
	return nil, c.ApplyRules(ctx, testZone, []controller.RuleChange{ruleChange(controller.ActionCreate, skipRule("corpus"), nil)})
}

func readSecurityLevel(ctx context.Context, c *Client, _ corpus.API) (any, error) {
	return c.SecurityLevel(ctx, testZone)
}

// readRawSetting reads a zone setting as the client reads one, for the
// setting the sample answers.
func readRawSetting(ctx context.Context, c *Client, s corpus.API) (any, error) {
	var env struct {
		Result struct {
			ID string `json:"id"`
		} `json:"result"`
	}
	_ = json.Unmarshal([]byte(s.Response.Body), &env)
	return c.settingValue(ctx, testZone.ID, env.Result.ID)
}

// wantValue is a setting's value.
func wantValue(result any) any {
	m, _ := result.(map[string]any)
	return str(m, "value")
}

func readAccessRules(ctx context.Context, c *Client, _ corpus.API) (any, error) {
	return orEmpty(c.AccessRules(ctx, testZone))
}

func wantAccessRules(result any) any {
	return viewsOf(result, func(m map[string]any) controller.AccessRule {
		conf, _ := m["configuration"].(map[string]any)
		return controller.AccessRule{ID: str(m, "id"), Mode: str(m, "mode"),
			Target: str(conf, "target"), Value: str(conf, "value"), Notes: str(m, "notes")}
	})
}

func readAccessCreate(ctx context.Context, c *Client, _ corpus.API) (any, error) {
	ch := controller.AccessRuleChange{Action: controller.ActionCreate, Zone: testZone,
		Rule: controller.AccessRule{Mode: "whitelist", Target: "ip", Value: "198.51.100.1", Notes: "corpus"}}
	return nil, c.ApplyAccessRules(ctx, testZone, []controller.AccessRuleChange{ch})
}

// readLists looks every list of the sample up by name, as IPList does, and
// returns the id found for each name of an ip list.
func readLists(ctx context.Context, c *Client, s corpus.API) (any, error) {
	found := map[string]string{}
	for _, m := range objects(sampleResultOf(s)) {
		id, err := c.findList(ctx, testAccount, str(m, "name"))
		switch {
		case err != nil && str(m, "kind") != listKindIP && errors.Is(err, errInvalid):
		case err != nil:
			return nil, err
		default:
			found[str(m, "name")] = id
		}
	}
	return found, nil
}

func wantLists(result any) any {
	found := map[string]string{}
	for _, m := range objects(result) {
		if str(m, "kind") == listKindIP {
			found[str(m, "name")] = str(m, "id")
		}
	}
	return found
}

// sampleResultOf decodes a sample's result without a test to fail (the
// body was checked to be JSON before any read).
func sampleResultOf(s corpus.API) any {
	var env struct {
		Result any `json:"result"`
	}
	_ = json.Unmarshal([]byte(s.Response.Body), &env)
	return env.Result
}

func readListItems(ctx context.Context, c *Client, _ corpus.API) (any, error) {
	return orEmpty(c.listItems(ctx, testAccount, corpusListID))
}

func wantListItems(result any) any {
	return viewsOf(result, func(m map[string]any) controller.ListItem {
		return controller.ListItem{ID: str(m, "id"), IP: str(m, "ip"), Comment: str(m, "comment")}
	})
}

// readBulkStart starts an item addition and returns its operation id. A
// refused addition is read through ApplyIPList, which it ends before any
// poll (400-10035-list-item-ipv6-cidr: the items body refused at once).
func readBulkStart(ctx context.Context, c *Client, s corpus.API) (any, error) {
	list := controller.IPList{AccountID: testAccount, ID: corpusListID, Name: "corpus"}
	item := controller.ListItem{IP: "192.0.2.1"}
	if s.Expect.Decode == "error" {
		return nil, c.ApplyIPList(ctx, list, []controller.ListItemChange{{Action: controller.ActionCreate, List: list, Item: item}})
	}
	return c.addItems(ctx, list, []controller.ListItem{item})
}

func wantOperationID(result any) any {
	m, _ := result.(map[string]any)
	return str(m, "operation_id")
}

// readBulkStatus returns an operation's status; a failed operation, which
// the client reports as an errFailed error, counts as "failed" when that
// error carries the operation's own error text.
func readBulkStatus(ctx context.Context, c *Client, s corpus.API) (any, error) {
	status, err := c.bulkStatus(ctx, testAccount, corpusOperationID)
	m, _ := sampleResultOf(s).(map[string]any)
	if errors.Is(err, errFailed) && strings.Contains(err.Error(), str(m, "error")) {
		return bulkFailed, nil
	}
	return status, err
}
