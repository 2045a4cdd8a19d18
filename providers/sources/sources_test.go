package sources

import (
	"context"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/controller/waf"
	"github.com/flarewarden/flarewarden/providers/sources/dnstest"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in         string
		allowBroad bool
		kind       Kind
		wantErr    string
	}{
		{in: "203.0.113.7", kind: KindPrefix},
		{in: "2001:db8::7", kind: KindPrefix},
		{in: "198.51.100.0/28", kind: KindPrefix},
		{in: "10.0.0.0/16", kind: KindPrefix},
		{in: "10.0.0.0/8", wantErr: "broader than /16"},
		{in: "10.0.0.0/8", allowBroad: true, kind: KindPrefix},
		{in: "2001:db8::/16", wantErr: "broader than /32"},
		{in: "0.0.0.0/0", allowBroad: true, wantErr: "never allowed"},
		{in: "::/0", allowBroad: true, wantErr: "never allowed"},
		{in: "scripts.example.net", kind: KindHost},
		{in: "Scripts.Example.NET.", kind: KindHost},
		{in: "self", kind: KindSelf},
		{in: "203.0.113.999", wantErr: "not a valid address"},
		{in: "not a host", wantErr: "is not an address"},
		{in: "", wantErr: "empty"},
	}
	for _, tt := range tests {
		s, err := Parse(tt.in, tt.allowBroad)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Parse(%q) err = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || s.Kind != tt.kind {
			t.Errorf("Parse(%q) = %+v, %v; want kind %d", tt.in, s, err, tt.kind)
		}
	}
}

