package loopback_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/cbr-replicate/cbr-replicate/internal/loopback"
)

func TestHost(t *testing.T) {
	for host, want := range map[string]bool{
		"127.0.0.1": true, "127.1.2.3": true, "::1": true, "localhost": true, "LOCALHOST.": true,
		"::ffff:127.0.0.1":      true,
		"127.0.0.1.example.org": false, "localhost.example.org": false, "0.0.0.0": false,
		"10.0.0.1": false, "cbr.eu-de.otc.t-systems.com": false, "": false,
	} {
		assert.Equal(t, want, loopback.Host(host), host)
	}
}
