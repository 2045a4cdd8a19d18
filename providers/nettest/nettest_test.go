package nettest

import (
	"errors"
	"net"
	"syscall"
	"testing"
	"time"
)

func TestClosedPortRefusesAndStaysReserved(t *testing.T) {
	addr := ClosedPort(t)
	for range 3 {
		_, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if !errors.Is(err, syscall.ECONNREFUSED) {
			t.Fatalf("dial %s: %v, want connection refused", addr, err)
		}
	}
	if ln, err := net.Listen("tcp", addr); err == nil {
		_ = ln.Close()
		t.Fatalf("another listener could take %s", addr)
	}
}
