package redact

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Redacted is what every hidden credential shows.
const Redacted = "[REDACTED]"

// secretHeaders are the canonical names of the headers that carry a
// credential: the IAM token (sent as X-Auth-Token, issued as
// X-Subject-Token), HTTP authentication (AK/SK signatures too) and cookies.
var secretHeaders = map[string]bool{
	"X-Auth-Token":        true,
	"X-Subject-Token":     true,
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

// MinSecretLen is the shortest secret that String and Bytes replace where
// it occurs: replacing every occurrence of a one- or two-letter secret
// would garble the text around it, so text holding a shorter one is hidden
// as a whole.
const MinSecretLen = 8

// String returns s with every occurrence of each secret replaced by
// Redacted: as it is, and as JSON writes it, any of its characters escaped
// (\u00e9 in either case of hex, a surrogate pair, or a short escape such
// as \", \\, \/ or \n). A secret shorter than MinSecretLen that occurs
// hides s as a whole (Redacted); empty secrets are skipped. Redact before
// shortening (limit.Text), so that no secret is cut in two and missed.
func String(s string, secrets ...string) string {
	for _, secret := range secrets {
		if secret == "" {
			continue
		}
		if len(secret) < MinSecretLen {
			if strings.Contains(s, secret) || strings.Contains(unescape(s), secret) {
				return Redacted
			}
			continue
		}
		s = strings.ReplaceAll(s, secret, Redacted)
		if strings.Contains(s, `\`) {
			s = replaceEscaped(s, secret)
		}
	}
	return s
}

// Bytes is String for a byte slice; it returns b itself when it holds no
// secret.
func Bytes(b []byte, secrets ...string) []byte {
	if s := String(string(b), secrets...); s != string(b) {
		return []byte(s)
	}
	return b
}

// replaceEscaped replaces the occurrences of secret in s that escape some
// of its characters: it finds them in s unescaped and maps them back, one
// pass over s, holding one unescaped copy of it.
func replaceEscaped(s, secret string) string {
	u := unescape(s)
	if !strings.Contains(u, secret) {
		return s
	}
	var b strings.Builder
	// si and ui are a cursor in s and the same place in u, prev where the
	// last step of to started in s; s[:copied] is written.
	si, ui, prev, copied := 0, 0, 0, 0
	var scratch [utf8.UTFMax]byte
	to := func(target int) {
		for ui < target {
			_, n, w := unescapeAt(scratch[:0], s, si)
			prev, si, ui = si, si+n, ui+w
		}
	}
	for from := 0; ; {
		i := strings.Index(u[from:], secret)
		if i < 0 {
			break
		}
		to(from + i)
		start := si
		if ui > from+i { // the match starts inside an escape: from its start
			start = prev
		}
		from += i + len(secret)
		to(from)
		b.WriteString(s[copied:start])
		b.WriteString(Redacted)
		copied = si
	}
	b.WriteString(s[copied:])
	return b.String()
}

// unescape returns s with JSON's escapes decoded; a backslash that starts
// none stays as it is.
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		var n int
		b, n, _ = unescapeAt(b, s, i)
		i += n
	}
	return string(b)
}

// unescapeAt appends what s holds at i to dst (one byte, or the character
// of the escape that starts there) and returns how many bytes of s it took
// and how many it appended.
func unescapeAt(dst []byte, s string, i int) ([]byte, int, int) {
	before := len(dst)
	if s[i] != '\\' || i+1 == len(s) {
		return append(dst, s[i]), 1, 1
	}
	if c, ok := shortEscapes[s[i+1]]; ok {
		return append(dst, c), 2, 1
	}
	r, n := hex4(s, i)
	if n == 0 {
		return append(dst, '\\'), 1, 1
	}
	if utf16.IsSurrogate(r) {
		if r2, m := hex4(s, i+n); m > 0 {
			if pair := utf16.DecodeRune(r, r2); pair != utf8.RuneError {
				r, n = pair, n+m
			}
		}
	}
	dst = utf8.AppendRune(dst, r)
	return dst, n, len(dst) - before
}

// shortEscapes are JSON's two-character escapes and what they stand for.
var shortEscapes = map[byte]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

// hex4 reads the \uXXXX escape at s[i:] (hex in either case); n is 6, or 0
// when there is none.
func hex4(s string, i int) (rune, int) {
	if i+6 > len(s) || s[i] != '\\' || s[i+1] != 'u' {
		return 0, 0
	}
	v, err := strconv.ParseUint(s[i+2:i+6], 16, 16)
	if err != nil {
		return 0, 0
	}
	return rune(v), 6
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
