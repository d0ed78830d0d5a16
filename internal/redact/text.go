package redact

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Printable is the one escape of text the project shows: a string that came
// from a server, a file or standard input goes through it, so that it
// cannot move the cursor, clear the screen or retitle a terminal. C0 and C1
// controls, DEL, other unprintable runes (as strconv.IsPrint says: format
// characters such as bidirectional overrides) and bytes that are not UTF-8
// are escaped as strconv.Quote does (\x1b, \r, \u0085, \xff); printable
// UTF-8, quotes and backslashes included, stays as it is, so escaping twice
// changes nothing.
func Printable(s string) string {
	q := strconv.Quote(s)
	return unquote.Replace(q[1 : len(q)-1])
}

// unquote undoes the two escapes of strconv.Quote that Printable does not
// want, in one pass: a backslash followed by "x1b" stays itself.
var unquote = strings.NewReplacer(`\\`, `\`, `\"`, `"`)

// Fold puts s on one line: every run of white space (newlines and tabs
// too) becomes one blank, and none is left at either end.
func Fold(s string) string { return strings.Join(strings.Fields(s), " ") }

// Line is Printable(Fold(s)): a message, a server's words or a file's line
// as one printable line, so that each stays one line of the output.
func Line(s string) string { return Printable(Fold(s)) }

// JSON is Printable for JSON text: JSON encoders escape C0 controls in
// strings but let DEL, C1 controls (U+009B is a terminal's CSI) and format
// characters through raw. Every such rune is written as a \uXXXX escape (a
// surrogate pair beyond U+FFFF), which keeps the JSON valid and the same
// value: outside strings JSON text is ASCII.
func JSON(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		switch {
		case r < 0x7f || strconv.IsPrint(r) || (r == utf8.RuneError && n == 1):
			out = append(out, b[i:i+n]...)
		case r > 0xffff:
			r1, r2 := utf16.EncodeRune(r)
			out = fmt.Appendf(out, `\u%04x\u%04x`, r1, r2)
		default:
			out = fmt.Appendf(out, `\u%04x`, r)
		}
		i += n
	}
	return out
}
