package redact_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"unicode/utf16"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/stretchr/testify/assert"

	"github.com/cbr-replicate/cbr-replicate/internal/redact"
)

func TestHeader(t *testing.T) {
	h := http.Header{}
	h.Set("X-Auth-Token", "secret-token-1")
	h["x-subject-token"] = []string{"secret-token-2"} // not canonical, as a server may send it
	h.Set("Authorization", "Basic dXNlcjpwYXNz")
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

// escapeAll writes every character of s as \uXXXX (UTF-16, as JSON does),
// in upper or lower hex.
func escapeAll(s string, upper bool) string {
	var b strings.Builder
	format := `\u%04x`
	if upper {
		format = `\u%04X`
	}
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, format, u)
	}
	return b.String()
}

func TestString(t *testing.T) {
	const secret = `pa"ss/w\ord<é😀>`
	quoted := func(marshal func(any) ([]byte, error)) string {
		b, err := marshal(secret)
		if err != nil {
			panic(err)
		}
		return string(b[1 : len(b)-1])
	}
	for _, tc := range []struct {
		name, in, want string
		secrets        []string
	}{
		{"every occurrence is replaced", "echo secret-token and secret-token", "echo [REDACTED] and [REDACTED]", []string{"secret-token"}},
		{"every secret is replaced", "a secret-one b secret-two", "a [REDACTED] b [REDACTED]", []string{"secret-one", "secret-two"}},
		{"text without a secret is kept", "nothing to hide", "nothing to hide", []string{"secret-token", ""}},
		{"as encoding/json escapes it (HTML characters as \\u003c)", `{"password":"` + quoted(json.Marshal) + `"}`, `{"password":"[REDACTED]"}`, []string{secret}},
		{"as json v2 escapes it (\\\" and \\\\ only)", `{"password":"` + quoted(func(v any) ([]byte, error) { return jsonv2.Marshal(v) }) + `"}`, `{"password":"[REDACTED]"}`, []string{secret}},
		{"every character as \\uXXXX in lower hex", "x " + escapeAll(secret, false) + " y", "x [REDACTED] y", []string{secret}},
		{"every character as \\uXXXX in upper hex", "x " + escapeAll(secret, true) + " y", "x [REDACTED] y", []string{secret}},
		{"escaped and plain characters mixed, \\/ for the slash", `x pa\"ss\/w\\ord\u003C\u00e9😀> y`, "x [REDACTED] y", []string{secret}},
		{"a secret with a control character as its short escape", `x tab\there-and-more y`, "x [REDACTED] y", []string{"tab\there-and-more"}},
		{"a backslash that escapes nothing stays a backslash", `x pa\ss\qword-long y`, "x [REDACTED] y", []string{`pa\ss\qword-long`}},
		{"a \\u escape cut short stays as it is", `x \u00 secret-token\u00`, `x \u00 [REDACTED]\u00`, []string{"secret-token"}},
		{"a short secret hides the whole text", "the password abc was wrong", redact.Redacted, []string{"abc"}},
		{"a short secret hides the whole text also when escaped", `"password":"\u0061bc"`, redact.Redacted, []string{"abc"}},
		{"a short secret that does not occur hides nothing", "nothing to hide", "nothing to hide", []string{"xyz"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, redact.String(tc.in, tc.secrets...))
		})
	}
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

func TestHeaderKeepsWhatAnAKSKSignatureCovers(t *testing.T) {
	h := http.Header{}
	h.Set("Authorization", "SDK-HMAC-SHA256 Access=HPUAEXAMPLE, SignedHeaders=x-sdk-date;x-security-token, Signature=0123abcd")
	assert.Equal(t, "SDK-HMAC-SHA256 Access=HPUAEXAMPLE, SignedHeaders=x-sdk-date;x-security-token, Signature=[REDACTED]",
		redact.Header(h).Get("Authorization"))
	h.Set("Authorization", "SDK-HMAC-SHA256 Signature=0123abcd,Access=AK, Extra=s3cr3t")
	assert.Equal(t, "SDK-HMAC-SHA256 Signature=[REDACTED],Access=AK, Extra=[REDACTED]", redact.Header(h).Get("Authorization"),
		"any order; an unknown parameter hidden whole")
	h.Set("Authorization", "Bearer abc")
	assert.Equal(t, redact.Redacted, redact.Header(h).Get("Authorization"))
}

func TestHeaderShowsNothingOfAMalformedAKSKAuthorizationButItsWellFormedParts(t *testing.T) {
	for _, tc := range []struct{ name, value, want string }{
		{"a signature after a blank instead of a comma", "SDK-HMAC-SHA256 Access=AK Signature=0123abcd, SignedHeaders=x-sdk-date",
			"SDK-HMAC-SHA256 Access=[REDACTED], SignedHeaders=x-sdk-date"},
		{"a signature after a semicolon in SignedHeaders", "SDK-HMAC-SHA256 Access=AK, SignedHeaders=x-sdk-date;Signature=0123abcd",
			"SDK-HMAC-SHA256 Access=AK, SignedHeaders=[REDACTED]"},
		{"a signature without =", "SDK-HMAC-SHA256 Access=AK, Signature 0123abcd",
			"SDK-HMAC-SHA256 Access=AK, [REDACTED]"},
		{"a signature with : as its name", "SDK-HMAC-SHA256 Access=AK, Signature:0123abcd=x",
			"SDK-HMAC-SHA256 Access=AK, [REDACTED]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{"Authorization": {tc.value}}
			got := redact.Header(h).Get("Authorization")
			assert.Equal(t, tc.want, got)
			assert.NotContains(t, got, "0123abcd")
		})
	}
}
