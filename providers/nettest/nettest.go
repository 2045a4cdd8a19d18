// Package nettest has helpers for tests that need loopback endpoints.
package nettest

import (
	"net"
	"testing"
)

// ClosedPort returns a 127.0.0.1 address where nothing listens: a
// connection to it is refused.
func ClosedPort(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}
