package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/cbr-replicate/cbr-replicate/internal/limit"
	"github.com/cbr-replicate/cbr-replicate/internal/redact"
	"github.com/cbr-replicate/cbr-replicate/openapi"
	"github.com/cbr-replicate/cbr-replicate/validate"
)

const validateUsage = `Check JSON request or response bodies of an operation of the CBR API
against its page, and print every violation at once.

Usage:
  cbr-replicate validate request  [--operation ID] [flags] [FILE|DIR|-]...
  cbr-replicate validate response [--operation ID] [--status N] [flags] [FILE|DIR|-]...

The operation is CopyCheckpoint ("Replicating a Restore Point") unless
--operation names another of the spec's: %s.
Each FILE is read, a DIR's regular *.json files (recursively, in name order), or
standard input for - or no argument; each at most 10 MiB. A response body is
checked against what the page documents for --status (default 200; an
undocumented status is a violation).

Output (stdout), for one FILE (or standard input):
  text  "valid", or one violation a line: pointer  rule  message
  json  {"valid": bool, "violations": [{"in", "pointer", "rule", "message"}]}
and for more than one, or a DIR, one result per file:
  text  "FILE  valid", or "FILE  invalid  N violations: pointer rule message; ..."
  json  {"files": [{"file", "valid", "violations", "error"}], "valid": bool}

Flags:
%s
Exit status: 0 every body is valid; 1 a body is invalid; 2 usage or I/O
error (an unreadable file, input over 10 MiB: the other files are still
checked).

Examples:
  cbr-replicate validate request body.json
  cbr-replicate validate request fixtures/requests/
  echo '{"replicate":{}}' | cbr-replicate validate request --output json
  cbr-replicate validate response --status 400 error.json
  cbr-replicate validate response --operation ShowReplicationCapabilities answer.json
`

// validateOptions is "cbr-replicate validate" after flag parsing.
type validateOptions struct {
	streams
	kind      string   // "request" or "response"
	operation string   // the operation's ID
	inputs    []string // files and directories, "-" for standard input
	status    int
	output    outputFormat
	quiet     bool
}

func parseValidate(s streams, args []string) (*validateOptions, error) {
	o := &validateOptions{streams: s, output: outputText}
	fs := newFlagSet("validate")
	fs.StringVar(&o.operation, "operation", "CopyCheckpoint", "the operation whose bodies are checked (its operationId)")
	fs.IntVar(&o.status, "status", 200, "HTTP status of the response body (response only)")
	fs.VarP(&o.output, "output", "o", "output format: text or json")
	fs.BoolVarP(&o.quiet, "quiet", "q", false, "print nothing; report through the exit status only")
	if err := parseFlags(s, fs, fmt.Sprintf(validateUsage, strings.Join(openapi.IDs(), ", "), "%s"), args); err != nil {
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
	case !slices.Contains(openapi.IDs(), o.operation):
		return nil, usagef("--operation %q is not an operation of the spec: %s", o.operation, strings.Join(openapi.IDs(), ", "))
	}
	o.kind, o.inputs = rest[0], rest[1:]
	if len(o.inputs) == 0 {
		o.inputs = []string{"-"}
	}
	return o, nil
}

type fileResult struct {
	File       string               `json:"file"`
	Valid      bool                 `json:"valid"`
	Violations []validate.Violation `json:"violations"`
	Error      string               `json:"error,omitempty"`
}

