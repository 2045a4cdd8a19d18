package netwatch_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/vishvananda/netlink"
)

// childEnv marks a test binary re-executed inside its own network namespace.
const childEnv = "NETWATCH_TEST_NETNS"

// inNetns reports whether this process is that re-executed child.
func inNetns() bool { return os.Getenv(childEnv) == "1" }

// unshareModes are the ways tried to get a network namespace: as root, then
// as the root of a new user namespace (unprivileged, where allowed).
var unshareModes = [][]string{{"--net"}, {"--user", "--map-root-user", "--net"}}

// runInNetns runs this test binary again with args inside a new network
// namespace (unshare from util-linux), bounded by timeout, and returns its
// output. It skips tb when no namespace can be made or the child skipped,
// and fails tb when the child failed.
func runInNetns(tb testing.TB, timeout time.Duration, args ...string) string {
	tb.Helper()
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		tb.Skip("unshare (util-linux) is not installed: cannot make a network namespace")
	}
	mode, why := unshareMode(unshare)
	if mode == nil {
		tb.Skipf("cannot make a network namespace (needs root, CAP_SYS_ADMIN or user namespaces): %s", why)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmdArgs := append(append(append([]string{}, mode...), "--", os.Args[0]), args...)
	cmd := exec.CommandContext(ctx, unshare, cmdArgs...)
	cmd.Env = append(os.Environ(), childEnv+"=1")
	out, err := cmd.CombinedOutput()
	switch {
	case err != nil:
		tb.Fatalf("inside a network namespace: %v\n%s", err, out)
	case bytes.Contains(out, []byte("--- SKIP")):
		tb.Skipf("skipped inside the network namespace:\n%s", out)
	}
	tb.Logf("inside a network namespace:\n%s", out)
	return string(out)
}

// unshareMode returns the first of unshareModes that works here, or nil
// and why none does.
func unshareMode(unshare string) ([]string, string) {
	var why []byte
	for _, mode := range unshareModes {
		out, err := exec.Command(unshare, append(mode, "true")...).CombinedOutput()
		if err == nil {
			return mode, ""
		}
		why = out
	}
	return nil, string(bytes.TrimSpace(why))
}

// setupNetns prepares the child's namespace: IPv6 off (no link-local
// address noise on new links) and lo up (for servers on 127.0.0.1).
func setupNetns(tb testing.TB) {
	tb.Helper()
	for _, p := range []string{"/proc/sys/net/ipv6/conf/all/disable_ipv6", "/proc/sys/net/ipv6/conf/default/disable_ipv6"} {
		_ = os.WriteFile(p, []byte("1"), 0o644) // absent without IPv6: nothing to silence
	}
	lo, err := netlink.LinkByName("lo")
	if err != nil {
		tb.Fatalf("find lo: %v", err)
	}
	if err := netlink.LinkSetUp(lo); err != nil {
		skipIfDenied(tb, err)
		tb.Fatalf("set lo up: %v", err)
	}
}

// addDummy creates a dummy link that is up, deleted when tb ends. On a
// kernel without the dummy driver it falls back to an ifb, then a bridge
// link: as standalone virtual links they serve the same purpose here.
func addDummy(tb testing.TB, name string) netlink.Link {
	tb.Helper()
	attrs := netlink.LinkAttrs{Name: name}
	var err error
	for _, l := range []netlink.Link{&netlink.Dummy{LinkAttrs: attrs}, &netlink.Ifb{LinkAttrs: attrs}, &netlink.Bridge{LinkAttrs: attrs}} {
		if err = netlink.LinkAdd(l); !errors.Is(err, syscall.EOPNOTSUPP) {
			break
		}
	}
	if err != nil {
		skipIfDenied(tb, err)
		tb.Fatalf("add link %s: %v", name, err)
	}
	link, err := netlink.LinkByName(name)
	if err != nil {
		tb.Fatalf("find %s: %v", name, err)
	}
	tb.Cleanup(func() { _ = netlink.LinkDel(link) })
	if err := netlink.LinkSetUp(link); err != nil {
		tb.Fatalf("set %s up: %v", name, err)
	}
	return link
}

// skipIfDenied skips tb when err says netlink changes are not allowed or
// not supported (no CAP_NET_ADMIN, no dummy driver).
func skipIfDenied(tb testing.TB, err error) {
	tb.Helper()
	if errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.EACCES) || errors.Is(err, syscall.EOPNOTSUPP) {
		tb.Skipf("cannot change links in the network namespace: %v", err)
	}
}

// addAddr adds cidr to link.
func addAddr(tb testing.TB, link netlink.Link, cidr string) {
	tb.Helper()
	if err := netlink.AddrAdd(link, mustAddr(tb, cidr)); err != nil {
		tb.Fatalf("add %s to %s: %v", cidr, link.Attrs().Name, err)
	}
}

// delAddr removes cidr from link.
func delAddr(tb testing.TB, link netlink.Link, cidr string) {
	tb.Helper()
	if err := netlink.AddrDel(link, mustAddr(tb, cidr)); err != nil {
		tb.Fatalf("remove %s from %s: %v", cidr, link.Attrs().Name, err)
	}
}

func mustAddr(tb testing.TB, cidr string) *netlink.Addr {
	tb.Helper()
	a, err := netlink.ParseAddr(cidr)
	if err != nil {
		tb.Fatal(err)
	}
	return a
}
