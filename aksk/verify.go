package aksk

import (
	"cmp"
	"crypto/hmac"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cbr-replicate/cbr-replicate/internal/limit"
)

// DefaultSkew is how far X-Sdk-Date may be from the verifier's clock, either
// way, when Verify is given no skew.
const DefaultSkew = 15 * time.Minute

// Reason names the check of Verify that failed.
type Reason string

// The reasons of a *VerifyError, in the order Verify checks; a comment
// says what its text leaves out.
const (
	ReasonMissingAuthorization Reason = "missing Authorization header"
	ReasonNotSDKHMAC           Reason = "Authorization is not SDK-HMAC-SHA256"
	// ReasonMalformedAuthorization: Access, SignedHeaders or Signature is
	// missing, empty, repeated or joined by something unknown, or
	// SignedHeaders has an empty name.
	ReasonMalformedAuthorization Reason = "malformed SDK-HMAC-SHA256 Authorization"
	// ReasonTooManySignedHeaders: more than MaxSignedHeaders.
	ReasonTooManySignedHeaders      Reason = "too many signed headers"
	ReasonSignedHeadersNotLowerCase Reason = "signed header name not in lower case"
	ReasonSignedHeadersRepeated     Reason = "signed header named twice"
	ReasonSignedHeadersNotSorted    Reason = "signed headers not sorted"
	// ReasonDateNotSigned: the signature would not cover its time.
	ReasonDateNotSigned Reason = "X-Sdk-Date not among the signed headers"
	ReasonMissingDate   Reason = "missing X-Sdk-Date header"
	// ReasonMalformedDate: X-Sdk-Date is not YYYYMMDDTHHMMSSZ.
	ReasonMalformedDate Reason = "malformed X-Sdk-Date"
	// ReasonStaleDate: X-Sdk-Date is more than the skew away from now.
	ReasonStaleDate Reason = "X-Sdk-Date outside the accepted window"
	// ReasonUnsignedPayload: X-Sdk-Content-Sha256 says so.
	ReasonUnsignedPayload Reason = "unsigned payload"
	// ReasonMalformedRequest: the query string does not decode.
	ReasonMalformedRequest       Reason = "malformed request"
	ReasonSignedHeaderMissing    Reason = "signed header missing from the request"
	ReasonSecurityTokenNotSigned Reason = "X-Security-Token not among the signed headers"
	ReasonUnknownAK              Reason = "unknown access key"
	ReasonMissingSecurityToken   Reason = "missing X-Security-Token for a temporary access key"
	// ReasonWrongSecurityToken: also for a token sent more than once.
	ReasonWrongSecurityToken      Reason = "X-Security-Token is not the access key's"
	ReasonUnexpectedSecurityToken Reason = "X-Security-Token sent with a permanent access key"
	ReasonBadSignature            Reason = "signature does not match"
)

// VerifyError is why Verify refused a request. Its message names the check
// that failed and quotes at most a few short, cut pieces of the request;
// it never contains the SK, the security token or the expected signature.
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
	if e == nil {
		return "aksk: <nil>"
	}
	msg := "aksk: " + string(e.Reason)
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	if e.AccessKey != "" {
		msg += " (access key " + quoted(e.AccessKey) + ")"
	}
	return msg
}

// maxShown bounds, in characters, every piece of the request an error
// message quotes.
const maxShown = 64

// quoted quotes s cut to maxShown characters, so that a message stays
// short and printable whatever the request carried.
func quoted(s string) string {
	return strconv.Quote(limit.Text(s, maxShown))
}

