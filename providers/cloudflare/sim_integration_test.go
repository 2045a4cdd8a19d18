package cloudflare

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/providers/cloudflare/sim"
)

// simEnv is a client in front of the simulator with one zone, example.com,
// whose home.example.com is a CNAME to a third-party DDNS name.
type simEnv struct {
	t    *testing.T
	s    *sim.Server
	c    *Client
	zone controller.Zone
	logs *observer.ObservedLogs
}

func newSimEnv(t *testing.T, tokenOpts sim.TokenOptions, simOpts ...sim.Option) *simEnv {
	t.Helper()
	s := sim.New(simOpts...)
	s.AddToken(testToken, tokenOpts)
	z := s.AddZone("example.com")
	if _, err := s.AddRecord("example.com", sim.Record{Name: "home", Type: "CNAME", Content: "myhome.duckdns.org", Tags: []string{"keep:me"}}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	core, logs := observer.New(zap.DebugLevel)
	c, err := New(Options{Token: testToken, BaseURL: srv.URL + "/client/v4", RateLimit: 1000,
		BackoffBase: time.Millisecond, Logger: zap.New(core)})
	if err != nil {
		t.Fatal(err)
	}
	e := &simEnv{t: t, s: s, c: c, zone: controller.Zone{ID: z.ID, Name: z.Name, Status: z.Status}, logs: logs}
	t.Cleanup(e.checkLogs)
	return e
}

func (e *simEnv) checkLogs() {
	for _, x := range e.logs.All() {
		if line := fmt.Sprintf("%s %v", x.Message, x.ContextMap()); strings.Contains(line, testToken) {
			e.t.Errorf("log line contains the token: %s", line)
		}
	}
}

// takeover is the plan that replaces the CNAME at home.example.com with an A.
func (e *simEnv) takeover() []controller.Change {
	e.t.Helper()
	recs, err := e.c.Records(context.Background(), e.zone)
	if err != nil || len(recs) != 1 {
		e.t.Fatalf("Records = %v, %v; want the CNAME", recs, err)
	}
	cname := recs[0]
	a := controller.Record{Name: "home.example.com", Type: "A", Content: "203.0.113.7", TTL: 1, Comment: "managed-by=flarewarden"}
	return []controller.Change{
		{Action: controller.ActionDelete, Zone: e.zone, Name: cname.Name, Type: "CNAME", Before: &cname},
		{Action: controller.ActionCreate, Zone: e.zone, Name: a.Name, Type: "A", After: &a},
	}
}

// state renders the zone's records as "name type content".
func (e *simEnv) state() []string {
	var out []string
	for _, r := range e.s.Records("example.com") {
		out = append(out, r.Name+" "+r.Type+" "+r.Content)
	}
	return out
}

// writes renders the writes the simulator received.
func (e *simEnv) writes() []string { return simRequests(e.s.Writes()) }

// simRequests renders requests as "METHOD path", the path without the API
// prefix.
func simRequests(reqs []sim.Request) []string {
	var out []string
	for _, r := range reqs {
		out = append(out, r.Method+" "+strings.TrimPrefix(r.Path, "/client/v4"))
	}
	return out
}

// wantLines fails the test when got is not want; what names the lines.
func (e *simEnv) wantLines(what string, got []string, want ...string) {
	e.t.Helper()
	if !reflect.DeepEqual(got, want) {
		e.t.Errorf("%s %v, want %v", what, got, want)
	}
}

// wantLogged fails the test unless msg was logged n times.
func (e *simEnv) wantLogged(msg string, n int) {
	e.t.Helper()
	if got := e.logs.FilterMessage(msg).Len(); got != n {
		e.t.Errorf("%d log entries %q, want %d", got, msg, n)
	}
}

func TestSimTakeoverIsOneBatch(t *testing.T) {
	t.Parallel()
	e := newSimEnv(t, sim.TokenOptions{})
	ctx := context.Background()
	if err := e.c.Verify(ctx); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	zones, err := e.c.Zones(ctx)
	if err != nil || !reflect.DeepEqual(zones, []controller.Zone{e.zone}) {
		t.Fatalf("Zones = %v, %v", zones, err)
	}
	if err := e.c.Apply(ctx, e.zone, e.takeover()); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	e.wantLines("writes", e.writes(), "POST /zones/"+e.zone.ID+"/dns_records/batch")
	e.wantLines("records", e.state(), "home.example.com A 203.0.113.7")
}

// A gateway in front of the API that does not serve /user/tokens/verify
// (404) does not stop flarewarden: the zone listing checks the token.
func TestSimVerifyWithoutVerifyEndpoint(t *testing.T) {
	t.Parallel()
	e := newSimEnv(t, sim.TokenOptions{})
	e.s.Inject(sim.Fault{Method: http.MethodGet, Path: `/user/tokens/verify$`, Status: http.StatusNotFound})
	ctx := context.Background()
	if err := e.c.Verify(ctx); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if zones, err := e.c.Zones(ctx); err != nil || len(zones) != 1 {
		t.Fatalf("Zones = %v, %v", zones, err)
	}
	// One zone listing: Zones answers with the one Verify made and cached.
	e.wantLines("requests", simRequests(e.s.Requests()), "GET /user/tokens/verify", "GET /zones")
	e.wantLogged("token verify endpoint not found, checking the token with the zone listing", 1)
}

func TestSimUpdateKeepsTags(t *testing.T) {
	t.Parallel()
	e := newSimEnv(t, sim.TokenOptions{})
	ctx := context.Background()
	recs, _ := e.c.Records(ctx, e.zone)
	after := recs[0]
	after.Content = "other.duckdns.org"
	ch := controller.Change{Action: controller.ActionUpdate, Zone: e.zone, Name: after.Name, Type: after.Type, Before: &recs[0], After: &after}
	if err := e.c.Apply(ctx, e.zone, []controller.Change{ch}); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	got := e.s.Records("example.com")
	if len(got) != 1 || got[0].Content != "other.duckdns.org" || !reflect.DeepEqual(got[0].Tags, []string{"keep:me"}) {
		t.Errorf("records %+v; want the CNAME updated with its tags kept", got)
	}
}

// Without the batch endpoint a takeover is held back: single calls would
// leave the name without a record between the delete and the create.
func TestSimBatchDisabledKeepsTheCNAME(t *testing.T) {
	t.Parallel()
	e := newSimEnv(t, sim.TokenOptions{}, sim.WithBatch(false))
	err := e.c.Apply(context.Background(), e.zone, e.takeover())
	var ae *APIError
	if !errors.As(err, &ae) || ae.Op != "takeover" || ae.Record != "home.example.com" || ae.Temporary() {
		t.Fatalf("Apply = %v; want a takeover error naming home.example.com, not temporary", err)
	}
	e.wantLines("writes", e.writes(), "POST /zones/"+e.zone.ID+"/dns_records/batch")
	e.wantLines("records", e.state(), "home.example.com CNAME myhome.duckdns.org")
	e.wantLogged("dns batch endpoint unavailable, using single calls", 1)
}

func TestSimChunkingRespectsBatchLimit(t *testing.T) {
	t.Parallel()
	e := newSimEnv(t, sim.TokenOptions{})
	var changes []controller.Change
	add := func(name string) {
		r := controller.Record{Name: name, Type: "A", Content: "203.0.113.7", TTL: 1}
		changes = append(changes, controller.Change{Action: controller.ActionCreate, Zone: e.zone, Name: name, Type: "A", After: &r})
	}
	for i := range 199 {
		add(fmt.Sprintf("a%03d.example.com", i))
	}
	changes = append(changes, e.takeover()...) // changes 200 and 201 share a name
	for i := range 249 {
		add(fmt.Sprintf("b%03d.example.com", i))
	}
	if err := e.c.Apply(context.Background(), e.zone, changes); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if n := len(e.s.Writes()); n != 3 {
		t.Errorf("%d batch requests, want 3", n)
	}
	if n := len(e.s.Records("example.com")); n != 449 {
		t.Errorf("%d records, want 449", n)
	}
}

func TestSimPagination(t *testing.T) {
	t.Parallel()
	e := newSimEnv(t, sim.TokenOptions{}, sim.WithMaxPerPage(2))
	for i := range 4 {
		if _, err := e.s.AddRecord("example.com", sim.Record{Name: fmt.Sprintf("h%d", i), Type: "A", Content: "192.0.2.1"}); err != nil {
			t.Fatal(err)
		}
	}
	recs, err := e.c.Records(context.Background(), e.zone)
	if err != nil || len(recs) != 5 {
		t.Fatalf("Records = %d records, %v; want 5", len(recs), err)
	}
	if n := len(e.s.Requests()); n != 3 {
		t.Errorf("%d list requests, want 3", n)
	}
}

func TestSimAuth(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("account token", func(t *testing.T) {
		t.Parallel()
		if err := newSimEnv(t, sim.TokenOptions{Account: true}).c.Verify(ctx); err != nil {
			t.Errorf("Verify: %v", err)
		}
	})
	t.Run("unknown token", func(t *testing.T) {
		t.Parallel()
		e := newSimEnv(t, sim.TokenOptions{})
		c, err := New(Options{Token: "nobody-knows-me", BaseURL: e.c.api.BaseURL, RateLimit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		err = c.Verify(ctx)
		if !IsAuth(err) || !strings.Contains(fmt.Sprint(err), "cloudflare api token rejected") || strings.Contains(fmt.Sprint(err), "nobody-knows-me") {
			t.Errorf("Verify = %v; want a token-rejected auth error without the token", err)
		}
	})
	t.Run("read-only token", func(t *testing.T) {
		t.Parallel()
		e := newSimEnv(t, sim.TokenOptions{ReadOnly: true})
		err := e.c.Apply(ctx, e.zone, e.takeover())
		if !IsAuth(err) || apiErr(t, err).Temporary() {
			t.Errorf("Apply = %v; want a permanent auth error", err)
		}
	})
	t.Run("zone outside the token", func(t *testing.T) {
		t.Parallel()
		e := newSimEnv(t, sim.TokenOptions{Zones: []string{"example.org"}})
		e.s.AddZone("example.org")
		_, err := e.c.Records(ctx, e.zone)
		if ae := apiErr(t, err); !ae.hasCode(7003) || ae.Temporary() {
			t.Errorf("Records = %v; want a permanent 7003 error", err)
		}
	})
}

func TestSimFaults(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for name, tc := range map[string]struct {
		faults   []sim.Fault
		requests int
	}{
		"429 honoured": {[]sim.Fault{{Path: `/dns_records$`, Count: 1, Status: 429, RetryAfter: 1}}, 2},
		"drop and 5xx on GET retried": {[]sim.Fault{
			{Path: `/dns_records$`, Count: 1, Drop: true},
			{Path: `/dns_records$`, Count: 1, Status: 502},
		}, 3},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newSimEnv(t, sim.TokenOptions{})
			for _, f := range tc.faults {
				e.s.Inject(f)
			}
			if _, err := e.c.Records(ctx, e.zone); err != nil {
				t.Fatalf("Records: %v", err)
			}
			if n := len(e.s.Requests()); n != tc.requests {
				t.Errorf("%d requests, want %d", n, tc.requests)
			}
		})
	}
	t.Run("malformed list", func(t *testing.T) {
		t.Parallel()
		e := newSimEnv(t, sim.TokenOptions{})
		e.s.Inject(sim.Fault{Path: `/dns_records$`, Malformed: true})
		ae := apiErr(t, errorOf(e.c.Records(ctx, e.zone)))
		if !ae.Temporary() || !strings.Contains(ae.Error(), "in zone example.com") {
			t.Errorf("Records error %v; want a temporary error naming the zone", ae)
		}
	})
	t.Run("5xx on batch not retried", func(t *testing.T) {
		t.Parallel()
		e := newSimEnv(t, sim.TokenOptions{})
		changes := e.takeover()
		e.s.Inject(sim.Fault{Method: http.MethodPost, Path: `/batch$`, Status: 503})
		ae := apiErr(t, e.c.Apply(ctx, e.zone, changes))
		if !ae.Temporary() || len(e.s.Writes()) != 1 {
			t.Errorf("Apply = %v after %d writes; want a temporary error after one", ae, len(e.s.Writes()))
		}
		e.wantLines("records", e.state(), "home.example.com CNAME myhome.duckdns.org")
	})
}
