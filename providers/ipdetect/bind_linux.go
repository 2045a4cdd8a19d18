package ipdetect

import (
	"fmt"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// checkInterface applies the kernel's rules for an interface name: 1 to 15
// bytes, not "." or "..", no '/', ':' or white space.
func checkInterface(name string) error {
	switch {
	case len(name) > unix.IFNAMSIZ-1:
		return fmt.Errorf("%q is longer than %d bytes", clip(name), unix.IFNAMSIZ-1)
	case name == "." || name == ".." || strings.ContainsAny(name, "/: \t\r\n\v\f"):
		return fmt.Errorf("%q is not a valid interface name", clip(name))
	}
	return nil
}

// bindToDevice returns a net.Dialer Control function that binds the socket
// to interface name (SO_BINDTODEVICE): its packets leave through that
// interface whatever the routing table prefers. The interface must exist
// when the socket is made; since Linux 5.7 binding needs no privilege.
func bindToDevice(name string) func(network, address string, c syscall.RawConn) error {
	return func(_, _ string, c syscall.RawConn) error {
		var bindErr error
		if err := c.Control(func(fd uintptr) { bindErr = unix.BindToDevice(int(fd), name) }); err != nil {
			return err
		}
		if bindErr != nil {
			return fmt.Errorf("binding to interface %s: %w", name, bindErr)
		}
		return nil
	}
}
