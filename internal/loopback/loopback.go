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
