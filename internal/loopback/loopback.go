// Package loopback tells whether a host is this machine's loopback, the one
// place where the project decides that plain http may carry a credential
// (a token, a password) because the traffic never leaves the machine.
package loopback

import (
	"net/netip"
	"strings"
)

// Host reports whether host (a name or an IP address, without port) is
// "localhost", an address of 127.0.0.0/8 or ::1.
func Host(host string) bool {
	if strings.EqualFold(strings.TrimSuffix(host, "."), "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}
