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

// Header returns a copy of h in which the value of every secret header (in
// any case) is Redacted, but for an SDK-HMAC-SHA256 Authorization, whose
// access key and signed headers stay (they say what was signed; only the
// signature authenticates) when they are well-formed. A nil h gives nil.
func Header(h http.Header) http.Header {
	c := h.Clone()
	for name, vs := range c {
		if name = http.CanonicalHeaderKey(name); secretHeaders[name] {
			for i, v := range vs {
				vs[i] = Redacted
				if rest, ok := strings.CutPrefix(v, "SDK-HMAC-SHA256 "); ok && name == "Authorization" {
					vs[i] = "SDK-HMAC-SHA256 " + signatureHidden(rest)
				}
			}
		}
	}
	return c
}

// signatureHidden returns the parameters of an SDK-HMAC-SHA256
// Authorization with only Access and SignedHeaders shown, and only when
// their values are plain words (letters, digits, "-_.;"), which cannot hold
// another parameter (a signature after a blank, say); every other value is
// Redacted, and a name that is not a plain word with it.
func signatureHidden(params string) string {
	const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	parts := strings.Split(params, ",")
	for i, p := range parts {
		name, value, _ := strings.Cut(strings.TrimSpace(p), "=")
		switch {
		case (name == "Access" || name == "SignedHeaders") && value != "" && strings.Trim(value, letters+"0123456789-_.;") == "":
		case name != "" && strings.Trim(name, letters) == "":
			parts[i] = " " + name + "=" + Redacted
		default:
			parts[i] = " " + Redacted
		}
	}
	return strings.TrimSpace(strings.Join(parts, ","))
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

// MinSecretLen is the shortest secret that String replaces where it
// occurs: replacing every occurrence of a one- or two-letter secret
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
	to := func(target int) {
		for ui < target {
			d, n := unit(s, si)
			prev, si, ui = si, si+n, ui+len(d)
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
		b.WriteString(s[copied:start] + Redacted)
		copied = si
	}
	return b.String() + s[copied:]
}

func unescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		d, n := unit(s, i)
		b.WriteString(d)
		i += n
	}
	return b.String()
}

// unit decodes what s holds at i, one byte or the character of the JSON
// escape that starts there (a backslash that starts none is itself), and
// how many bytes of s it took.
func unit(s string, i int) (string, int) {
	if s[i] != '\\' || i+1 == len(s) {
		return s[i : i+1], 1
	}
	if c := strings.IndexByte(`"\/bfnrt`, s[i+1]); c >= 0 {
		return "\"\\/\b\f\n\r\t"[c : c+1], 2
	}
	r, n := hex4(s, i)
	if n == 0 {
		return s[i : i+1], 1
	}
	if r2, m := hex4(s, i+6); m > 0 && utf16.IsSurrogate(r) && utf16.DecodeRune(r, r2) != utf8.RuneError {
		r, n = utf16.DecodeRune(r, r2), 12
	}
	return string(r), n
}

// hex4 reads the \uXXXX escape at s[i:] (hex in either case); n is 6, or 0
// when there is none.
func hex4(s string, i int) (rune, int) {
	if i+6 <= len(s) && s[i] == '\\' && s[i+1] == 'u' {
		if v, err := strconv.ParseUint(s[i+2:i+6], 16, 16); err == nil {
			return rune(v), 6
		}
	}
	return 0, 0
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
