package redact_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/cbr-replicate/cbr-replicate/internal/redact"
)

func TestHeader(t *testing.T) {
	h := http.Header{}
	h.Set("X-Auth-Token", "secret-token-1")
	h["x-subject-token"] = []string{"secret-token-2"} // not canonical, as a server may send it
	h.Set("Authorization", "SDK-HMAC-SHA256 Access=AK, Signature=abc")
	h.Set("Cookie", "a=b")
	h.Set("X-Security-Token", "temporary-key-security-token")
	h.Set("Content-Type", "application/json")
	got := redact.Header(h)
	for _, name := range []string{"X-Auth-Token", "Authorization", "Cookie", "X-Security-Token"} {
		assert.Equal(t, redact.Redacted, got.Get(name), name)
	}
	//lint:ignore SA1008 the key is not canonical on purpose: Header must redact a secret header whatever its case
	assert.Equal(t, []string{redact.Redacted}, got["x-subject-token"], "a secret header in any case")
	assert.Equal(t, "application/json", got.Get("Content-Type"), "other headers are kept")
	assert.Equal(t, "secret-token-1", h.Get("X-Auth-Token"), "the original is not modified")
	assert.Nil(t, redact.Header(nil))
}

func TestString(t *testing.T) {
	assert.Equal(t, "echo [REDACTED] and [REDACTED]", redact.String("echo secret-token and secret-token", "secret-token"))
	assert.Equal(t, "a short one stays", redact.String("a short one stays", "one"), "secrets under MinSecretLen are not replaced")
	assert.Equal(t, "x [REDACTED] y", string(redact.Bytes([]byte("x secret-token y"), "secret-token")))
}

func TestURL(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"user info is hidden", "https://user:pw@cbr.example.org/v3", "https://%5BREDACTED%5D@cbr.example.org/v3"},
		{"the query is hidden", "https://cbr.example.org/?token=abc", "https://cbr.example.org/?[REDACTED]"},
		{"the fragment is hidden", "https://cbr.example.org/#abc", "https://cbr.example.org/#%5BREDACTED%5D"},
		{"a plain URL is kept", "https://cbr.eu-de.otc.t-systems.com", "https://cbr.eu-de.otc.t-systems.com"},
		{"what does not parse is hidden whole", "https://bad host:x/%zz", redact.Redacted},
	} {
		t.Run(tc.name, func(t *testing.T) { assert.Equal(t, tc.want, redact.URL(tc.in)) })
	}
}
