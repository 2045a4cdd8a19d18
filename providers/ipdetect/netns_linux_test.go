package ipdetect

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/miekg/dns"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// inNetnsEnv marks this test binary run again inside a network namespace
// of its own, where it may change links and routes.
const inNetnsEnv = "IPDETECT_TEST_NETNS"

// runSelfInNetns runs test of this binary again, inside a new network
// namespace (unshare from util-linux), and fails t when it fails there.
// It skips t where no namespace can be made: without unshare, or without
// root, CAP_SYS_ADMIN or unprivileged user namespaces.
func runSelfInNetns(t *testing.T, test string) {
	t.Helper()
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		t.Skip("unshare (util-linux) is not installed: cannot make a network namespace")
	}
	var why []byte
	for _, mode := range [][]string{{"--net"}, {"--user", "--map-root-user", "--net"}} {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		args := append(append(mode[:len(mode):len(mode)], "--", os.Args[0]), "-test.run=^"+test+"$", "-test.v", "-test.count=1")
		cmd := exec.CommandContext(ctx, unshare, args...)
		cmd.Env = append(os.Environ(), inNetnsEnv+"=1")
		out, err := cmd.CombinedOutput()
		cancel()
		switch {
		case err == nil && bytes.Contains(out, []byte("--- SKIP")):
			t.Skipf("skipped inside a network namespace:\n%s", out)
		case err == nil:
			t.Logf("inside a network namespace (unshare %s):\n%s", strings.Join(mode, " "), out)
			return
		case !bytes.HasPrefix(out, []byte("unshare: ")):
			t.Fatalf("inside a network namespace: %v\n%s", err, out)
		}
		why = out // unshare itself failed: try the next mode
	}
	t.Skipf("cannot make a network namespace (needs root, CAP_SYS_ADMIN or user namespaces): %s", bytes.TrimSpace(why))
}

// farNetns is a second network namespace, the far side of the uplinks:
// one OS thread lives in it and runs what do is given.
type farNetns struct {
	fd   int // to move links into it
	work chan func()
}

// newFarNetns makes the namespace; it ends with t.
func newFarNetns(t *testing.T) *farNetns {
	t.Helper()
	n := &farNetns{work: make(chan func())}
	made := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with this goroutine, in the namespace
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			made <- fmt.Errorf("unshare: %w", err)
			return
		}
		fd, err := unix.Open(fmt.Sprintf("/proc/self/task/%d/ns/net", unix.Gettid()), unix.O_RDONLY|unix.O_CLOEXEC, 0)
		n.fd = fd
		made <- err
		if err != nil {
			return
		}
		for fn := range n.work {
			fn()
		}
	}()
	if err := <-made; err != nil {
		t.Fatalf("second network namespace: %v", err)
	}
	t.Cleanup(func() { close(n.work); _ = unix.Close(n.fd) })
	return n
}

// do runs fn inside the namespace and returns its error.
func (n *farNetns) do(fn func() error) error {
	errc := make(chan error, 1)
	n.work <- func() { errc <- fn() }
	return <-errc
}