// Verify checks the SDK-HMAC-SHA256 signature of req as a gateway received
// it, body being exactly the bytes of its body. lookup gives the
// credentials of an AK (ok false, or an empty SK, for an unknown one). now
// is the verifier's clock and skew how far X-Sdk-Date may be from it
// either way (DefaultSkew when skew <= 0).
//
// It returns nil for a good signature and otherwise a *VerifyError whose
// Reason names the first check that failed, in the order of the Reason
// constants (the package documentation says what is refused and why).
// The security token and the signature are compared in constant time. A
// nil lookup or request is an error, not a *VerifyError. A refusal, as an
// acceptance, costs time and memory proportional to the request.
func Verify(req *http.Request, body []byte, lookup func(ak string) (Credentials, bool), now time.Time, skew time.Duration) error {
	if lookup == nil {
		return errors.New("aksk: verify: no lookup function")
	}
	if req == nil || req.URL == nil {
		return errors.New("aksk: verify: the request has no URL")
	}
	skew = cmp.Or(max(skew, 0), DefaultSkew)
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
	const tokenName = "x-security-token"
	r, err := readRequest(req, body, func(lower string) bool {
		_, signed := slices.BinarySearch(auth.signedHeaders, lower)
		return signed || lower == tokenName
	})
	if err != nil {
		return fail(ReasonMalformedRequest, err.Error())
	}
	for _, name := range auth.signedHeaders {
		if _, ok := r.headers[name]; !ok {
			return fail(ReasonSignedHeaderMissing, quoted(name))
		}
	}
	tokens, sentToken := r.headers[tokenName]
	if _, signed := slices.BinarySearch(auth.signedHeaders, tokenName); sentToken && !signed {
		return fail(ReasonSecurityTokenNotSigned, "")
	}
	creds, ok := lookup(auth.ak)
	if !ok || creds.SecretKey.IsZero() {
		return fail(ReasonUnknownAK, "")
	}
	switch {
	case creds.SecurityToken.IsZero() && sentToken:
		return fail(ReasonUnexpectedSecurityToken, "")
	case creds.SecurityToken.IsZero():
	case !sentToken:
		return fail(ReasonMissingSecurityToken, "")
	case len(tokens) != 1:
		return fail(ReasonWrongSecurityToken, fmt.Sprintf("sent %d times", len(tokens)))
	case subtle.ConstantTimeCompare([]byte(strings.TrimSpace(tokens[0])), []byte(creds.SecurityToken.Reveal())) != 1:
		return fail(ReasonWrongSecurityToken, "")
	}
	want := signature(creds.SecretKey.Reveal(), r, auth.signedHeaders, date)
	if !hmac.Equal([]byte(want), []byte(auth.signature)) {
		return fail(ReasonBadSignature, "signed headers "+quoted(strings.Join(auth.signedHeaders, ";")))
	}
	return nil
}

type parsedAuthorization struct {
	ak            string
	signedHeaders []string // at most MaxSignedHeaders, lower case, sorted, distinct
	signature     string
}

// parseAuthorization reads "SDK-HMAC-SHA256 Access=..., SignedHeaders=...,
// Signature=..." as the SDK writes it, accepting any spaces around the
// commas and the parameters in any order, and checks SignedHeaders'
// names (checkSignedHeaders).
func parseAuthorization(value string) (parsedAuthorization, error) {
	rest, ok := strings.CutPrefix(value, Algorithm+" ")
	if !ok {
		scheme, _, _ := strings.Cut(value, " ")
		return parsedAuthorization{}, &VerifyError{Reason: ReasonNotSDKHMAC, Detail: "scheme " + quoted(scheme)}
	}
	var a parsedAuthorization
	var signedHeaders string
	malformed := func(detail string) error {
		return &VerifyError{Reason: ReasonMalformedAuthorization, AccessKey: a.ak, Detail: detail}
	}
	params := map[string]*string{"Access": &a.ak, "SignedHeaders": &signedHeaders, "Signature": &a.signature}
	for part := range strings.SplitSeq(rest, ",") {
		key, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		switch p := params[key]; {
		case !ok || val == "":
			return parsedAuthorization{}, malformed("parameter " + quoted(key) + " has no value")
		case p == nil:
			return parsedAuthorization{}, malformed("unknown parameter " + quoted(key))
		case *p != "":
			return parsedAuthorization{}, malformed("parameter " + key + " repeated")
		default:
			*p = val
		}
	}
	for _, name := range []string{"Access", "SignedHeaders", "Signature"} {
		if *params[name] == "" {
			return parsedAuthorization{}, malformed("parameter " + name + " missing")
		}
	}
	var err error
	if a.signedHeaders, err = checkSignedHeaders(a.ak, signedHeaders); err != nil {
		return parsedAuthorization{}, err
	}
	return a, nil
}

// checkSignedHeaders splits SignedHeaders' value and refuses, without
// reading past the first MaxSignedHeaders names, a list that is too long,
// has an empty or upper-case name, repeats a name, is not sorted or lacks
// x-sdk-date. ak is the access key the errors name.
func checkSignedHeaders(ak, list string) ([]string, error) {
	refuse := func(reason Reason, detail string) ([]string, error) {
		return nil, &VerifyError{Reason: reason, AccessKey: ak, Detail: detail}
	}
	names := make([]string, 0, min(strings.Count(list, ";")+1, MaxSignedHeaders))
	for name := range strings.SplitSeq(list, ";") {
		last := ""
		if len(names) > 0 {
			last = names[len(names)-1]
		}
		switch {
		case len(names) == MaxSignedHeaders:
			return refuse(ReasonTooManySignedHeaders, fmt.Sprintf("more than %d names", MaxSignedHeaders))
		case name == "":
			return refuse(ReasonMalformedAuthorization, "SignedHeaders has an empty name")
		case name != strings.ToLower(name):
			return refuse(ReasonSignedHeadersNotLowerCase, quoted(name))
		case name == last:
			return refuse(ReasonSignedHeadersRepeated, quoted(name))
		case name < last:
			return refuse(ReasonSignedHeadersNotSorted, quoted(name)+" after "+quoted(last))
		}
		names = append(names, name)
	}
	if !slices.Contains(names, "x-sdk-date") {
		return refuse(ReasonDateNotSigned, "")
	}
	return names, nil
}
