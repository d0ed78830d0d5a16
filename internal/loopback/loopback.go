package loopback

import (
	"net/netip"
	"net/url"
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

// Unencrypted reports whether a credential sent to u would cross the
// network in clear: plain http to a host that is not loopback. It is the
// one test of that rule for the IAM URL, the service's endpoint and the
// warning of --allow-http.
func Unencrypted(u *url.URL) bool {
	return u != nil && u.Scheme == "http" && !Host(u.Hostname())
}
