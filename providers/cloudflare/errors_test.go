package cloudflare

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	cf "github.com/cloudflare/cloudflare-go"

	"github.com/flarewarden/flarewarden/controller"
)

func TestAPIErrorText(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err  *APIError
		want string
	}{
		{&APIError{Op: "create", Zone: "example.com", Record: "home.example.com A", Status: 400, Codes: []int{81054},
			Messages: []string{"A CNAME record with that host already exists."}},
			"create home.example.com A in zone example.com: cloudflare HTTP 400 code 81054: A CNAME record with that host already exists."},
		{&APIError{Op: "list zones", Status: 403, Codes: []int{9109, 10000}, Messages: []string{"a", "", "b"}},
			"list zones: cloudflare HTTP 403 codes 9109, 10000: a; b"},
		{&APIError{Op: "list zones", Status: 429, RetryAfter: 90 * time.Second},
			"list zones: cloudflare HTTP 429 (retry after 1m30s)"},
		{&APIError{Op: "list records", Zone: "example.com", Err: errors.New("connection reset")},
			"list records in zone example.com: connection reset"},
		{&APIError{Op: "add items", Account: "acc1", Record: "203.0.113.7 to ip list flarewarden_scripts", Status: 400,
			Codes: []int{10021}, Messages: []string{"invalid list item"}},
			"add items 203.0.113.7 to ip list flarewarden_scripts in account acc1: cloudflare HTTP 400 code 10021: invalid list item"},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("Error()\n got %q\nwant %q", got, tc.want)
		}
	}
}

func TestIsAuth(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{errors.New("plain"), false},
		{&APIError{Status: 401}, true},
		{&APIError{Status: 403}, true},
		{&APIError{Status: 400, Codes: []int{1000}}, true},
		{&APIError{Status: 400, Codes: []int{10000}}, true},
		{&APIError{Status: 400, Codes: []int{9109}}, true},
		{&APIError{Status: 400, Codes: []int{6003}}, true}, // malformed token (testdata/cloudflare/api/400-6003-*)
		{&APIError{Status: 400, Codes: []int{81054}}, false},
		{&APIError{Status: 429, Codes: []int{971}}, false},
		{&APIError{Status: 503, Codes: []int{10000}}, false},
		{fmt.Errorf("pass: %w", &APIError{Status: 401}), true},
		{fmt.Errorf("sdk: %w", cf.NewAuthenticationError(&cf.Error{StatusCode: 401})), true},
	} {
		if got := IsAuth(tc.err); got != tc.want {
			t.Errorf("IsAuth(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

func TestTemporary(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err  *APIError
		want bool
	}{
		{&APIError{Status: 429}, true},
		{&APIError{Status: 500}, true},
		{&APIError{Status: 503}, true},
		{&APIError{Status: 400}, false},
		{&APIError{Status: 404}, false},
		{&APIError{Err: fmt.Errorf("%w: bad json", errMalformed)}, true},
		{&APIError{Err: &httpError{Reason: "no answer"}}, true},
		{&APIError{Err: fmt.Errorf("x: %w", context.DeadlineExceeded)}, true},
		{&APIError{Err: context.Canceled}, false},
		{&APIError{Err: fmt.Errorf("%w: delete without id", errInvalid)}, false},
		{&APIError{Err: fmt.Errorf("%w: entrypoint exists now", errChanged)}, true},
		{&APIError{Err: fmt.Errorf("%w: still running", errPending)}, true},
		{&APIError{Err: fmt.Errorf("%w: bulk operation failed", errFailed)}, false},
		{&APIError{}, false},
	} {
		if got := tc.err.Temporary(); got != tc.want {
			t.Errorf("%#v.Temporary() = %v, want %v", tc.err, got, tc.want)
		}
	}
}

// TestTokenNeverInErrorsOrLogs runs every operation against a server that
// echoes the Authorization header in its error messages, with retries, and
// checks that no error text contains the token (the harness checks logs).
func TestTokenNeverInErrorsOrLogs(t *testing.T) {
	t.Parallel()
	echo := func(status int) func(w http.ResponseWriter, r *http.Request, n int) {
		return func(w http.ResponseWriter, r *http.Request, n int) {
			w.Header().Set("Retry-After", "0")
			fail(w, status, 1000, "bad credentials: "+r.Header.Get("Authorization"))
		}
	}
	for _, status := range []int{400, 401, 403, 404, 429, 500} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, echo(status), func(o *Options) { o.MaxRetries = 1 })
			ctx := context.Background()
			list := controller.IPList{AccountID: testAccount, Name: "flarewarden_scripts"}
			existing := controller.IPList{AccountID: testAccount, ID: testListID, Name: "flarewarden_scripts"}
			errs := []error{
				h.c.Verify(ctx),
				errorOf(h.c.Zones(ctx)),
				errorOf(h.c.Records(ctx, testZone)),
				h.c.Apply(ctx, testZone, []controller.Change{create("home.example.com", "A", "203.0.113.7")}),
				errorOf(h.c.Entrypoint(ctx, testZone)),
				h.c.ApplyRules(ctx, testZone, []controller.RuleChange{{Action: controller.ActionCreate, Zone: testZone, Rule: skipRule("a")}}),
				h.c.ApplyRules(ctx, testZone, []controller.RuleChange{ruleChange(controller.ActionCreate, skipRule("a"), nil)}),
				errorOf(h.c.SecurityLevel(ctx, testZone)),
				errorOf(h.c.AccessRules(ctx, testZone)),
				h.c.ApplyAccessRules(ctx, testZone, []controller.AccessRuleChange{accessChange(controller.ActionCreate, "", "ip", "203.0.113.7")}),
				errorOf(h.c.IPList(ctx, testAccount, "flarewarden_scripts")),
				h.c.ApplyIPList(ctx, list, []controller.ListItemChange{itemChange(controller.ActionCreate, list, "", "203.0.113.7")}),
				h.c.ApplyIPList(ctx, existing, []controller.ListItemChange{itemChange(controller.ActionDelete, existing, "i1", "192.0.2.1")}),
			}
			for _, err := range errs {
				if err == nil || strings.Contains(err.Error(), testToken) {
					t.Errorf("error %v is nil or contains the token", err)
				}
				var ae *APIError
				if errors.As(err, &ae) && strings.Contains(fmt.Sprintf("%v %v %v", ae.Messages, ae.Err, ae), testToken) {
					t.Errorf("APIError fields contain the token: %#v", ae)
				}
			}
		})
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	t.Parallel()
	for name, o := range map[string]Options{
		"empty token":   {Token: "  "},
		"bad base url":  {Token: testToken, BaseURL: "ftp://example.com"},
		"no host":       {Token: testToken, BaseURL: "http://"},
		"negative rate": {Token: testToken, RateLimit: -1},
	} {
		if _, err := New(o); err == nil || strings.Contains(err.Error(), testToken) {
			t.Errorf("%s: New = %v; want an error without the token", name, err)
		}
	}
	if _, err := New(Options{Token: testToken}); err != nil {
		t.Errorf("New with defaults: %v", err)
	}
}

// A cancelled call says it was cancelled, not where the library waited
// ("error caused by request rate limiting" reads like a 429).
func TestCanceledCallSaysCanceled(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(w http.ResponseWriter, r *http.Request, n int) { ok(w, []any{}, nil) })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	e := apiErr(t, errorOf(h.c.Records(ctx, testZone)))
	if !errors.Is(e, context.Canceled) || strings.Contains(e.Error(), "rate limiting") || e.Temporary() {
		t.Fatalf("error %q (temporary %v), want a plain cancellation", e, e.Temporary())
	}
}
