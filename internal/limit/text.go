package limit

import (
	"strings"
	"unicode/utf8"
)

// Bounds of text the project quotes in messages.
const (
	// Message is the most characters of a server's or a file's words quoted
	// in one error message or violation (a CBR error_msg, IAM's message, a
	// JSON pointer).
	Message = 256
	// ErrorMsg is the most characters of the error_msg a server of this
	// project writes (the 400 listing violations): 2048 runes, at most 8 KiB.
	ErrorMsg = 2 << 10
)

// Ellipsis marks text that Text cut.
const Ellipsis = "…"

// Text returns s as valid UTF-8 (each run of invalid bytes as one U+FFFD) cut to at
// most n characters (runes), the last of them Ellipsis when it was cut. It
// is the one function that shortens text for a message; n < 1 gives "".
func Text(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if n < 1 {
		return ""
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	cut := 0 // the end of the first n-1 runes
	for range n - 1 {
		_, size := utf8.DecodeRuneInString(s[cut:])
		cut += size
	}
	return s[:cut] + Ellipsis
}
