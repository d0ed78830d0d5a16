package aksk

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Names of the scheme, as the signing guide and the SDK spell them.
const (
	// Algorithm opens the Authorization header and the string to sign.
	Algorithm = "SDK-HMAC-SHA256"
	// HeaderDate carries the signing time in DateLayout.
	HeaderDate = "X-Sdk-Date"
	// HeaderProjectID carries the project ID of a project-level service.
	HeaderProjectID = "X-Project-Id"
	// HeaderAuthorization carries the signature.
	HeaderAuthorization = "Authorization"
	// HeaderContentSHA256 is how the SDK announces an unsigned body
	// (value UnsignedPayload); this package neither sends nor accepts it.
	HeaderContentSHA256 = "X-Sdk-Content-Sha256"
	// UnsignedPayload is the body hash the SDK signs for bodies that are
	// neither JSON nor BSON.
	UnsignedPayload = "UNSIGNED-PAYLOAD"
	// DateLayout is the time layout of HeaderDate: UTC, YYYYMMDDTHHMMSSZ.
	DateLayout = "20060102T150405Z"
)

// request is what a signature covers, read from an *http.Request the same
// way on both sides: by Sign before sending, by Verify as received.
type request struct {
	method   string
	path     string              // decoded path
	query    url.Values          // decoded query
	headers  map[string][]string // lower-case name -> values
	bodyHash string              // hex SHA-256 of the body
	// explicitHost is true when the request has a Host header of its own
	// rather than the host of its URL or req.Host.
	explicitHost bool
}

// readRequest reads req and body into the form signature needs. The only
// failure is a query string that does not decode.
func readRequest(req *http.Request, body []byte) (request, error) {
	r := request{method: req.Method, path: req.URL.Path}
	if r.method == "" {
		r.method = http.MethodGet
	}
	if req.URL.RawQuery != "" {
		q, err := url.ParseQuery(req.URL.RawQuery)
		if err != nil {
			return request{}, fmt.Errorf("the query string does not decode: %w", err)
		}
		r.query = q
	}
	r.headers = make(map[string][]string, len(req.Header)+1)
	for name, values := range req.Header {
		lower := strings.ToLower(name)
		if prev, ok := r.headers[lower]; ok {
			// Names that differ only in case (set on the map directly)
			// are one header, as in the SDK.
			r.headers[lower] = slices.Concat(prev, values)
		} else {
			r.headers[lower] = values // read only
		}
	}
	_, r.explicitHost = r.headers["host"]
	if !r.explicitHost {
		// Only a request that is signed with "host" among its signed
		// headers reads this: a server finds the host in req.Host, a
		// client in req.Host or the URL.
		host := req.Host
		if host == "" {
			host = req.URL.Host
		}
		if host != "" {
			r.headers["host"] = []string{host}
		}
	}
	sum := sha256.Sum256(body)
	r.bodyHash = hex.EncodeToString(sum[:])
	return r, nil
}

// signable reports whether Sign signs the header with this lower-case
// name: like the SDK, all but Content-Type and names with "_"; and not
// Authorization, which carries the result.
func signable(lower string) bool {
	return !strings.HasPrefix(lower, "content-type") &&
		!strings.Contains(lower, "_") &&
		lower != "authorization"
}

// signedHeaderNames lists, sorted, the headers of r that Sign signs. The
// host entry readRequest derives from the URL is not one of them: the SDK
// signs a host only when its request has a Host header.
func signedHeaderNames(r request) []string {
	names := make([]string, 0, len(r.headers))
	for name := range r.headers {
		if name == "host" && !r.explicitHost {
			continue
		}
		if signable(name) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// signature is the one function that computes a signature, for Sign and
// Verify alike: the hex HMAC-SHA256 under sk of the string to sign for r,
// the signed header names (in the order given) and the X-Sdk-Date value.
func signature(sk string, r request, signed []string, date string) string {
	h := sha256.New()
	writeCanonicalRequest(h, r, signed)
	var sum [sha256.Size]byte
	var hexSum [2 * sha256.Size]byte
	hex.Encode(hexSum[:], h.Sum(sum[:0]))

	mac := hmac.New(sha256.New, []byte(sk))
	mac.Write([]byte(Algorithm + "\n"))
	mac.Write([]byte(date))
	mac.Write([]byte{'\n'})
	mac.Write(hexSum[:])
	var sig [sha256.Size]byte
	return hex.EncodeToString(mac.Sum(sig[:0]))
}

// writeCanonicalRequest writes the canonical request into h: method, URI,
// query, header lines, signed names and body hash, "\n" between them.
func writeCanonicalRequest(h hash.Hash, r request, signed []string) {
	b := make([]byte, 0, 512)
	b = append(b, r.method...)
	b = append(b, '\n')
	b = appendCanonicalURI(b, r.path)
	b = append(b, '\n')
	b = appendCanonicalQuery(b, r.query)
	b = append(b, '\n')
	lines := 0
	for _, name := range signed {
		values := r.headers[name]
		if len(values) > 1 {
			values = slices.Sorted(slices.Values(values))
		}
		for _, v := range values {
			b = append(b, name...)
			b = append(b, ':')
			b = append(b, strings.TrimSpace(v)...)
			b = append(b, '\n')
			lines++
		}
	}
	// The header block ends with a newline of its own (alone when it has
	// no lines), then comes the separator.
	if lines == 0 {
		b = append(b, '\n')
	}
	b = append(b, '\n')
	for i, name := range signed {
		if i > 0 {
			b = append(b, ';')
		}
		b = append(b, name...)
	}
	b = append(b, '\n')
	b = append(b, r.bodyHash...)
	h.Write(b)
}

// appendCanonicalURI appends the path with each segment escaped and a
// trailing "/".
func appendCanonicalURI(b []byte, path string) []byte {
	for i, seg := range strings.Split(path, "/") {
		if i > 0 {
			b = append(b, '/')
		}
		b = appendEscaped(b, seg)
	}
	if len(b) == 0 || b[len(b)-1] != '/' {
		b = append(b, '/')
	}
	return b
}

// appendCanonicalQuery appends name=value pairs, sorted by name and then
// by value, both escaped, joined with "&".
func appendCanonicalQuery(b []byte, q url.Values) []byte {
	names := make([]string, 0, len(q))
	for name := range q {
		names = append(names, name)
	}
	slices.Sort(names)
	first := true
	for _, name := range names {
		values := slices.Sorted(slices.Values(q[name]))
		for _, v := range values {
			if !first {
				b = append(b, '&')
			}
			first = false
			b = appendEscaped(b, name)
			b = append(b, '=')
			b = appendEscaped(b, v)
		}
	}
	return b
}

// appendEscaped appends s with every byte but A-Z a-z 0-9 - _ . ~
// percent-encoded in upper-case hex (RFC 3986 unreserved characters).
func appendEscaped(b []byte, s string) []byte {
	const hexDigits = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == '~' {
			b = append(b, c)
			continue
		}
		b = append(b, '%', hexDigits[c>>4], hexDigits[c&15])
	}
	return b
}

// formatDate gives t in DateLayout (UTC).
func formatDate(t time.Time) string {
	return t.UTC().Format(DateLayout)
}
