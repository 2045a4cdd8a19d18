//go:build !linux

package sim

import "testing"

// connectTimeoutAddr would be a loopback address where connecting times
// out; only Linux (see edge_origin_linux_test.go) makes one.
func connectTimeoutAddr(t *testing.T) string {
	t.Helper()
	t.Skip("cannot make a connection time out on loopback here")
	return ""
}
