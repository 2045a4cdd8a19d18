// Package netwatch tells when the addresses of named network interfaces
// change, so that IP detection can run at once instead of on its next tick.
//
// On Linux it subscribes to the kernel's rtnetlink address and link
// notifications (github.com/vishvananda/netlink). Elsewhere Watch returns
// an error saying it is not supported, and callers rely on polling.
package netwatch
