package ipdetect

import (
	"net"
	"testing"

	"github.com/miekg/dns"
)

// whoamiReply answers q as Cloudflare does: one CH TXT record holding txt
// (no record when txt is empty).
func whoamiReply(q *dns.Msg, txt ...string) *dns.Msg {
	r := new(dns.Msg)
	r.SetReply(q)
	for _, s := range txt {
		r.Answer = append(r.Answer, &dns.TXT{
			Hdr: dns.RR_Header{Name: whoamiName, Rrtype: dns.TypeTXT, Class: dns.ClassCHAOS},
			Txt: []string{s},
		})
	}
	return r
}

// isWhoamiQuery reports whether m asks TXT whoami.cloudflare. in CHAOS.
func isWhoamiQuery(m *dns.Msg) bool {
	return len(m.Question) == 1 && m.Question[0].Name == whoamiName &&
		m.Question[0].Qtype == dns.TypeTXT && m.Question[0].Qclass == dns.ClassCHAOS && !m.Response
}

func TestParseWhoami(t *testing.T) {
	q := whoamiQuery(42)
	tests := []struct {
		name string
		resp func() *dns.Msg
		err  string
	}{
		{"ok", func() *dns.Msg { return whoamiReply(q, "203.0.113.7") }, ""},
		{"no TXT", func() *dns.Msg { return whoamiReply(q) }, "no TXT record"},
		{"two TXT", func() *dns.Msg { return whoamiReply(q, "203.0.113.7", "203.0.113.8") }, "2 TXT records"},
		{"not an address", func() *dns.Msg { return whoamiReply(q, "hello") }, `TXT "hello": not an IP address`},
		{"rcode", func() *dns.Msg { r := whoamiReply(q); r.Rcode = dns.RcodeRefused; return r }, "DNS answer is REFUSED"},
		{"id", func() *dns.Msg { r := whoamiReply(q, "203.0.113.7"); r.Id = 7; return r }, "ID 7"},
		{"query", func() *dns.Msg { r := whoamiReply(q, "203.0.113.7"); r.Response = false; return r }, "not a response"},
		{"other question", func() *dns.Msg {
			r := whoamiReply(q, "203.0.113.7")
			r.Question[0].Qclass = dns.ClassINET
			return r
		}, "not the query"},
		{"other name", func() *dns.Msg {
			r := whoamiReply(q)
			r.Answer = append(r.Answer, &dns.A{Hdr: dns.RR_Header{Name: "x.", Rrtype: dns.TypeA, Class: dns.ClassINET}, A: net.IPv4(203, 0, 113, 7)})
			return r
		}, "no TXT record"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseWhoami(tt.resp(), q)
			wantErr(t, err, tt.err)
			if tt.err == "" && got.String() != "203.0.113.7" {
				t.Fatalf("got %v", got)
			}
		})
	}
}
