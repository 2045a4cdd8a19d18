//go:build !linux

package ipdetect

import (
	"errors"
	"syscall"
)

// errInterfaceNeedsLinux is why an interface cannot be bound elsewhere.
var errInterfaceNeedsLinux = errors.New("binding to an interface needs Linux")

// checkInterface refuses every interface: SO_BINDTODEVICE is Linux's.
func checkInterface(string) error { return errInterfaceNeedsLinux }

// bindToDevice returns a Control function that fails: New refuses an
// interface here, so it is never reached.
func bindToDevice(string) func(network, address string, c syscall.RawConn) error {
	return func(string, string, syscall.RawConn) error { return errInterfaceNeedsLinux }
}
