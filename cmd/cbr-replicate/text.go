package main

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/cbr-replicate/cbr-replicate/internal/limit"
	"github.com/cbr-replicate/cbr-replicate/internal/redact"
	"github.com/cbr-replicate/cbr-replicate/secret"
	"github.com/cbr-replicate/cbr-replicate/validate"
)

func orNone(s string) string { return cmp.Or(redact.Printable(s), "-") }

// printViolations prints one violation a line, "pointer  rule  message",
// the columns aligned and every column escaped.
func printViolations(w io.Writer, vs []validate.Violation) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, v := range vs {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", redact.Printable(violationPlace(v)), redact.Printable(v.Rule), redact.Line(v.Message))
	}
	return tw.Flush()
}

// violationPlace is the first column of a violation: its JSON pointer, or
// where it was found when it has none (the status, the content type).
func violationPlace(v validate.Violation) string {
	switch {
	case v.Pointer == "":
		return "(" + v.In + ")"
	case v.In == validate.InBody:
		return v.Pointer
	}
	return v.In + " " + v.Pointer
}

// violationsText is the headline and the table of violations, for an error.
func violationsText(headline string, vs []validate.Violation) string {
	var b strings.Builder
	b.WriteString(headline + ":\n")
	_ = printViolations(&b, vs)
	return b.String()
}

// readNamed reads the named file, or standard input for "-", through the
// one bounded reader: at most n bytes. A directory is refused with a plain
// message (reading one would fail with "read X: is a directory"). Its
// errors name what the file is for (a flag, "input") and the file, never
// its content.
func readNamed(stdin io.Reader, what, name string, n int64) ([]byte, error) {
	r, shown := stdin, "standard input"
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", what, err)
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil && st.IsDir() {
			return nil, fmt.Errorf("read %s: %s is a directory, not a file", what, name)
		}
		r, shown = f, name
	}
	b, err := limit.ReadAll(r, n)
	if _, tooLarge := limit.TooLarge(err); tooLarge {
		size := fmt.Sprintf("%d MiB", n>>20)
		if n < 1<<20 {
			size = fmt.Sprintf("%d KiB", n>>10)
		}
		return nil, fmt.Errorf("%s %s is larger than %s", what, shown, size)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s %s: %w", what, shown, err)
	}
	return b, nil
}

// readToken reads a token from the named file, or stdin for "-", without
// its trailing newline; the file must hold the token alone.
func readToken(stdin io.Reader, name string) (secret.Value, error) {
	b, err := readNamed(stdin, "--token-file", name, limit.Token)
	if err != nil {
		return secret.Value{}, err
	}
	t := strings.TrimRight(string(b), "\r\n")
	switch {
	case strings.TrimSpace(t) == "":
		return secret.Value{}, fmt.Errorf("--token-file %s is empty", name)
	case strings.ContainsAny(t, "\r\n"):
		return secret.Value{}, fmt.Errorf("--token-file %s holds more than one line; it must hold the token alone", name)
	}
	return secret.New(t), nil
}

// readFile reads the file a flag names, at most limit.Input bytes, with
// parse: cbrtest's ParseWorld, or ParseIAMUsers and ParseAKSK for a file of
// secrets (secrets), which gets a warning on errOut when group or others
// may read it. parse's errors give line numbers, never a line's content.
func readFile[T any](s streams, flag, name string, secrets bool, parse func(io.Reader) (T, error)) (T, error) {
	var zero T
	b, err := readNamed(s.in, flag, name, limit.Input)
	if err != nil {
		return zero, err
	}
	if st, err := os.Stat(name); secrets && name != "-" && err == nil && st.Mode().Perm()&0o077 != 0 {
		fmt.Fprintf(s.errOut, "warning: %s %s can be read by group or others (mode %04o); it holds secrets: chmod 600 %s\n",
			flag, redact.Printable(name), st.Mode().Perm(), redact.Printable(name))
	}
	v, err := parse(bytes.NewReader(b))
	if err != nil {
		return zero, usagef("%s %s: %s", flag, name, strings.ReplaceAll(strings.TrimPrefix(err.Error(), "cbrtest: "), "\n", "; "))
	}
	return v, nil
}
