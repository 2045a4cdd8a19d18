package ipdetect

import (
	"net/netip"
	"testing"

	"github.com/flarewarden/flarewarden/controller"
)

func TestDecide(t *testing.T) {
	a := func(src, addr string) controller.SourceAnswer {
		return controller.SourceAnswer{Source: src, Addr: netip.MustParseAddr(addr)}
	}
	e := func(src, msg string) controller.SourceAnswer {
		return controller.SourceAnswer{Source: src, Err: src + ": " + msg}
	}
	tests := []struct {
		name    string
		answers []controller.SourceAnswer
		quorum  int
		want    string // address, or "" for unknown
		reason  string
	}{
		{"all agree", []controller.SourceAnswer{a("s1", "203.0.113.7"), a("s2", "203.0.113.7")}, 2, "203.0.113.7", ""},
		{"majority", []controller.SourceAnswer{a("s1", "203.0.113.7"), a("s2", "198.51.100.9"), a("s3", "203.0.113.7")}, 2, "203.0.113.7", ""},
		{"quorum one", []controller.SourceAnswer{e("s1", "down"), a("s2", "203.0.113.7")}, 1, "203.0.113.7", ""},
		{"disagree", []controller.SourceAnswer{a("cloudflare-trace", "203.0.113.7"), a("url:https://x", "198.51.100.9")}, 2, "",
			"sources disagree: cloudflare-trace=203.0.113.7, url:https://x=198.51.100.9"},
		{"disagree with quorum one is a tie", []controller.SourceAnswer{a("s1", "203.0.113.7"), a("s2", "198.51.100.9")}, 1, "",
			"sources disagree: s1=203.0.113.7, s2=198.51.100.9"},
		{"tie above quorum", []controller.SourceAnswer{a("s1", "203.0.113.7"), a("s2", "198.51.100.9"), a("s3", "198.51.100.9"), a("s4", "203.0.113.7")}, 2, "",
			"sources disagree: s1=203.0.113.7, s2=198.51.100.9, s3=198.51.100.9, s4=203.0.113.7"},
		{"plurality below quorum", []controller.SourceAnswer{a("s1", "203.0.113.7"), a("s2", "198.51.100.9"), a("s3", "203.0.113.7")}, 3, "",
			"sources disagree: s1=203.0.113.7, s2=198.51.100.9, s3=203.0.113.7"},
		{"too few", []controller.SourceAnswer{a("s1", "203.0.113.7"), e("s2", "HTTP 503"), e("s3", "timeout")}, 2, "",
			"1 of 3 sources answered, quorum is 2: s1=203.0.113.7, s2: HTTP 503, s3: timeout"},
		{"none", []controller.SourceAnswer{e("s1", "down")}, 1, "", "0 of 1 sources answered, quorum is 1: s1: down"},
		{"error with address does not count", []controller.SourceAnswer{
			{Source: "s1", Addr: netip.MustParseAddr("203.0.113.7"), Err: "s1: rejected"}}, 1, "", "0 of 1 sources answered"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, reason := decide(tt.answers, tt.quorum)
			if tt.want == "" {
				if got.IsValid() || reason == "" {
					t.Fatalf("decide = %v, %q; want unknown", got, reason)
				}
				if len(reason) < len(tt.reason) || reason[:len(tt.reason)] != tt.reason {
					t.Fatalf("reason %q, want prefix %q", reason, tt.reason)
				}
				return
			}
			if got != netip.MustParseAddr(tt.want) || reason != "" {
				t.Fatalf("decide = %v, %q; want %s", got, reason, tt.want)
			}
		})
	}
}
