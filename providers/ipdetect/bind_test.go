package ipdetect

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/miekg/dns"
)

func TestNewChecksBind(t *testing.T) {
	v4 := FamilyConfig{Enabled: true, Sources: []string{"static:203.0.113.7"}, Quorum: 1}
	v6 := FamilyConfig{Enabled: true, Sources: []string{"static:2001:db8::7"}, Quorum: 1}
	at := func(a string) Bind { return Bind{Address: netip.MustParseAddr(a)} }
	tests := []struct {
		name string
		give Config
		want string // "" means valid
	}{
		{"no bind", Config{V4: v4, V6: v6}, ""},
		{"ipv4 address", Config{V4: v4, Bind: at("192.0.2.1")}, ""},
		{"ipv6 address", Config{V6: v6, Bind: at("2001:db8::1")}, ""},
		{"link-local ipv6 address with zone", Config{V6: v6, Bind: at("fe80::1%lte0")}, ""},
		{"nothing enabled", Config{Bind: at("192.0.2.1")}, ""},
		{"ipv4 address, ipv6 enabled", Config{V4: v4, V6: v6, Bind: at("192.0.2.1")},
			"bind.address: 192.0.2.1 is IPv4, ipv6 sources cannot go out through it"},
		{"ipv6 address, ipv4 enabled", Config{V4: v4, V6: v6, Bind: at("2001:db8::1")},
			"bind.address: 2001:db8::1 is IPv6, ipv4 sources cannot go out through it"},
		{"ipv4-mapped", Config{V4: v4, Bind: at("::ffff:192.0.2.1")},
			"bind.address: ::ffff:192.0.2.1 is an IPv4-mapped IPv6 address"},
		{"unspecified", Config{V4: v4, Bind: at("0.0.0.0")}, "bind.address: 0.0.0.0 is the unspecified address"},
		{"multicast", Config{V6: v6, Bind: at("ff02::1")}, "bind.address: ff02::1 is a multicast address"},
		{"both set", Config{V4: v4, Bind: Bind{Interface: "lte0", Address: netip.MustParseAddr("192.0.2.1")}},
			`bind: set interface ("lte0") or address (192.0.2.1), not both`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := New(tt.give)
			wantBuilt(t, d, err, tt.want)
		})
	}
}

func TestNewChecksBindInterface(t *testing.T) {
	v4 := FamilyConfig{Enabled: true, Sources: []string{"static:203.0.113.7"}, Quorum: 1}
	tests := []struct{ give, want string }{
		{"lte0", ""},
		{"wwan0.100", ""},
		{"fifteen-bytes-0", ""},
		{"sixteen-bytes-00", `bind.interface: "sixteen-bytes-00" is longer than 15 bytes`},
		{"eth0:1", `bind.interface: "eth0:1" is not a valid interface name`},
		{"a/b", `bind.interface: "a/b" is not a valid interface name`},
		{"lte 0", `bind.interface: "lte 0" is not a valid interface name`},
		{"..", `bind.interface: ".." is not a valid interface name`},
	}
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			if runtime.GOOS != "linux" {
				tt.want = "bind.interface: binding to an interface needs Linux"
			}
			d, err := New(Config{V4: v4, Bind: Bind{Interface: tt.give}})
			wantBuilt(t, d, err, tt.want)
		})
	}
}

// TestBindInterfaceIsApplied shows that every network source binds its
// socket to the interface: through lo it reaches a loopback server, and
// an interface that does not exist fails the lookup. That the bind picks
// the way out is TestBindInterfaceChoosesUplink's.
func TestBindInterfaceIsApplied(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("binding to an interface needs Linux")
	}
	lo := loopbackName(t)
	web := "url:" + newServer(t, http.HandlerFunc(remoteEcho)).URL
	pc := listenUDP(t, "udp4")
	serveDNS(t, &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(echoClient)})
	sources := privateV4(web, "dns:"+pc.LocalAddr().String())

	wantKnown(t, detectIPv4(t, Config{V4: sources, Bind: Bind{Interface: lo}}), "127.0.0.1")

	r := detectIPv4(t, Config{V4: sources, Bind: Bind{Interface: "fwnosuch0"}})
	for i, a := range r.Answers {
		if !strings.Contains(a.Err, "binding to interface fwnosuch0: no such device") || a.Addr.IsValid() {
			t.Errorf("answer %d = %+v, want a failure to bind to fwnosuch0", i, a)
		}
	}
}

