package ipdetect

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/flarewarden/flarewarden/controller"
)

// decide returns the address given by the most answers, provided that at
// least quorum answers agree on it and no other address has as many; or,
// when there is none, a reason that names every answer. An answer counts
// when it has an address and no error.
func decide(answers []controller.SourceAnswer, quorum int) (netip.Addr, string) {
	counts := make(map[netip.Addr]int)
	answered := 0
	for _, a := range answers {
		if a.Err == "" && a.Addr.IsValid() {
			counts[a.Addr]++
			answered++
		}
	}
	if answered < quorum {
		return netip.Addr{}, fmt.Sprintf("%d of %d sources answered, quorum is %d: %s",
			answered, len(answers), quorum, describe(answers))
	}
	best, top, tied := leader(counts)
	if tied || top < quorum {
		return netip.Addr{}, "sources disagree: " + describe(answers)
	}
	return best, ""
}

// leader returns the address with the highest count, that count, and
// whether another address has the same count.
func leader(counts map[netip.Addr]int) (best netip.Addr, top int, tied bool) {
	for addr, n := range counts {
		switch {
		case n > top:
			best, top, tied = addr, n, false
		case n == top:
			tied = true
		}
	}
	return best, top, tied
}

// describe lists the answers in order: "source=addr" for an address, the
// error (which starts with the source) otherwise; Source is already the
// source's label.
func describe(answers []controller.SourceAnswer) string {
	parts := make([]string, len(answers))
	for i, a := range answers {
		switch {
		case a.Err != "":
			parts[i] = a.Err
		case a.Addr.IsValid():
			parts[i] = a.Source + "=" + a.Addr.String()
		default:
			parts[i] = a.Source + ": no answer"
		}
	}
	return strings.Join(parts, ", ")
}
