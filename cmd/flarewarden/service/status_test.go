package service

import (
	"encoding/json"
	"net/netip"
	"strings"
	"testing"

	"github.com/flarewarden/flarewarden/cmd/flarewarden/config"
	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/controller/daemon"
	"github.com/flarewarden/flarewarden/controller/redact"
)

// statusBody renders the status of v as GET /status serves it.
func statusBody(t *testing.T, v RunView) string {
	t.Helper()
	b, err := json.Marshal(buildStatus(v, v.StartedAt))
	if err != nil {
		t.Fatal(err)
	}
	return string(redact.Text(b))
}

// passView is a running daemon's view whose last pass is rep, for a
// config managing home.example.com and vpn.example.com.
func passView(t *testing.T, rep controller.Report) RunView {
	t.Helper()
	cfg, err := config.Parse([]byte("records: [{name: home.example.com}, {name: vpn.example.com}]\n"))
	if err != nil {
		t.Fatal(err)
	}
	return RunView{Cfg: cfg, Snap: &daemon.Status{LastPass: &rep}}
}

// TestStatusKeepsDetectionAnswers checks that cutting URLs to scheme and
// host keeps the "=ADDRESS" each answer puts after its source's label in a
// detection reason, and still drops every path, query and user info.
func TestStatusKeepsDetectionAnswers(t *testing.T) {
	tests := []struct {
		name, reason string
		want         []string
		never        []string
	}{
		{name: "ipv4 answers", reason: "sources disagree: url:https://ip.example=203.0.113.9, cloudflare-trace=203.0.113.7",
			want: []string{"url:https://ip.example=203.0.113.9, cloudflare-trace=203.0.113.7"}},
		{name: "ipv6 answers", reason: "sources disagree: url:https://ip6.example=2001:db8::9, url:http://v6.example=2001:db8::7",
			want: []string{"url:https://ip6.example=2001:db8::9, url:http://v6.example=2001:db8::7"}},
		{name: "label with a port", reason: "sources disagree: url:https://ip.example:8443=203.0.113.9, dns=203.0.113.7",
			want: []string{"url:https://ip.example:8443=203.0.113.9, dns=203.0.113.7"}},
		{name: "answer last", reason: "1 of 2 sources answered, quorum is 2: dns: timeout, url:https://ip.example=203.0.113.9",
			want: []string{"dns: timeout, url:https://ip.example=203.0.113.9"}},
		{name: "query that ends in an address is still cut", reason: "sources disagree: url:https://ip.example/x?k=203.0.113.9, dns=203.0.113.7",
			want: []string{"url:https://ip.example/…, dns=203.0.113.7"}, never: []string{"/x", "k="}},
		{name: "user info is still cut", reason: "sources disagree: url:https://u:pa=ss@ip.example=203.0.113.9, dns=203.0.113.7",
			want: []string{"url:https://ip.example/…=203.0.113.9, dns=203.0.113.7"}, never: []string{"pa=ss", "ss@", "u:pa"}},
		{name: "secret query is still cut", reason: `url:https://ip.example: Get "https://ip.example/x?key=s3cret": EOF`,
			want: []string{`url:https://ip.example: Get \"https://ip.example/…\": EOF`}, never: []string{"s3cret", "key"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := statusBody(t, passView(t, controller.Report{Detection: controller.Detection{
				V4: controller.FamilyResult{State: controller.StateUnknown, Quorum: 2, Reason: tt.reason},
				V6: controller.FamilyResult{State: controller.StateDisabled}}}))
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("status lacks %q:\n%s", w, body)
				}
			}
			for _, n := range tt.never {
				if strings.Contains(body, n) {
					t.Errorf("status shows %q:\n%s", n, body)
				}
			}
		})
	}
}

// TestStatusRecordStateUnknownFamily checks that a managed name whose
// family's address is unknown (no quorum) is not reported in_sync: its
// records were kept as they were, not checked against an address.
func TestStatusRecordStateUnknownFamily(t *testing.T) {
	known := controller.FamilyResult{State: controller.StateKnown, Addr: netip.MustParseAddr("203.0.113.7")}
	unknown := controller.FamilyResult{State: controller.StateUnknown, Reason: "sources disagree: dns=203.0.113.9, trace=203.0.113.7"}
	disabled := controller.FamilyResult{State: controller.StateDisabled}
	update := controller.Change{Action: controller.ActionUpdate, Name: "vpn.example.com", Type: "AAAA"}
	tests := []struct {
		name   string
		rep    controller.Report
		home   string
		reason string
	}{
		{name: "ipv4 known", rep: controller.Report{Detection: controller.Detection{V4: known, V6: disabled}}, home: "in_sync"},
		{name: "ipv4 unknown", rep: controller.Report{Detection: controller.Detection{V4: unknown, V6: disabled}},
			home: "unknown", reason: "ipv4 address unknown"},
		{name: "ipv6 unknown beside a known ipv4", rep: controller.Report{Detection: controller.Detection{V4: known, V6: unknown}},
			home: "unknown", reason: "ipv6 address unknown"},
		{name: "both unknown", rep: controller.Report{Detection: controller.Detection{V4: unknown, V6: unknown}},
			home: "unknown", reason: "ipv4, ipv6 address unknown"},
		{name: "failed zone wins", rep: controller.Report{Detection: controller.Detection{V4: unknown, V6: disabled},
			Failed: []string{"example.com"}}, home: "failed", reason: "ipv4 address unknown"},
		{name: "kept cname wins", rep: controller.Report{Detection: controller.Detection{V4: unknown, V6: disabled},
			CNAMEs: map[string]string{"home.example.com": "myhome.duckdns.org"}}, home: "cname", reason: "ipv4 address unknown"},
		{name: "a change wins", rep: controller.Report{Detection: controller.Detection{V4: unknown, V6: known},
			Plan: controller.PlanResult{Changes: []controller.Change{update}}}, home: "unknown", reason: "ipv4 address unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var doc struct {
				Records []struct{ Name, State, Reason string }
			}
			if err := json.Unmarshal([]byte(statusBody(t, passView(t, tt.rep))), &doc); err != nil {
				t.Fatal(err)
			}
			states := map[string]string{}
			for _, r := range doc.Records {
				states[r.Name] = r.State + " " + r.Reason
			}
			if got, want := states["home.example.com"], strings.TrimSpace(tt.home+" "+tt.reason); strings.TrimSpace(got) != want {
				t.Errorf("home.example.com = %q, want %q", got, want)
			}
			if len(tt.rep.Plan.Changes) > 0 && !strings.HasPrefix(states["vpn.example.com"], "changed ") {
				t.Errorf("vpn.example.com = %q, want changed", states["vpn.example.com"])
			}
		})
	}
}
