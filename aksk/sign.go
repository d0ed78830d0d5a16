package aksk

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"
)

// Sign signs req for the moment now: it sets X-Sdk-Date (now in UTC),
// X-Project-Id (when projectID is not empty) and Authorization on req's
// header. body must be exactly the bytes that are sent as req's body; Sign
// neither reads nor sets req.Body. Every header req has when Sign is
// called is signed (except Content-Type, names with "_" and
// Authorization), so headers must be final before and untouched after.
//
// Sign fails on empty keys, on a request without URL, on a query string
// that does not decode, and on a request that already carries
// X-Sdk-Content-Sha256 (which would make the SDK sign that value instead
// of the body). The error never contains the SK.
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
	r, err := readRequest(req, body)
	if err != nil {
		return fmt.Errorf("aksk: sign: %w", err)
	}
	signed := signedHeaderNames(r)
	sig := signature(c.SecretKey, r, signed, date)
	req.Header.Set(HeaderAuthorization, authorization(c.AccessKey, signed, sig))
	return nil
}

// authorization formats the Authorization value exactly as the SDK does.
func authorization(ak string, signed []string, sig string) string {
	n := len(Algorithm) + len(" Access=") + len(ak) + len(", SignedHeaders=") +
		len(", Signature=") + len(sig)
	for _, s := range signed {
		n += len(s) + 1
	}
	b := make([]byte, 0, n)
	b = append(b, Algorithm+" Access="...)
	b = append(b, ak...)
	b = append(b, ", SignedHeaders="...)
	for i, s := range signed {
		if i > 0 {
			b = append(b, ';')
		}
		b = append(b, s...)
	}
	b = append(b, ", Signature="...)
	b = append(b, sig...)
	return string(b)
}

// Signer signs requests with one key pair for one project, at the current
// time. It is safe for concurrent use. Printing it hides the SK.
type Signer struct {
	creds     Credentials
	projectID string
	// now gives the signing time; time.Now outside tests.
	now func() time.Time
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

// AccessKey returns the signer's AK.
func (s *Signer) AccessKey() string { return s.creds.AccessKey }

// ProjectID returns the project ID the signer sets in X-Project-Id.
func (s *Signer) ProjectID() string { return s.projectID }

// SignRequest signs req, whose body is exactly body, at the current time,
// as Sign does.
func (s *Signer) SignRequest(req *http.Request, body []byte) error {
	return Sign(req, body, s.creds, s.projectID, s.now())
}

// String shows the AK and project ID and hides the SK.
func (s *Signer) String() string {
	if s == nil {
		return "<nil>"
	}
	return "aksk.Signer{AccessKey:" + s.creds.AccessKey + " SecretKey:" + s.creds.shownSK() +
		" ProjectID:" + s.projectID + "}"
}

// GoString, used by %#v, shows the AK and project ID and hides the SK.
func (s *Signer) GoString() string {
	if s == nil {
		return "(*aksk.Signer)(nil)"
	}
	return "&aksk.Signer{creds:" + s.creds.GoString() + ", projectID:" + strconv.Quote(s.projectID) + "}"
}

// Format makes every fmt verb print the redacted form.
func (s *Signer) Format(f fmt.State, verb rune) {
	formatRedacted(f, verb, s.String(), s.GoString())
}

// LogValue makes slog log the AK, the project ID and the hidden SK.
func (s *Signer) LogValue() slog.Value {
	if s == nil {
		return slog.StringValue("<nil>")
	}
	return slog.GroupValue(
		slog.String("access_key", s.creds.AccessKey),
		slog.String("secret_key", s.creds.shownSK()),
		slog.String("project_id", s.projectID),
	)
}
