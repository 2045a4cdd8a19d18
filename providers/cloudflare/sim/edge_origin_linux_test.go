package sim

import (
	"fmt"
	"net"
	"syscall"
	"testing"
	"time"
)

func TestEdgeOriginConnectTimeout(t *testing.T) {
	w := newOriginWorld(t, WithOriginTimeout(200*time.Millisecond))
	w.s.SetOrigin(originIP, synDropper(t))
	checkEdge(t, w.mustGet("www.example.com"), 522, "error code: 522")
}

// connectTimeoutAddr is a loopback address where connecting times out (see
// synDropper).
func connectTimeoutAddr(t *testing.T) string { return synDropper(t) }

// synDropper returns a loopback address where connecting times out: a
// socket that listens with a backlog of 0 and never accepts. Linux drops
// SYNs once its accept queue is full, so after filling it, every new
// connection times out. The test is skipped when that does not happen.
func synDropper(t *testing.T) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", sa.(*syscall.SockaddrInet4).Port)
	for range 8 {
		c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				return addr
			}
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
	}
	t.Skip("a full accept queue does not drop connections here: cannot make a connection time out on loopback")
	return ""
}
