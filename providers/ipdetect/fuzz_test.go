package ipdetect

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"
)

// checkReturnedAddr enforces what every parser promises about a returned
// address: valid, no zone, and its text form parses back to itself.
func checkReturnedAddr(t *testing.T, addr netip.Addr) {
	t.Helper()
	if !addr.IsValid() || addr.Zone() != "" {
		t.Fatalf("returned address %#v is invalid or zoned", addr)
	}
	if back, err := netip.ParseAddr(addr.String()); err != nil || back != addr {
		t.Fatalf("address %v does not round-trip: %v %v", addr, back, err)
	}
}

func FuzzParseTrace(f *testing.F) {
	f.Add([]byte(sampleTrace), "1.1.1.1")
	f.Add([]byte("h=[2606:4700:4700::1111]\nip=2001:db8::7\nwarp=off\n"), "[2606:4700:4700::1111]")
	f.Add([]byte("h=1.1.1.1\r\nip=203.0.113.7\r\nwarp=on\r\n"), "1.1.1.1")
	f.Add([]byte("h=127.0.0.1:8080\nip=::ffff:203.0.113.7\n"), "127.0.0.1:8080")
	f.Add([]byte("ip=fe80::1%eth0\nh=x\n"), "x")
	f.Add([]byte("<html>ip=1.2.3.4</html>"), "1.1.1.1")
	f.Add([]byte("=\n==\nip==\n"), "")
	f.Add([]byte{0xff, '\n', 'i', 'p', '=', 0x85}, "1.1.1.1")
	for _, s := range loadTraces(f) { // the real captures of testdata/cloudflare/trace
		f.Add([]byte(s.Body), s.Host)
	}
	f.Fuzz(func(t *testing.T, body []byte, host string) {
		addr, err := ParseTrace(body, host)
		if err != nil {
			if addr.IsValid() {
				t.Fatalf("error %v with address %v", err, addr)
			}
			return
		}
		checkReturnedAddr(t, addr)
		kv, ferr := traceFields(body)
		if ferr != nil {
			t.Fatalf("accepted a body traceFields rejects: %v", ferr)
		}
		if w := strings.ToLower(kv["warp"]); w == "on" || w == "plus" {
			t.Fatalf("accepted warp=%s", w)
		}
		if !sameHost(kv["h"], host) {
			t.Fatalf("accepted h=%q for host %q", kv["h"], host)
		}
		if ip, _ := netip.ParseAddr(kv["ip"]); ip != addr {
			t.Fatalf("returned %v for ip=%q", addr, kv["ip"])
		}
	})
}

func FuzzParseAddressBody(f *testing.F) {
	for _, seed := range []string{
		"203.0.113.7", "2001:db8::7\n", " \t203.0.113.7\r\n", "", "<html>203.0.113.7</html>",
		"203.0.113.7 198.51.100.9", "fe80::1%eth0", "::ffff:1.2.3.4", "1.2.3.4\x00", "\u00a0203.0.113.7\u0085",
		"1.2.3", "01.2.3.4", "2001:db8::7/64",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		addr, err := ParseAddressBody(body)
		if err != nil {
			if addr.IsValid() {
				t.Fatalf("error %v with address %v", err, addr)
			}
			if err.Error() == "" || len(err.Error()) > 200 {
				t.Fatalf("bad error message %q", err)
			}
			return
		}
		checkReturnedAddr(t, addr)
		// The whole body, whitespace aside, is that one address.
		if want, perr := netip.ParseAddr(string(bytes.TrimSpace(body))); perr != nil || want != addr {
			t.Fatalf("body %q returned %v", body, addr)
		}
	})
}
