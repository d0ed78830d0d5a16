// Package secret holds a credential so that nothing prints it: a
// password, a token, a secret key, a security token or a passcode is a
// Value in every type of this module that holds one.
package secret

import (
	"fmt"
	"io"
	"strconv"

	"github.com/cbr-replicate/cbr-replicate/internal/redact"
)

// Value holds a credential (a password, a token, a secret key, a
// passcode) that no encoding shows: fmt with every verb, log/slog,
// encoding/json and encoding.TextMarshaler all give Redacted for a set
// secret and "" for an empty one, so that a missing secret can be told from
// a hidden one (Redacted is "[REDACTED]", internal/redact's spelling).
//
// The value lives in a closure, not a string field: printers that reach a
// Value without calling its methods (fmt through an unexported field,
// reflection-based dumpers such as go-spew) find a func, not the text. A
// Value is not comparable; compare Reveal()s where a test must.
type Value struct {
	value func() string
}

// New returns a Value holding s; an empty s gives the zero Value.
func New(s string) Value {
	if s == "" {
		return Value{}
	}
	return Value{value: func() string { return s }}
}

// Reveal returns the secret itself, for the one place that sends it.
func (s Value) Reveal() string {
	if s.value == nil {
		return ""
	}
	return s.value()
}

// IsZero reports whether the secret is empty (encoding/json's omitzero).
func (s Value) IsZero() bool { return s.value == nil }

// String returns Redacted, or "" for an empty secret.
func (s Value) String() string {
	if s.IsZero() {
		return ""
	}
	return redact.Redacted
}

// Format prints String for every verb (%q and %#v quote it), so that %x
// or %d cannot show the secret's bytes.
func (s Value) Format(f fmt.State, verb rune) {
	if verb == 'q' || (verb == 'v' && f.Flag('#')) {
		_, _ = io.WriteString(f, strconv.Quote(s.String()))
		return
	}
	_, _ = io.WriteString(f, s.String())
}

// MarshalText encodes String; encoding/json, json v2 and log/slog's
// handlers use it, so none of them shows the secret.
func (s Value) MarshalText() ([]byte, error) { return []byte(s.String()), nil }
