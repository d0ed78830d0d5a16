package redact

import (
	"fmt"
	"io"
	"log/slog"
	"strconv"
)

// Secret holds a credential (a password, a token, a secret key, a
// passcode) that no encoding shows: fmt with every verb, log/slog,
// encoding/json and encoding.TextMarshaler all give Redacted for a set
// secret and "" for an empty one, so that a missing secret can be told from
// a hidden one. It is the field type of every secret the project holds.
//
// The value lives in a closure, not a string field: printers that reach a
// Secret without calling its methods (fmt through an unexported field,
// reflection-based dumpers such as go-spew) find a func, not the text. A
// Secret is not comparable; compare Reveal()s where a test must.
type Secret struct {
	value func() string
}

// NewSecret returns a Secret holding s; an empty s gives the zero Secret.
func NewSecret(s string) Secret {
	if s == "" {
		return Secret{}
	}
	return Secret{value: func() string { return s }}
}

// Reveal returns the secret itself, for the one place that sends it.
func (s Secret) Reveal() string {
	if s.value == nil {
		return ""
	}
	return s.value()
}

// IsZero reports whether the secret is empty (encoding/json's omitzero).
func (s Secret) IsZero() bool { return s.value == nil }

// String returns Redacted, or "" for an empty secret.
func (s Secret) String() string {
	if s.IsZero() {
		return ""
	}
	return Redacted
}

// GoString is String quoted, for %#v.
func (s Secret) GoString() string { return strconv.Quote(s.String()) }

// Format prints String for every verb (%q quotes it, %#v is GoString), so
// that %x or %d cannot show the secret's bytes.
func (s Secret) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'q' || (verb == 'v' && f.Flag('#')):
		_, _ = io.WriteString(f, s.GoString())
	default:
		_, _ = io.WriteString(f, s.String())
	}
}

// LogValue logs String.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalText encodes String.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// MarshalJSON encodes String as a JSON string.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(s.GoString()), nil }
