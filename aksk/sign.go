package aksk

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Sign signs req for the moment now, as the package doc describes: it sets
// X-Sdk-Date, X-Project-Id (when projectID is not empty), X-Security-Token
// (a temporary key pair's; a permanent pair's request carries none) and
// Authorization on req's header. body must be exactly the bytes sent as
// req's body; Sign neither reads nor sets req.Body. Every header req has
// then is signed, so headers must be final before and untouched after.
//
// Sign fails on empty keys, on a request without URL, on a query string
// that does not decode, on more than MaxSignedHeaders headers to sign, and
// on a request that already carries X-Sdk-Content-Sha256 (which would make
// the SDK sign that value instead of the body). The error never contains
// the SK or the token.
func Sign(req *http.Request, body []byte, c Credentials, projectID string, now time.Time) error {
	if err := c.Check(); err != nil {
		return fmt.Errorf("aksk: sign: %w", err)
	}
	if req == nil || req.URL == nil {
		return errors.New("aksk: sign: the request has no URL")
	}
	if _, ok := req.Header[http.CanonicalHeaderKey(HeaderContentSHA256)]; ok {
		return fmt.Errorf("aksk: sign: the request carries %s; the body itself is signed", HeaderContentSHA256)
	}
	if req.Header == nil {
		req.Header = make(http.Header)
	}
	date := formatDate(now)
	req.Header.Del(HeaderAuthorization)
	req.Header.Set(HeaderDate, date)
	if projectID != "" {
		req.Header.Set(HeaderProjectID, projectID)
	}
	// As the SDK's BasicCredentials: the header is set, in this case,
	// before signing, so that it is signed with the rest.
	if c.SecurityToken.IsZero() {
		req.Header.Del(HeaderSecurityToken)
	} else {
		req.Header.Set(HeaderSecurityToken, c.SecurityToken.Reveal())
	}
	r, err := readRequest(req, body, signable)
	if err != nil {
		return fmt.Errorf("aksk: sign: %w", err)
	}
	// Every header read with signable, sorted, but the host readRequest
	// takes from the URL: the SDK signs a host only from a Host header.
	signed := slices.Sorted(maps.Keys(r.headers))
	if !r.explicitHost {
		signed = slices.DeleteFunc(signed, func(name string) bool { return name == "host" })
	}
	if len(signed) > MaxSignedHeaders {
		return fmt.Errorf("aksk: sign: %d headers to sign, more than %d", len(signed), MaxSignedHeaders)
	}
	// The Authorization value exactly as the SDK formats it.
	req.Header.Set(HeaderAuthorization, Algorithm+" Access="+c.AccessKey+", SignedHeaders="+strings.Join(signed, ";")+
		", Signature="+signature(c.SecretKey.Reveal(), r, signed, date))
	return nil
}

// Signer signs requests with one key pair for one project, at the current
// time. It is safe for concurrent use; printing it shows no secret. Make
// it with NewSigner: the zero Signer and a nil *Signer refuse to sign.
type Signer struct {
	creds     Credentials
	projectID string
	now       func() time.Time // the signing time: time.Now
}

// NewSigner returns a Signer for c and projectID (which may be empty for a
// global service). It fails when a key is empty; the error never contains
// the SK.
func NewSigner(c Credentials, projectID string) (*Signer, error) {
	if err := c.Check(); err != nil {
		return nil, fmt.Errorf("aksk: new signer: %w", err)
	}
	return &Signer{creds: c, projectID: projectID, now: time.Now}, nil
}

// SignRequest signs req, whose body is exactly body, at the current time,
// as Sign does.
func (s *Signer) SignRequest(req *http.Request, body []byte) error {
	if s == nil || s.now == nil {
		return errors.New("aksk: sign: the Signer was not made by NewSigner")
	}
	return Sign(req, body, s.creds, s.projectID, s.now())
}
