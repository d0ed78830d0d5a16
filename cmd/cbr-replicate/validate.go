package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/cbr-replicate/cbr-replicate/internal/limit"
	"github.com/cbr-replicate/cbr-replicate/validate"
)

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

// validateOptions is "cbr-replicate validate" after flag parsing.
type validateOptions struct {
	streams
	kind   string // "request" or "response"
	file   string // "-" for standard input
	status int
	output outputFormat
	quiet  bool
}

// parseValidate parses the command line of "cbr-replicate validate".
func parseValidate(s streams, args []string) (*validateOptions, error) {
	o := &validateOptions{streams: s, output: outputText, file: "-"}
	fs := newFlagSet("validate")
	fs.IntVar(&o.status, "status", 200, "HTTP status of the response body (response only)")
	fs.VarP(&o.output, "output", "o", "output format: text or json")
	fs.BoolVarP(&o.quiet, "quiet", "q", false, "print nothing; report through the exit status only")
	if err := parseFlags(s, fs, validateUsage, args); err != nil {
		return nil, err
	}
	rest := fs.Args()
	switch {
	case len(rest) == 0:
		return nil, usagef("missing what to validate: request or response")
	case rest[0] != "request" && rest[0] != "response":
		return nil, usagef("validate request or response, not %q", rest[0])
	case rest[0] == "request" && fs.Changed("status"):
		return nil, usagef("--status applies to response bodies only")
	case o.status < 100 || o.status > 599:
		return nil, usagef("--status %d is not an HTTP status (100-599)", o.status)
	case len(rest) > 2:
		return nil, usagef("one FILE at most, got %d", len(rest)-1)
	}
	o.kind = rest[0]
	if len(rest) == 2 {
		o.file = rest[1]
	}
	return o, nil
}

// validateResult is the --output json document of validate.
type validateResult struct {
	Valid      bool                 `json:"valid"`
	Violations []validate.Violation `json:"violations"`
}

// validateRun checks the body and prints the result on stdout; an invalid
// body is an *invalidError with nothing more to print.
func validateRun(o *validateOptions) error {
	body, err := readInput(o.in, o.file)
	if err != nil {
		return err
	}
	v, err := validate.New()
	if err != nil {
		return fmt.Errorf("load the API description: %w", err)
	}
	if o.kind == "request" {
		err = v.RequestBody(body)
	} else {
		err = v.ResponseBody(o.status, body)
	}
	res := validateResult{Violations: []validate.Violation{}}
	if verr := (*validate.Error)(nil); errors.As(err, &verr) {
		res.Violations = append(res.Violations, verr.Violations...)
	} else if err != nil {
		return fmt.Errorf("validate %s: %w", o.kind, err)
	}
	err = nil
	res.Valid = len(res.Violations) == 0
	switch {
	case o.quiet:
	case o.output == outputJSON:
		err = writeJSON(o.out, res)
	case res.Valid:
		_, err = fmt.Fprintln(o.out, "valid")
	default:
		err = printViolations(o.out, res.Violations)
	}
	if err == nil && !res.Valid {
		err = &invalidError{}
	}
	return err
}

// readInput reads the named file, or standard input for "-", at most
// limit.Input bytes.
func readInput(stdin io.Reader, name string) ([]byte, error) {
	what := name
	if name == "-" {
		what = "standard input"
	}
	b, err := readNamed(stdin, name, limit.Input)
	var oe *openError
	switch _, tooLarge := limit.TooLarge(err); {
	case err == nil:
		return b, nil
	case errors.As(err, &oe):
		return nil, fmt.Errorf("read input: %w", oe.err)
	case tooLarge:
		return nil, fmt.Errorf("%s is larger than 10 MiB, the input limit of validate", what)
	}
	return nil, fmt.Errorf("read %s: %w", what, err)
}
