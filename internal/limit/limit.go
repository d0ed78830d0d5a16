// Package limit bounds what the project reads and quotes: ReadAll is the one
// place where a request, an answer or an input file is read, so that no body
// makes memory grow with its size, and Text the one that shortens text for
// a message.
package limit

import (
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"
)

// The bounds the project reads bodies with.
const (
	// Request is the largest request body a server of this project reads
	// (the fake, validate.Middleware): 1 MiB, far above the page's ~300 bytes.
	Request int64 = 1 << 20
	// Answer is the largest answer body a client of this project reads
	// (replicate, validate.Transport): 16 MiB.
	Answer int64 = 16 << 20
	// Input is the largest body `cbr-replicate validate` reads from a file
	// or standard input: 10 MiB.
	Input int64 = 10 << 20
	// World is the largest world file the fake reads (cbrtest.ParseWorld):
	// 1 MiB, thousands of vaults. A YAML node costs some hundred bytes.
	World int64 = 1 << 20
	// ErrorBody is how much of an answer's body an error keeps: 64 KiB.
	ErrorBody int64 = 64 << 10
	// Config is the largest clouds.yaml, secure.yaml or clouds-public.yaml
	// package auth reads: 1 MiB, far above what a real one holds.
	Config int64 = 1 << 20
	// Token is the largest file `--token-file` reads: a Keystone token is a
	// few kilobytes at most, 64 KiB.
	Token int64 = 64 << 10
)

// ReadAll reads r to its end and returns what it read, holding at most n
// bytes: a longer r is an *http.MaxBytesError (Limit n) with the first n
// bytes returned beside it, and nothing more is read. n <= 0 means no bound.
// An error of r itself is returned as it is, with what was read before it.
// The buffer grows as the data comes but never past n+1 bytes, so a body
// over the bound costs about 2n bytes of allocation, whatever its size.
func ReadAll(r io.Reader, n int64) ([]byte, error) {
	if r == nil || r == http.NoBody {
		return nil, nil
	}
	if n <= 0 {
		return io.ReadAll(r)
	}
	// One byte more than allowed tells "exactly n" from "more than n".
	max := n + 1
	buf := make([]byte, 0, min(max, 512))
	for {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, int(min(int64(cap(buf)), max-int64(cap(buf)))))
		}
		// Grow may round the capacity up: never read past max.
		m, err := r.Read(buf[len(buf):min(int64(cap(buf)), max)])
		buf = buf[:len(buf)+m]
		if int64(len(buf)) > n {
			return buf[:n], &http.MaxBytesError{Limit: n}
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// TooLarge reports whether err is, or wraps, the error of a body over its
// bound (from ReadAll or http.MaxBytesReader), and the bound.
func TooLarge(err error) (int64, bool) {
	if mbe, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return mbe.Limit, true
	}
	return 0, false
}

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
