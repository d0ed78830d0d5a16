package aksk

import (
	"crypto/hmac"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// DefaultSkew is how far X-Sdk-Date may be from the verifier's clock, either
// way, when Verify is given no skew.
const DefaultSkew = 15 * time.Minute

// Reason names the check of Verify that failed.
type Reason string

// The reasons of a *VerifyError, in the order Verify checks.
const (
	// ReasonMissingAuthorization: no Authorization header.
	ReasonMissingAuthorization Reason = "missing Authorization header"
	// ReasonNotSDKHMAC: Authorization does not start with "SDK-HMAC-SHA256 ".
	ReasonNotSDKHMAC Reason = "Authorization is not SDK-HMAC-SHA256"
	// ReasonMalformedAuthorization: Access, SignedHeaders or Signature is
	// missing, empty, repeated or joined by something unknown.
	ReasonMalformedAuthorization Reason = "malformed SDK-HMAC-SHA256 Authorization"
	// ReasonMissingDate: no X-Sdk-Date header.
	ReasonMissingDate Reason = "missing X-Sdk-Date header"
	// ReasonMalformedDate: X-Sdk-Date is not YYYYMMDDTHHMMSSZ.
	ReasonMalformedDate Reason = "malformed X-Sdk-Date"
	// ReasonStaleDate: X-Sdk-Date is more than the skew away from now.
	ReasonStaleDate Reason = "X-Sdk-Date outside the accepted window"
	// ReasonUnsignedPayload: X-Sdk-Content-Sha256 says the body is not
	// signed; the body must be signed.
	ReasonUnsignedPayload Reason = "unsigned payload"
	// ReasonMalformedRequest: the query string does not decode, so the
	// request has no canonical form.
	ReasonMalformedRequest Reason = "malformed request"
	// ReasonUnknownAK: the lookup does not know the access key.
	ReasonUnknownAK Reason = "unknown access key"
	// ReasonBadSignature: the signature does not match the request.
	ReasonBadSignature Reason = "signature does not match"
)

// VerifyError is why Verify refused a request. Its message names the check
// that failed; it never contains the SK or the expected signature.
type VerifyError struct {
	// Reason is the check that failed.
	Reason Reason
	// AccessKey is the AK the request claims, "" before it is parsed.
	AccessKey string
	// Detail adds what was found, bounded in length; may be "".
	Detail string
}

// Error says "aksk: " then the reason, the detail and the AK.
func (e *VerifyError) Error() string {
	var b strings.Builder
	b.WriteString("aksk: ")
	b.WriteString(string(e.Reason))
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	if e.AccessKey != "" {
		fmt.Fprintf(&b, " (access key %s)", quoted(e.AccessKey))
	}
	return b.String()
}

// maxShown bounds every piece of the request an error message quotes.
const maxShown = 64

// quoted quotes s, cut to maxShown bytes, so that a message stays short
// and printable whatever the request carried.
func quoted(s string) string {
	if len(s) > maxShown {
		return fmt.Sprintf("%q...", s[:maxShown])
	}
	return fmt.Sprintf("%q", s)
}

// Verify checks the SDK-HMAC-SHA256 signature of req as a gateway received
// it, body being exactly the bytes of its body. lookup gives the SK of an
// AK. now is the verifier's clock and skew how far X-Sdk-Date may be from
// it either way (DefaultSkew when skew <= 0).
//
// It returns nil for a good signature and otherwise a *VerifyError for the
// first check that failed, in this order: Authorization present, its
// scheme, its parameters, X-Sdk-Date present, well-formed, within the
// skew, no unsigned payload, a query that decodes, a known AK, and the
// signature, compared in constant time. A nil lookup is an error (not a
// *VerifyError).
func Verify(req *http.Request, body []byte, lookup func(ak string) (sk string, ok bool), now time.Time, skew time.Duration) error {
	if lookup == nil {
		return errors.New("aksk: verify: no lookup function")
	}
	if req == nil || req.URL == nil {
		return errors.New("aksk: verify: the request has no URL")
	}
	if skew <= 0 {
		skew = DefaultSkew
	}
	value := req.Header.Get(HeaderAuthorization)
	if value == "" {
		return &VerifyError{Reason: ReasonMissingAuthorization}
	}
	auth, err := parseAuthorization(value)
	if err != nil {
		return err
	}
	fail := func(reason Reason, detail string) error {
		return &VerifyError{Reason: reason, AccessKey: auth.ak, Detail: detail}
	}

	date := req.Header.Get(HeaderDate)
	if date == "" {
		return fail(ReasonMissingDate, "")
	}
	t, err := time.Parse(DateLayout, date)
	if err != nil {
		return fail(ReasonMalformedDate, quoted(date)+" is not YYYYMMDDTHHMMSSZ")
	}
	if d := now.Sub(t); d > skew || d < -skew {
		return fail(ReasonStaleDate, fmt.Sprintf("%s is %s from the verifier's clock %s, more than ±%s",
			date, d.Abs().Round(time.Second), formatDate(now), skew))
	}
	if strings.EqualFold(strings.TrimSpace(req.Header.Get(HeaderContentSHA256)), UnsignedPayload) {
		return fail(ReasonUnsignedPayload, HeaderContentSHA256+" is "+UnsignedPayload+"; the body must be signed")
	}
	r, err := readRequest(req, body)
	if err != nil {
		return fail(ReasonMalformedRequest, err.Error())
	}
	sk, ok := lookup(auth.ak)
	if !ok || sk == "" {
		return fail(ReasonUnknownAK, "")
	}
	want := signature(sk, r, auth.signedHeaders, date)
	if !hmac.Equal([]byte(want), []byte(auth.signature)) {
		return fail(ReasonBadSignature, "signed headers "+quoted(strings.Join(auth.signedHeaders, ";")))
	}
	return nil
}

// parsedAuthorization is an Authorization value taken apart.
type parsedAuthorization struct {
	ak            string
	signedHeaders []string
	signature     string
}

// parseAuthorization reads "SDK-HMAC-SHA256 Access=..., SignedHeaders=...,
// Signature=..." as the SDK writes it, accepting any spaces around the
// commas and the parameters in any order.
func parseAuthorization(value string) (parsedAuthorization, error) {
	rest, ok := strings.CutPrefix(value, Algorithm+" ")
	if !ok {
		scheme, _, _ := strings.Cut(value, " ")
		return parsedAuthorization{}, &VerifyError{Reason: ReasonNotSDKHMAC, Detail: "scheme " + quoted(scheme)}
	}
	var a parsedAuthorization
	var seen [3]bool
	malformed := func(detail string) error {
		return &VerifyError{Reason: ReasonMalformedAuthorization, AccessKey: a.ak, Detail: detail}
	}
	for part := range strings.SplitSeq(rest, ",") {
		key, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || val == "" {
			return parsedAuthorization{}, malformed("parameter " + quoted(key) + " has no value")
		}
		var i int
		switch key {
		case "Access":
			i, a.ak = 0, val
		case "SignedHeaders":
			i = 1
			a.signedHeaders = strings.Split(val, ";")
			for _, name := range a.signedHeaders {
				if name == "" {
					return parsedAuthorization{}, malformed("SignedHeaders has an empty name")
				}
			}
		case "Signature":
			i, a.signature = 2, val
		default:
			return parsedAuthorization{}, malformed("unknown parameter " + quoted(key))
		}
		if seen[i] {
			return parsedAuthorization{}, malformed("parameter " + key + " repeated")
		}
		seen[i] = true
	}
	for i, name := range []string{"Access", "SignedHeaders", "Signature"} {
		if !seen[i] {
			return parsedAuthorization{}, malformed("parameter " + name + " missing")
		}
	}
	return a, nil
}