func specs(t *testing.T, raws ...string) []Spec {
	t.Helper()
	var out []Spec
	for _, r := range raws {
		s, err := Parse(r, false)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

func exprOf(s controller.SourceSet) string { return waf.SkipExpression(s.Prefixes) }

var noDetection = controller.SourceInput{Detection: controller.Detection{V4: controller.FamilyResult{State: controller.StateDisabled}, V6: controller.FamilyResult{State: controller.StateDisabled}}}

func TestResolveHostnameFollowsDNSAndKeepsLastKnown(t *testing.T) {
	ds := dnstest.New(t)
	ds.Set("scripts.example.net", "203.0.113.10", "2001:db8::10")
	r := New(Options{Server: ds.Addr, Timeout: 2 * time.Second})
	ctx := context.Background()
	sp := specs(t, "198.51.100.0/28", "scripts.example.net")

	got := r.Resolve(ctx, sp, noDetection, 0)
	if got.Unknown != "" || exprOf(got) != "(ip.src in {198.51.100.0/28 203.0.113.10 2001:db8::10})" {
		t.Fatalf("first resolve = %s unknown=%q", exprOf(got), got.Unknown)
	}
	ds.Set("scripts.example.net", "203.0.113.11")
	if got = r.Resolve(ctx, sp, noDetection, 0); exprOf(got) != "(ip.src in {198.51.100.0/28 203.0.113.11})" {
		t.Fatalf("after DNS change = %s", exprOf(got))
	}
	ds.Set("scripts.example.net") // SERVFAIL from now on
	got = r.Resolve(ctx, sp, noDetection, 0)
	if got.Unknown != "" || exprOf(got) != "(ip.src in {198.51.100.0/28 203.0.113.11})" || !got.Sources[1].Stale ||
		!strings.HasPrefix(got.Sources[1].Err, "resolve scripts.example.net: ") {
		t.Fatalf("failing host = %s unknown=%q sources=%+v, want the last known address", exprOf(got), got.Unknown, got.Sources)
	}
}

func TestResolveNeverResolvedHostIsUnknown(t *testing.T) {
	ds := dnstest.New(t)
	r := New(Options{Server: ds.Addr, Timeout: 2 * time.Second})
	got := r.Resolve(context.Background(), specs(t, "203.0.113.7", "gone.example.net"), noDetection, 0)
	if !strings.Contains(got.Unknown, "gone.example.net did not resolve") || got.Sources[1].Err == "" {
		t.Fatalf("set = %+v, want unknown naming the host", got)
	}
}

func TestResolveSelfAndIPv6Widening(t *testing.T) {
	ds := dnstest.New(t)
	ds.Set("v6.example.net", "2001:db8:1:2::99")
	r := New(Options{Server: ds.Addr, Timeout: 2 * time.Second})
	det := controller.Detection{
		V4: controller.FamilyResult{State: controller.StateKnown, Addr: netip.MustParseAddr("203.0.113.7")},
		V6: controller.FamilyResult{State: controller.StateKnown, Addr: netip.MustParseAddr("2001:db8:5:6::1")},
	}
	got := r.Resolve(context.Background(), specs(t, "self", "v6.example.net", "2001:db8:9::1"), controller.SourceInput{Detection: det}, 64)
	if want := "(ip.src in {203.0.113.7 2001:db8:1:2::/64 2001:db8:5:6::/64 2001:db8:9::1})"; exprOf(got) != want {
		t.Fatalf("got %s, want %s (configured addresses stay as given)", exprOf(got), want)
	}
	det.V6.State = controller.StateUnknown
	if got := r.Resolve(context.Background(), specs(t, "self"), controller.SourceInput{Detection: det}, 0); got.Unknown != "self: ipv6 address unknown" {
		t.Fatalf("unknown self = %q", got.Unknown)
	}
}

func TestListHasSelf(t *testing.T) {
	for _, tt := range []struct {
		raw  []string
		want bool
	}{
		{nil, false},
		{[]string{"203.0.113.7", "scripts.example.net"}, false},
		{[]string{" SELF "}, true},
		{[]string{"203.0.113.7", "self"}, true},
	} {
		var l List
		for _, r := range tt.raw {
			sp, err := Parse(r, false)
			if err != nil {
				t.Fatal(err)
			}
			l.Specs = append(l.Specs, sp)
		}
		if got := l.HasSelf(); got != tt.want {
			t.Errorf("HasSelf(%q) = %v, want %v", tt.raw, got, tt.want)
		}
	}
}

// self_prefix is the delegated IPv6 prefix of the detected address; a
// family that is unknown or not detected makes it unknown.
func TestResolveSelfPrefix(t *testing.T) {
	r := New(Options{DelegatedPrefix: 56})
	det := controller.Detection{
		V4: controller.FamilyResult{State: controller.StateKnown, Addr: netip.MustParseAddr("203.0.113.7")},
		V6: controller.FamilyResult{State: controller.StateKnown, Addr: netip.MustParseAddr("2001:db8:1234:5678::7")},
	}
	if got := r.Resolve(context.Background(), specs(t, " SELF_PREFIX "), controller.SourceInput{Detection: det}, 0); exprOf(got) != "(ip.src in {2001:db8:1234:5600::/56})" {
		t.Fatalf("self_prefix = %s (%q)", exprOf(got), got.Unknown)
	}
	for state, want := range map[controller.AddressState]string{
		controller.StateUnknown:  "self_prefix: ipv6 address unknown",
		controller.StateDisabled: "self_prefix: ipv6 is not detected (detect.ipv6)",
	} {
		det.V6.State = state
		if got := r.Resolve(context.Background(), specs(t, "self_prefix"), controller.SourceInput{Detection: det}, 0); got.Unknown != want {
			t.Errorf("%s ipv6: unknown = %q, want %q", state, got.Unknown, want)
		}
	}
}

// host:NAME is the addresses the plan gives a managed name; a name whose
// addresses are not all known, or that is not managed, makes it unknown.
func TestResolveManagedName(t *testing.T) {
	r := New(Options{})
	in := controller.SourceInput{Names: map[string]controller.NameAddrs{
		"nas.example.com": {Addrs: []netip.Addr{netip.MustParseAddr("203.0.113.7"), netip.MustParseAddr("2001:db8:1:2:aa:bbcc:ddee:ff01")}},
		"cam.example.com": {Addrs: []netip.Addr{netip.MustParseAddr("203.0.113.7")}, Unknown: "ipv6 address unknown"},
	}}
	got := r.Resolve(context.Background(), specs(t, "HOST:nas.example.com."), in, 64)
	if want := "(ip.src in {203.0.113.7 2001:db8:1:2::/64})"; exprOf(got) != want || got.Unknown != "" {
		t.Fatalf("host:nas = %s (%q), want %s", exprOf(got), got.Unknown, want)
	}
	for name, want := range map[string]string{
		"cam.example.com":   "host:cam.example.com: ipv6 address unknown",
		"other.example.com": "host:other.example.com: other.example.com is not a managed name in this pass",
	} {
		if got := r.Resolve(context.Background(), specs(t, "host:"+name), in, 0); got.Unknown != want {
			t.Errorf("host:%s unknown = %q, want %q", name, got.Unknown, want)
		}
	}
	if _, err := Parse("host:not a name", false); err == nil {
		t.Error(`Parse("host:not a name") succeeded`)
	}
}

// With uplinks, self is every uplink's known address: one uplink whose
// detection fails (a dead line) drops out; no uplink known is unknown.
func TestResolveSelfOfUplinks(t *testing.T) {
	r := New(Options{})
	known := func(a string) controller.FamilyResult {
		return controller.FamilyResult{State: controller.StateKnown, Addr: netip.MustParseAddr(a)}
	}
	unknown, off := controller.FamilyResult{State: controller.StateUnknown}, controller.FamilyResult{State: controller.StateDisabled}
	det := controller.Detection{Uplinks: []controller.UplinkDetection{
		{Name: "fiber", V4: known("198.51.100.7"), V6: off},
		{Name: "lte", V4: known("203.0.113.9"), V6: off},
	}}
	in := controller.SourceInput{Detection: det}
	if got := r.Resolve(context.Background(), specs(t, "self"), in, 0); exprOf(got) != "(ip.src in {198.51.100.7 203.0.113.9})" {
		t.Fatalf("self of two uplinks = %s (%q)", exprOf(got), got.Unknown)
	}
	det.Uplinks[0].V4 = unknown
	in.Detection = det
	if got := r.Resolve(context.Background(), specs(t, "self"), in, 0); exprOf(got) != "(ip.src in {203.0.113.9})" {
		t.Fatalf("self with fiber unknown = %s (%q)", exprOf(got), got.Unknown)
	}
	det.Uplinks[1].V4 = unknown
	in.Detection = det
	if got := r.Resolve(context.Background(), specs(t, "self"), in, 0); got.Unknown != "self: ipv4 address unknown" {
		t.Fatalf("self with every uplink unknown = %q", got.Unknown)
	}
}
