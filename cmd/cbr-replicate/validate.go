package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/cbr-replicate/cbr-replicate/validate"
)

// maxInput is the largest body validate reads: far above any real request
// or response of this call, small enough to keep memory bounded.
const maxInput = 10 << 20

const validateUsage = `Check a JSON request or response body of "Replicating a Restore Point"
(POST /v3/{project_id}/checkpoints/replicate) against the API page, and
print every violation at once.

Usage:
  cbr-replicate validate request  [flags] [FILE|-]
  cbr-replicate validate response [--status N] [flags] [FILE|-]

FILE is read, or standard input when FILE is - or missing (at most 10 MiB).
A request body is the JSON {"replicate": {...}}; a response body is checked
against what the page documents for --status (an undocumented status is a
violation).

Output (stdout):
  text  "valid", or one violation a line: pointer  rule  message
  json  {"valid": bool, "violations": [{"in", "pointer", "rule", "message"}]}
        (violations is [] when valid)

Flags:
%s
Exit status: 0 valid; 1 invalid; 2 usage or I/O error (unreadable file,
input over 10 MiB).

Examples:
  cbr-replicate validate request body.json
  echo '{"replicate":{}}' | cbr-replicate validate request --output json
  cbr-replicate validate response --status 400 error.json
`

// validateResult is the --output json document of validate.
type validateResult struct {
	Valid      bool                 `json:"valid"`
	Violations []validate.Violation `json:"violations"`
}

// validate runs "cbr-replicate validate".
func (c *cli) validate(args []string) int {
	const cmd = "validate"
	fs := newFlagSet(cmd)
	status := fs.Int("status", 200, "HTTP status of the response body (response only)")
	output := outputText
	fs.VarP(&output, "output", "o", "output format: text or json")
	quiet := fs.BoolP("quiet", "q", false, "print nothing; report through the exit status only")
	if stop, code := c.parseFlags(cmd, fs, validateUsage, args); stop {
		return code
	}

	rest := fs.Args()
	if len(rest) == 0 {
		return c.usageError(cmd, errors.New("missing what to validate: request or response"))
	}
	kind, rest := rest[0], rest[1:]
	if kind != "request" && kind != "response" {
		return c.usageError(cmd, fmt.Errorf("validate request or response, not %q", kind))
	}
	if kind == "request" && fs.Changed("status") {
		return c.usageError(cmd, errors.New("--status applies to response bodies only"))
	}
	if *status < 100 || *status > 599 {
		return c.usageError(cmd, fmt.Errorf("--status %d is not an HTTP status (100-599)", *status))
	}
	if len(rest) > 1 {
		return c.usageError(cmd, fmt.Errorf("one FILE at most, got %d", len(rest)))
	}
	name := "-"
	if len(rest) == 1 {
		name = rest[0]
	}

	body, err := c.readInput(name)
	if err != nil {
		return c.fail(cmd, exitUsage, err)
	}

	v, err := validate.New()
	if err != nil {
		return c.fail(cmd, exitUsage, fmt.Errorf("load the API description: %w", err))
	}
	if kind == "request" {
		err = v.RequestBody(body)
	} else {
		err = v.ResponseBody(*status, body)
	}

	res := validateResult{Violations: []validate.Violation{}}
	if err != nil {
		var verr *validate.Error
		if !errors.As(err, &verr) {
			return c.fail(cmd, exitUsage, fmt.Errorf("validate %s: %w", kind, err))
		}
		res.Violations = append(res.Violations, verr.Violations...)
	}
	res.Valid = len(res.Violations) == 0

	code := exitOK
	if !res.Valid {
		code = exitInvalid
	}
	switch {
	case *quiet:
	case output == outputJSON:
		if err := writeJSON(c.stdout, res); err != nil {
			return c.fail(cmd, exitUsage, err)
		}
	case res.Valid:
		fmt.Fprintln(c.stdout, "valid")
	default:
		printViolations(c.stdout, res.Violations)
	}
	return code
}

// readInput reads the named file, or standard input for "-", refusing more
// than maxInput bytes.
func (c *cli) readInput(name string) ([]byte, error) {
	var r io.Reader = c.stdin
	what := "standard input"
	if name != "-" {
		f, err := openFile(name)
		if err != nil {
			return nil, fmt.Errorf("read input: %w", err)
		}
		defer f.Close()
		r, what = f, name
	}
	b, err := io.ReadAll(io.LimitReader(r, maxInput+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", what, err)
	}
	if len(b) > maxInput {
		return nil, fmt.Errorf("%s is larger than 10 MiB, the limit for a body of this API", what)
	}
	return b, nil
}

// openFile opens the named file for reading and refuses a directory with a
// plain message (reading one would fail with "read X: is a directory").
func openFile(name string) (*os.File, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	if st, err := f.Stat(); err == nil && st.IsDir() {
		_ = f.Close()
		return nil, fmt.Errorf("%s is a directory, not a file", name)
	}
	return f, nil
}
