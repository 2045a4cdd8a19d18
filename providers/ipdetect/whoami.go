package ipdetect

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/miekg/dns"
)

// whoamiName is the name Cloudflare's resolvers answer, in class CHAOS,
// with a TXT record holding the address the query came from.
const whoamiName = "whoami.cloudflare."

// whoamiQuery builds the TXT/CHAOS query for whoamiName with message ID id.
func whoamiQuery(id uint16) *dns.Msg {
	m := new(dns.Msg)
	m.SetQuestion(whoamiName, dns.TypeTXT)
	m.Question[0].Qclass = dns.ClassCHAOS
	m.Id = id
	return m
}

// parseWhoami extracts the address from the answer resp to query q. It
// checks that resp answers q (ID, question, response bit, NOERROR) and
// holds exactly one TXT record for whoamiName, whose text is an address.
func parseWhoami(resp, q *dns.Msg) (netip.Addr, error) {
	if err := checkAnswers(resp, q); err != nil {
		return netip.Addr{}, err
	}
	var txts []*dns.TXT
	for _, rr := range resp.Answer {
		if t, ok := rr.(*dns.TXT); ok && strings.EqualFold(t.Hdr.Name, whoamiName) {
			txts = append(txts, t)
		}
	}
	switch len(txts) {
	case 0:
		return netip.Addr{}, fmt.Errorf("no TXT record for %s in the answer (the server does not support whoami)", whoamiName)
	case 1:
	default:
		return netip.Addr{}, fmt.Errorf("%d TXT records for %s in the answer, want one", len(txts), whoamiName)
	}
	text := strings.TrimSpace(strings.Join(txts[0].Txt, ""))
	addr, err := parseAddrText(text)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("TXT %q: %w", clip(text), err)
	}
	return addr, nil
}

// checkAnswers checks that resp is a successful response to q.
func checkAnswers(resp, q *dns.Msg) error {
	switch {
	case !resp.Response:
		return errors.New("DNS message is a query, not a response")
	case resp.Id != q.Id:
		return fmt.Errorf("DNS answer has ID %d, the query had %d", resp.Id, q.Id)
	case resp.Rcode != dns.RcodeSuccess:
		return fmt.Errorf("DNS answer is %s", dns.RcodeToString[resp.Rcode])
	case len(resp.Question) > 0 && !sameQuestion(resp.Question[0], q.Question[0]):
		return fmt.Errorf("DNS answer is for %s, not the query", resp.Question[0].String())
	}
	return nil
}

func sameQuestion(a, b dns.Question) bool {
	return strings.EqualFold(a.Name, b.Name) && a.Qtype == b.Qtype && a.Qclass == b.Qclass
}