// validateRun checks every body and prints the results on stdout, each
// as soon as it is known, so that a run over many files holds one result
// at a time; an invalid body is an *invalidError with nothing more to
// print, an unreadable one an error naming it.
func validateRun(o *validateOptions) error {
	v, err := validate.New()
	if err != nil {
		return err
	}
	files := expand(o.inputs)
	perFile := len(files) != 1 || len(o.inputs) != 1 || isDir(o.inputs[0])
	jsonFiles := o.output == outputJSON && perFile && !o.quiet // {"files": [...], "valid": bool}
	if jsonFiles {
		fmt.Fprint(o.out, "{\n  \"files\": [")
	}
	var ioErrs []string
	valid := true
	sep := "" // between the elements of "files"
	for _, name := range files {
		r := o.check(v, name)
		if err := o.print(r, perFile, sep); err != nil {
			return err
		}
		sep = ","
		if r.Error != "" {
			ioErrs = append(ioErrs, r.Error)
		}
		valid = valid && r.Valid
	}
	if jsonFiles {
		if _, err := fmt.Fprintf(o.out, "\n  ],\n  \"valid\": %t\n}\n", valid); err != nil {
			return err
		}
	}
	switch {
	case len(ioErrs) > 0:
		return errors.New(strings.Join(ioErrs, "\n"))
	case !valid:
		return &invalidError{}
	}
	return nil
}

// check validates one body, read bounded.
func (o *validateOptions) check(v *validate.Validator, name string) fileResult {
	r := fileResult{File: name, Violations: []validate.Violation{}}
	body, err := readNamed(o.in, "input", name, limit.Input)
	if err != nil {
		r.Error = err.Error()
		return r
	}
	if o.kind == "request" {
		err = v.RequestBody(o.operation, body)
	} else {
		err = v.ResponseBody(o.operation, o.status, body)
	}
	if verr, ok := errors.AsType[*validate.Error](err); ok {
		r.Violations = verr.Violations
	} else if err != nil {
		r.Error = err.Error()
	}
	r.Valid = err == nil
	return r
}

// print writes one result: a lone body's, or the line (an element of
// "files" with --output json, which validateRun opens and closes, after
// sep) of one file among others.
func (o *validateOptions) print(r fileResult, perFile bool, sep string) error {
	switch {
	case o.quiet:
		return nil
	case o.output == outputJSON && perFile:
		var b bytes.Buffer
		if err := writeJSON(&b, r); err != nil {
			return err
		}
		_, err := fmt.Fprintf(o.out, "%s\n    %s", sep, strings.ReplaceAll(strings.TrimSuffix(b.String(), "\n"), "\n", "\n    "))
		return err
	case o.output == outputJSON:
		return writeJSON(o.out, struct {
			Valid      bool                 `json:"valid"`
			Violations []validate.Violation `json:"violations"`
		}{r.Valid, r.Violations})
	case !perFile && r.Valid:
		_, err := fmt.Fprintln(o.out, "valid")
		return err
	case !perFile:
		return printViolations(o.out, r.Violations)
	}
	var line string
	switch {
	case r.Error != "":
		line = fmt.Sprintf("%s  error  %s\n", redact.Printable(r.File), redact.Line(r.Error))
	case r.Valid:
		line = fmt.Sprintf("%s  valid\n", redact.Printable(r.File))
	default:
		var parts []string
		for _, v := range r.Violations {
			parts = append(parts, violationPlace(v)+" "+v.Rule+" "+v.Message)
		}
		line = fmt.Sprintf("%s  invalid  %d violations: %s\n", redact.Printable(r.File), len(r.Violations), redact.Line(strings.Join(parts, "; ")))
	}
	_, err := io.WriteString(o.out, line)
	return err
}

// expand lists the files the inputs name: a directory's regular *.json
// files (a link counts as what it links to), recursively and in name order,
// and any entry it cannot read, so that it is named; everything else as
// given. A FIFO or a device in a directory is left out: opening one could
// wait forever.
func expand(inputs []string) []string {
	var files []string
	for _, in := range inputs {
		if !isDir(in) {
			files = append(files, in)
			continue
		}
		_ = filepath.WalkDir(in, func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.Type()&fs.ModeSymlink != 0 {
				var st fs.FileInfo
				if st, err = os.Stat(p); err == nil {
					d = fs.FileInfoToDirEntry(st)
				}
			}
			if err != nil || (d.Type().IsRegular() && strings.HasSuffix(d.Name(), ".json")) {
				files = append(files, p) // one it cannot read is checked, and named, as an unreadable file
			}
			return nil
		})
	}
	return files
}

func isDir(name string) bool {
	st, err := os.Stat(name)
	return name != "-" && err == nil && st.IsDir()
}
