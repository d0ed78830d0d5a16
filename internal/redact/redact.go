package redact

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
)

// Redacted is what every hidden credential shows.
const Redacted = "[REDACTED]"

// secretHeaders are the canonical names of the headers that carry a
// credential: the IAM token (sent as X-Auth-Token, issued as
// X-Subject-Token), a temporary AK/SK's security token, HTTP
// authentication (AK/SK signatures too) and cookies.
var secretHeaders = map[string]bool{
	"X-Auth-Token":        true,
	"X-Subject-Token":     true,
	"X-Security-Token":    true,
	"Authorization":       true,
	"Proxy-Authorization": true,
	"Cookie":              true,
	"Set-Cookie":          true,
}

// IsSecretHeader reports whether the header name (any case) carries a
// credential.
func IsSecretHeader(name string) bool {
	return secretHeaders[http.CanonicalHeaderKey(name)]
}

// Header returns a copy of h in which the value of every secret header is
// Redacted. A nil h gives nil.
func Header(h http.Header) http.Header {
	c := h.Clone()
	for name, vs := range c {
		if IsSecretHeader(name) {
			for i := range vs {
				vs[i] = Redacted
			}
		}
	}
	return c
}

// Request returns a shallow copy of r whose header has its secrets
// redacted, for an error that keeps the request. A nil r gives nil.
func Request(r *http.Request) *http.Request {
	if r == nil {
		return nil
	}
	c := *r
	c.Header = Header(r.Header)
	if r.URL != nil {
		u := *r.URL
		if u.User != nil {
			u.User = url.User(Redacted)
		}
		c.URL = &u
	}
	c.Body, c.GetBody = http.NoBody, nil
	return &c
}

// MinSecretLen is the shortest secret that String and Bytes replace:
// replacing every occurrence of a one- or two-letter "token" would garble
// the text around it, and such a secret is no secret.
const MinSecretLen = 8

// String returns s with every occurrence of secret replaced by Redacted.
func String(s, secret string) string {
	if len(secret) < MinSecretLen || !strings.Contains(s, secret) {
		return s
	}
	return strings.ReplaceAll(s, secret, Redacted)
}

// Bytes returns b with every occurrence of secret replaced by Redacted; b
// itself when it holds none.
func Bytes(b []byte, secret string) []byte {
	if len(secret) < MinSecretLen || !bytes.Contains(b, []byte(secret)) {
		return b
	}
	return bytes.ReplaceAll(b, []byte(secret), []byte(Redacted))
}

// URL returns rawURL as errors and printed options show it: user info,
// query and fragment, where a credential could hide, are replaced by
// Redacted. A string that does not parse as a URL is Redacted as a whole.
func URL(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return Redacted
	}
	if u.User != nil {
		u.User = url.User(Redacted)
	}
	if u.RawQuery != "" || u.ForceQuery {
		u.RawQuery, u.ForceQuery = Redacted, false
	}
	if u.Fragment != "" {
		u.Fragment, u.RawFragment = Redacted, ""
	}
	return u.String()
}
