package loopback_test

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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

func TestUnencrypted(t *testing.T) {
	for raw, want := range map[string]bool{
		"http://cbr.example.org/v3": true, "HTTP://cbr.example.org": true, "http://10.0.0.1:8080": true,
		"https://cbr.example.org": false, "http://127.0.0.1:8080": false, "http://[::1]/v3": false, "http://localhost": false,
	} {
		u, err := url.Parse(raw)
		require.NoError(t, err)
		assert.Equal(t, want, loopback.Unencrypted(u), raw)
	}
	assert.False(t, loopback.Unencrypted(nil))
}