// remoteEcho answers every request with the address it came from, as an
// address-echo service does.
func remoteEcho(w http.ResponseWriter, r *http.Request) {
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	_, _ = w.Write([]byte(host))
}

// needSourceAddr skips t unless connections can come from addr here:
// Linux routes all of 127.0.0.0/8 to lo, other systems may have only
// 127.0.0.1.
func needSourceAddr(t *testing.T, addr string) {
	t.Helper()
	pc, err := net.ListenPacket("udp4", net.JoinHostPort(addr, "0"))
	if err != nil {
		t.Skipf("%s is not an address of this host: %v", addr, err)
	}
	_ = pc.Close()
}

// detectIPv4 runs a detector of cfg (built with opts) and returns its
// ipv4 result.
func detectIPv4(t *testing.T, cfg Config, opts ...Option) controller.FamilyResult {
	t.Helper()
	d, err := New(cfg, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return d.Detect(context.Background()).V4
}

// privateV4 is an enabled ipv4 config of sources that may answer with a
// loopback address.
func privateV4(sources ...string) FamilyConfig {
	return FamilyConfig{Enabled: true, Sources: sources, Quorum: len(sources), AllowPrivate: true}
}

func TestBindAddressHTTP(t *testing.T) {
	needSourceAddr(t, "127.0.0.2")
	src := "url:" + newServer(t, http.HandlerFunc(remoteEcho)).URL
	unbound := WithHTTPTransport(func(f controller.Family) http.RoundTripper { return familyTransport(f, Bind{}) })
	tests := []struct {
		name string
		bind string // "" means none
		opts []Option
		want string
	}{
		{"unbound", "", nil, "127.0.0.1"},
		{"bound to 127.0.0.2", "127.0.0.2", nil, "127.0.0.2"},
		{"bound to 127.0.0.1", "127.0.0.1", nil, "127.0.0.1"},
		{"WithHTTPTransport bypasses the bind", "127.0.0.2", []Option{unbound}, "127.0.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Config{V4: privateV4(src)}
			if tt.bind != "" {
				cfg.Bind.Address = netip.MustParseAddr(tt.bind)
			}
			wantKnown(t, detectIPv4(t, cfg, tt.opts...), tt.want)
		})
	}
}

func TestBindAddressDNS(t *testing.T) {
	needSourceAddr(t, "127.0.0.2")
	udp := listenUDP(t, "udp4")
	serveDNS(t, &dns.Server{PacketConn: udp, Handler: dns.HandlerFunc(echoClient)})
	var truncated atomic.Int32
	tcp := serveTruncatedUDP(t, &truncated, echoClient)
	for _, tt := range []struct{ name, server string }{
		{"udp", udp.LocalAddr().String()},
		{"tcp after a truncated udp answer", tcp},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, from := range []string{"127.0.0.2", "127.0.0.1"} {
				cfg := Config{V4: privateV4("dns:" + tt.server), Bind: Bind{Address: netip.MustParseAddr(from)}}
				wantKnown(t, detectIPv4(t, cfg), from)
			}
		})
	}
	if truncated.Load() != 2 {
		t.Fatalf("%d truncated udp answers, want 2 (one per bound lookup)", truncated.Load())
	}
}

// TestBindAddressNotHere shows that a source address the host does not
// have fails every network source, and only them.
func TestBindAddressNotHere(t *testing.T) {
	web := "url:" + newServer(t, http.HandlerFunc(remoteEcho)).URL
	pc := listenUDP(t, "udp4")
	serveDNS(t, &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(echoClient)})
	cfg := Config{V4: privateV4(web, "dns:"+pc.LocalAddr().String(), "static:203.0.113.7"),
		Bind: Bind{Address: netip.MustParseAddr("192.0.2.99")}}
	r := detectIPv4(t, cfg)
	wantUnknown(t, r, "1 of 3 sources answered")
	for i, a := range r.Answers[:2] {
		if !strings.Contains(a.Err, "assign requested address") || a.Addr.IsValid() {
			t.Errorf("answer %d = %+v, want a failure to use 192.0.2.99", i, a)
		}
	}
	if r.Answers[2].Err != "" {
		t.Errorf("static source failed: %+v", r.Answers[2])
	}
}
