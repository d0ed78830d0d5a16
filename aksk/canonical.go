package aksk

import (
	"bufio"
	"cmp"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
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
	// HeaderSecurityToken carries the security token of a temporary key
	// pair; it is signed with the other headers.
	HeaderSecurityToken = "X-Security-Token"
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

// MaxSignedHeaders is the most header names a signature may cover: Sign
// refuses to sign more, Verify to read more. The SDK signs every header of
// its request but Content-Type; a CBR call through the SDK signs 3 to 5
// (User-Agent, X-Project-Id, X-Sdk-Date, X-Security-Token, an explicit
// Host). 64 leaves room for every header a caller adds and bounds what one
// Authorization header can make a verifier look up.
const MaxSignedHeaders = 64

// request is what a signature covers, read from an *http.Request the same
// way on both sides: by Sign before sending, by Verify as received.
type request struct {
	method string
	path   string     // decoded path
	query  url.Values // decoded query, each name's values sorted
	// headers maps lower-case names to their values, sorted.
	headers  map[string][]string
	bodyHash string // hex SHA-256 of the body
	// explicitHost is true when the request has a Host header of its own
	// rather than the host of its URL or req.Host.
	explicitHost bool
}

// readRequest reads req and body into the form signature needs, with the
// headers whose lower-case names keep reports, copying and sorting each
// header's and query name's values at most once. The only failure is a
// query string that does not decode.
func readRequest(req *http.Request, body []byte, keep func(lower string) bool) (request, error) {
	r := request{method: cmp.Or(req.Method, http.MethodGet), path: req.URL.Path}
	if req.URL.RawQuery != "" {
		q, err := url.ParseQuery(req.URL.RawQuery)
		if err != nil {
			return request{}, fmt.Errorf("the query string does not decode: %w", err)
		}
		for _, values := range q {
			slices.Sort(values) // ParseQuery's own slices
		}
		r.query = q
	}
	r.headers = make(map[string][]string, min(len(req.Header), MaxSignedHeaders)+1)
	for name, values := range req.Header {
		lower := strings.ToLower(name)
		if !keep(lower) {
			continue
		}
		// Names that differ only in case (set on the map directly) are
		// one header, as in the SDK. One value is read in place; more are
		// copied, once, into a slice of readRequest's own, sorted below.
		switch prev := r.headers[lower]; {
		case len(prev) > 1:
			r.headers[lower] = append(prev, values...)
		case len(prev)+len(values) > 1:
			r.headers[lower] = append(prev[:len(prev):len(prev)], values...)
		case len(prev) == 0:
			r.headers[lower] = values
		}
	}
	for _, values := range r.headers {
		if len(values) > 1 {
			slices.Sort(values)
		}
	}
	_, r.explicitHost = r.headers["host"]
	if !r.explicitHost {
		// Only a request that is signed with "host" among its signed
		// headers reads this: a server finds the host in req.Host, a
		// client in req.Host or the URL.
		if host := cmp.Or(req.Host, req.URL.Host); host != "" {
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

// signature is the one function that computes a signature, for Sign and
// Verify alike: the hex HMAC-SHA256 under sk of the string to sign for r,
// the signed header names (in the order given) and the X-Sdk-Date value.
func signature(sk string, r request, signed []string, date string) string {
	h := sha256.New()
	w := bufio.NewWriterSize(h, 512)
	writeCanonicalRequest(w, r, signed)
	_ = w.Flush() // a hash never fails
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

// writeCanonicalRequest writes the canonical request into w, a buffer in
// front of the hash, so that it is never held whole: method, URI, query,
// header lines, signed names and body hash, "\n" between them. Each name
// of signed is one header's lines; Verify passes only distinct names.
func writeCanonicalRequest(w *bufio.Writer, r request, signed []string) {
	w.WriteString(r.method)
	w.WriteByte('\n')
	writeCanonicalURI(w, r.path)
	w.WriteByte('\n')
	writeCanonicalQuery(w, r.query)
	w.WriteByte('\n')
	// The header lines, never none: Sign and Verify both sign X-Sdk-Date.
	for _, name := range signed {
		for _, v := range r.headers[name] {
			w.WriteString(name)
			w.WriteByte(':')
			w.WriteString(strings.TrimSpace(v))
			w.WriteByte('\n')
		}
	}
	w.WriteByte('\n')
	w.WriteString(strings.Join(signed, ";"))
	w.WriteByte('\n')
	w.WriteString(r.bodyHash)
}

// writeCanonicalURI writes the path with each segment escaped and a
// trailing "/". An escaped segment never ends in "/", so the URI does
// exactly when the path does.
func writeCanonicalURI(w *bufio.Writer, path string) {
	first := true
	for seg := range strings.SplitSeq(path, "/") {
		if !first {
			w.WriteByte('/')
		}
		first = false
		writeEscaped(w, seg)
	}
	if !strings.HasSuffix(path, "/") {
		w.WriteByte('/')
	}
}

// writeCanonicalQuery writes name=value pairs, sorted by name and then by
// value (readRequest sorted them), both escaped, joined with "&".
func writeCanonicalQuery(w *bufio.Writer, q url.Values) {
	first := true
	for _, name := range slices.Sorted(maps.Keys(q)) {
		for _, v := range q[name] {
			if !first {
				w.WriteByte('&')
			}
			first = false
			writeEscaped(w, name)
			w.WriteByte('=')
			writeEscaped(w, v)
		}
	}
}

// writeEscaped writes s with every byte but A-Z a-z 0-9 - _ . ~
// percent-encoded in upper-case hex (RFC 3986 unreserved characters).
func writeEscaped(w *bufio.Writer, s string) {
	const hexDigits = "0123456789ABCDEF"
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == '~' {
			continue
		}
		w.WriteString(s[start:i])
		w.WriteByte('%')
		w.WriteByte(hexDigits[c>>4])
		w.WriteByte(hexDigits[c&15])
		start = i + 1
	}
	w.WriteString(s[start:])
}

func formatDate(t time.Time) string {
	return t.UTC().Format(DateLayout)
}
