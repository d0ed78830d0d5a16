package aksk

import (
	"errors"
	"fmt"
	"log/slog"
	"strconv"

	"github.com/cbr-replicate/cbr-replicate/internal/redact"
)

// Credentials are an access key (AK), which identifies the key pair and may
// be shown, and a secret key (SK), which signs and is never shown: every
// way this type prints itself (fmt, slog, JSON) gives the SK as
// redact.Redacted.
type Credentials struct {
	AccessKey string
	SecretKey string
}

// Errors of [Credentials.Check], for errors.Is.
var (
	ErrNoAccessKey = errors.New("aksk: the access key (AK) is empty")
	ErrNoSecretKey = errors.New("aksk: the secret key (SK) is empty")
)

// Check returns ErrNoAccessKey or ErrNoSecretKey (both when both are
// empty) and nil when both keys are set.
func (c Credentials) Check() error {
	var errs []error
	if c.AccessKey == "" {
		errs = append(errs, ErrNoAccessKey)
	}
	if c.SecretKey == "" {
		errs = append(errs, ErrNoSecretKey)
	}
	return errors.Join(errs...)
}

// shownSK is what the SK prints as: Redacted when set, "" when not, so
// that a missing key can be told apart from a hidden one.
func (c Credentials) shownSK() string {
	if c.SecretKey == "" {
		return ""
	}
	return redact.Redacted
}

// String shows the AK and hides the SK.
func (c Credentials) String() string {
	return "{AccessKey:" + c.AccessKey + " SecretKey:" + c.shownSK() + "}"
}

// GoString, used by %#v, shows the AK and hides the SK.
func (c Credentials) GoString() string {
	return "aksk.Credentials{AccessKey:" + strconv.Quote(c.AccessKey) +
		", SecretKey:" + strconv.Quote(c.shownSK()) + "}"
}

// Format makes every fmt verb (%v, %+v, %#v, %s, %q, %x, ...) print the
// redacted form; without it %x would print the SK's bytes.
func (c Credentials) Format(f fmt.State, verb rune) {
	formatRedacted(f, verb, c.String(), c.GoString())
}

// LogValue makes slog log the AK and the hidden SK.
func (c Credentials) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("access_key", c.AccessKey),
		slog.String("secret_key", c.shownSK()),
	)
}

// MarshalJSON writes {"access_key": AK, "secret_key": "[REDACTED]"}, so
// that encoding the credentials cannot leak the SK either.
func (c Credentials) MarshalJSON() ([]byte, error) {
	b := []byte(`{"access_key":`)
	b = strconv.AppendQuote(b, c.AccessKey)
	b = append(b, `,"secret_key":`...)
	b = strconv.AppendQuote(b, c.shownSK())
	return append(b, '}'), nil
}

// formatRedacted writes the redacted text s (or gs for %#v) for any verb:
// %q quotes it, everything else prints it as is.
func formatRedacted(f fmt.State, verb rune, s, gs string) {
	switch {
	case verb == 'v' && f.Flag('#'):
		_, _ = f.Write([]byte(gs))
	case verb == 'q':
		_, _ = f.Write([]byte(strconv.Quote(s)))
	default:
		_, _ = f.Write([]byte(s))
	}
}
