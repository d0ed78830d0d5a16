package redact_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/internal/redact"
)

func TestPrintable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"printable ASCII stays", "vault 3b58-16b5 ok", "vault 3b58-16b5 ok"},
		{"printable UTF-8 stays", "Région Zürich – 東京", "Région Zürich – 東京"},
		{"ESC of a CSI sequence is escaped", "\u001b[2J", `\x1b[2J`},
		{"OSC title sequence with BEL is escaped", "\u001b]0;title\u0007", `\x1b]0;title\a`},
		{"carriage return and newline are escaped", "a\rb\nc", `a\rb\nc`},
		{"NUL and DEL are escaped", "a\x00b\x7f", `a\x00b\x7f`},
		{"C1 control CSI (U+009B) is escaped", "a\u009b2J", `a\u009b2J`},
		{"bidirectional override is escaped", "a\u202eb", `a\u202eb`},
		{"a byte that is not UTF-8 is escaped", "a\xffb", `a\xffb`},
		{"backslash stays (escaping is idempotent)", `a\x1b`, `a\x1b`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := redact.Printable(tt.in)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, got, redact.Printable(got), "escaping twice changes nothing")
		})
	}
}

func TestLineFoldsThenEscapes(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ name, in, want string }{
		{"newlines, tabs and runs of blanks become one blank", " a\n\tb  \r\nc ", "a b c"},
		{"a control that is not white space is escaped", "a\x1b[2J\nb", `a\x1b[2J b`},
		{"blank text is empty", " \n\t", ""},
	} {
		t.Run(tt.name, func(t *testing.T) { assert.Equal(t, tt.want, redact.Line(tt.in)) })
	}
}

func TestJSONKeepsTheValue(t *testing.T) {
	in := []byte("{\"a\": \"x\u009b\U000E0001y\", \"b\": \"é\"}\n")
	out := redact.JSON(in)
	var a, b map[string]string
	require.NoError(t, json.Unmarshal(in, &a))
	require.NoError(t, json.Unmarshal(out, &b))
	assert.Equal(t, a, b)
	assert.Equal(t, "{\"a\": \"x\\u009b\\udb40\\udc01y\", \"b\": \"é\"}\n", string(out))
}
