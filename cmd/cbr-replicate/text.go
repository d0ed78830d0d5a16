package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/cbr-replicate/cbr-replicate/internal/limit"
	"github.com/cbr-replicate/cbr-replicate/validate"
)

// printable is the one escape of every text printer: a string that came
// from a server, a file or standard input is printed through it, so that it
// cannot move the cursor, clear the screen or retitle the terminal. C0 and
// C1 controls, DEL, other unprintable runes (as strconv.IsPrint says:
// format characters such as bidirectional overrides) and bytes that are not
// UTF-8 are escaped as strconv.Quote does (\x1b, \r, \u0085, \xff);
// printable UTF-8 stays as it is.
func printable(s string) string {
	i := 0
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && n == 1) || !strconv.IsPrint(r) {
			break
		}
		i += n
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.WriteString(s[:i])
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case strconv.IsPrint(r):
			b.WriteString(s[i : i+n])
		default:
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		}
		i += n
	}
	return b.String()
}

// printableJSON is printable for JSON text: JSON encoders escape C0
// controls in strings but let DEL, C1 controls (U+009B is a terminal's
// CSI) and format characters through raw. Every such rune is written as a
// \uXXXX escape (a surrogate pair beyond U+FFFF), which keeps the JSON
// valid and the same value: outside strings JSON text is ASCII.
func printableJSON(b []byte) []byte {
	i := 0
	for i < len(b) {
		r, n := utf8.DecodeRune(b[i:])
		if r >= 0x7f && !strconv.IsPrint(r) {
			break
		}
		i += n
	}
	if i == len(b) {
		return b
	}
	out := append([]byte(nil), b[:i]...)
	for i < len(b) {
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

// oneLine folds a message onto one line so that each violation or field
// stays one, and escapes what is left.
func oneLine(s string) string {
	return printable(strings.Join(strings.Fields(s), " "))
}

// orNone shows an empty field as "-", any other through printable.
func orNone(s string) string {
	if s == "" {
		return "-"
	}
	return printable(s)
}

// printViolations prints one violation a line, "pointer  rule  message",
// the columns aligned and every column escaped.
func printViolations(w io.Writer, vs []validate.Violation) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, v := range vs {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", printable(violationPlace(v)), printable(v.Rule), oneLine(v.Message))
	}
	return tw.Flush()
}

// violationPlace is the first column of a violation: its JSON pointer, or
// where it was found when it has none (the status, the content type).
func violationPlace(v validate.Violation) string {
	switch {
	case v.Pointer != "" && (v.In == "" || v.In == "body"):
		return v.Pointer
	case v.Pointer != "":
		return v.In + " " + v.Pointer
	case v.In != "":
		return "(" + v.In + ")"
	default:
		return "/"
	}
}

// violationsText is the headline and the table of violations, for an error.
func violationsText(headline string, vs []validate.Violation) string {
	var b strings.Builder
	b.WriteString(headline + ":\n")
	_ = printViolations(&b, vs)
	return b.String()
}

// readNamed reads the named file, or stdin for "-", through the one bounded
// reader: at most n bytes, more is an error limit.TooLarge recognises. A
// directory is refused with a plain message (reading one would fail with
// "read X: is a directory"). An error opening the file is an *os.PathError
// or names the directory; others are the reader's.
func readNamed(stdin io.Reader, name string, n int64) ([]byte, error) {
	if name == "-" {
		return limit.ReadAll(stdin, n)
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, &openError{err}
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil, &openError{fmt.Errorf("%s is a directory, not a file", name)}
	}
	return limit.ReadAll(f, n)
}

// openError is a file that could not be opened.
type openError struct{ err error }

func (e *openError) Error() string { return e.err.Error() }
func (e *openError) Unwrap() error { return e.err }

// maxTokenFile bounds what --token-file reads: a Keystone token is a few
// kilobytes at most.
const maxTokenFile = 64 << 10

// readToken reads a token from the named file, or stdin for "-", without
// its trailing newline; the file must hold the token alone. Its errors name
// --token-file and never quote the file's content.
func readToken(stdin io.Reader, name string) (string, error) {
	b, err := readNamed(stdin, name, maxTokenFile)
	var oe *openError
	switch _, tooLarge := limit.TooLarge(err); {
	case errors.As(err, &oe):
		return "", fmt.Errorf("read --token-file: %w", oe.err)
	case tooLarge:
		return "", fmt.Errorf("--token-file %s is larger than 64 KiB: not a token", name)
	case err != nil:
		return "", fmt.Errorf("read --token-file %s: %w", name, err)
	}
	t := strings.TrimRight(string(b), "\r\n")
	switch {
	case strings.TrimSpace(t) == "":
		return "", fmt.Errorf("--token-file %s is empty", name)
	case strings.ContainsAny(t, "\r\n"):
		return "", fmt.Errorf("--token-file %s holds more than one line; it must hold the token alone", name)
	}
	return t, nil
}

// maxSecretsFile bounds --iam-users-file and --aksk-file: limit.Input.
const maxSecretsFile = limit.Input

// readSecretsFile reads a file of secrets named by flag (passwords, secret
// keys) through the bounded reader; its errors name the flag and the file,
// never its content. A file that group or others may read gets a warning
// on errOut.
func readSecretsFile(s streams, flag, name string) ([]byte, error) {
	b, err := readNamed(s.in, name, maxSecretsFile)
	var oe *openError
	switch _, tooLarge := limit.TooLarge(err); {
	case errors.As(err, &oe):
		return nil, fmt.Errorf("read %s: %w", flag, oe.err)
	case tooLarge:
		return nil, fmt.Errorf("%s %s is larger than %d MiB", flag, name, maxSecretsFile>>20)
	case err != nil:
		return nil, fmt.Errorf("read %s %s: %w", flag, name, err)
	}
	if name != "-" {
		if st, err := os.Stat(name); err == nil && st.Mode().Perm()&0o077 != 0 {
			fmt.Fprintf(s.errOut, "warning: %s %s can be read by group or others (mode %04o); it holds secrets: chmod 600 %s\n",
				flag, printable(name), st.Mode().Perm(), printable(name))
		}
	}
	return b, nil
}
