// Package nettest has helpers for tests that need loopback endpoints.
package nettest

import (
	"fmt"
	"net/netip"
	"syscall"
	"testing"
)

// ClosedPort returns a 127.0.0.1 address where nothing listens: a
// connection to it is refused. The port stays reserved until the test
// ends (a bound socket that never listens), so that no other listener of
// a test running in parallel can take it meanwhile.
func ClosedPort(t testing.TB) string {
	t.Helper()
	fd, port, err := reservePort()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Close(fd) })
	return netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), port).String()
}

// reservePort binds a TCP socket to a free port of 127.0.0.1 without
// listening on it and returns the socket and the port.
func reservePort() (fd int, port uint16, err error) {
	fd, err = syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, 0, fmt.Errorf("socket: %w", err)
	}
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		_ = syscall.Close(fd)
		return -1, 0, fmt.Errorf("bind 127.0.0.1:0: %w", err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		_ = syscall.Close(fd)
		return -1, 0, fmt.Errorf("getsockname: %w", err)
	}
	return fd, uint16(sa.(*syscall.SockaddrInet4).Port), nil
}