// netlinkAddr parses cidr for netlink.
func netlinkAddr(t *testing.T, cidr string) *netlink.Addr {
	t.Helper()
	a, err := netlink.ParseAddr(cidr)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// linkUp finds link name (in the calling thread's namespace), adds cidr
// to it and sets it up.
func linkUp(name string, cidr *netlink.Addr) (netlink.Link, error) {
	link, err := netlink.LinkByName(name)
	if err == nil && cidr != nil {
		err = netlink.AddrAdd(link, cidr)
	}
	if err == nil {
		err = netlink.LinkSetUp(link)
	}
	if err != nil {
		return nil, fmt.Errorf("link %s: %w", name, err)
	}
	return link, nil
}

// addUplink makes a veth pair: name, with 10.0.<subnet>.2/24, here; its
// peer, with 10.0.<subnet>.1/24, in far; and a default route through it of
// metric.
func addUplink(t *testing.T, far *farNetns, name string, subnet, metric int) netlink.Link {
	t.Helper()
	peer := name + "-far"
	veth := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: name}, PeerName: peer, PeerNamespace: netlink.NsFd(far.fd)}
	if err := netlink.LinkAdd(veth); err != nil {
		if errors.Is(err, unix.EPERM) || errors.Is(err, unix.EOPNOTSUPP) {
			t.Skipf("cannot add a veth pair: %v", err)
		}
		t.Fatalf("add veth %s: %v", name, err)
	}
	peerAddr := netlinkAddr(t, fmt.Sprintf("10.0.%d.1/24", subnet))
	if err := far.do(func() error {
		_, err := linkUp(peer, peerAddr)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	link, err := linkUp(name, netlinkAddr(t, fmt.Sprintf("10.0.%d.2/24", subnet)))
	if err != nil {
		t.Fatal(err)
	}
	gw := &netlink.Route{LinkIndex: link.Attrs().Index, Gw: []byte{10, 0, byte(subnet), 1}, Priority: metric}
	if err := netlink.RouteAdd(gw); err != nil {
		t.Fatalf("default route through %s: %v", name, err)
	}
	// Answers to lte0 come back from an address routed through fiber0.
	_ = os.WriteFile("/proc/sys/net/ipv4/conf/"+name+"/rp_filter", []byte("0"), 0o644)
	return link
}

// serveFar starts, inside far, an HTTP and a DNS server on 10.9.9.9 (on
// far's lo), both answering with the address a request came from, and
// returns their sources.
func serveFar(t *testing.T, far *farNetns) []string {
	t.Helper()
	var l net.Listener
	var pc net.PacketConn
	server := netlinkAddr(t, "10.9.9.9/32")
	err := far.do(func() error {
		_, err := linkUp("lo", server)
		if err == nil {
			l, err = net.Listen("tcp4", "10.9.9.9:0")
		}
		if err == nil {
			pc, err = net.ListenPacket("udp4", "10.9.9.9:0")
		}
		return err
	})
	if err != nil {
		t.Fatalf("servers in the far namespace: %v", err)
	}
	web := httptest.NewUnstartedServer(http.HandlerFunc(remoteEcho))
	_ = web.Listener.Close()
	web.Listener = l
	web.Start()
	t.Cleanup(web.Close)
	serveDNS(t, &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(echoClient)})
	return []string{"url:" + web.URL, "dns:" + pc.LocalAddr().String()}
}

// TestBindInterfaceChoosesUplink builds two uplinks to one far server,
// fiber0 (10.0.1.2, default route of metric 100) and lte0 (10.0.2.2,
// metric 200), and shows that the server sees each bound detector's HTTP
// and DNS sources come from its interface's address, and from fiber0's
// when unbound.
func TestBindInterfaceChoosesUplink(t *testing.T) {
	if os.Getenv(inNetnsEnv) != "1" {
		runSelfInNetns(t, "TestBindInterfaceChoosesUplink")
		return
	}
	for _, p := range []string{"all", "default"} {
		_ = os.WriteFile("/proc/sys/net/ipv4/conf/"+p+"/rp_filter", []byte("0"), 0o644)
	}
	if _, err := linkUp("lo", nil); err != nil {
		t.Fatal(err)
	}
	far := newFarNetns(t)
	fiber := addUplink(t, far, "fiber0", 1, 100)
	lte := addUplink(t, far, "lte0", 2, 200)
	sources := serveFar(t, far)
	cfg := func(iface string) Config {
		return Config{V4: privateV4(sources...), Bind: Bind{Interface: iface}, Timeout: 2 * time.Second}
	}

	detectUplinks := func() controller.Detection {
		u, err := NewUplinks([]Uplink{{"fiber", cfg("fiber0")}, {"lte", cfg("lte0")}})
		if err != nil {
			t.Fatal(err)
		}
		return u.Detect(context.Background())
	}

	wantKnown(t, detectIPv4(t, cfg("")), "10.0.1.2")
	sentBefore := sentPackets(t, lte)
	det := detectUplinks()
	wantKnown(t, det.Uplinks[0].V4, "10.0.1.2")
	wantKnown(t, det.Uplinks[1].V4, "10.0.2.2")
	if sentPackets(t, lte) == sentBefore {
		t.Error("lte0 sent no packet")
	}

	// With fiber0 down, a detector bound to it is cut off while lte0's
	// still answers. (New detectors: an HTTP connection kept through
	// fiber0 would only time out.)
	if err := netlink.LinkSetDown(fiber); err != nil {
		t.Fatal(err)
	}
	det = detectUplinks()
	wantUnknown(t, det.Uplinks[0].V4, "0 of 2 sources answered")
	wantKnown(t, det.Uplinks[1].V4, "10.0.2.2")
	wantKnown(t, det.V4, "10.0.2.2")
}

// sentPackets returns how many packets link has sent.
func sentPackets(t *testing.T, link netlink.Link) uint64 {
	t.Helper()
	l, err := netlink.LinkByIndex(link.Attrs().Index)
	if err != nil || l.Attrs().Statistics == nil {
		t.Fatalf("statistics of %s: %v", link.Attrs().Name, err)
	}
	return l.Attrs().Statistics.TxPackets
}
