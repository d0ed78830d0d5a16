package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"

	"github.com/spf13/pflag"

	"github.com/cbr-replicate/cbr-replicate/client"
	"github.com/cbr-replicate/cbr-replicate/internal/redact"
)

// Exit codes, the same for every subcommand; exitCode maps errors to them.
const (
	exitOK      = 0 // success, or the body is valid
	exitInvalid = 1 // invalid input, a violation or an API error
	exitUsage   = 2 // usage or I/O error, network failure, timeout
)

const progName = "cbr-replicate"

// streams is the process environment a subcommand runs in, so that tests
// and main supply it the same way.
type streams struct {
	in     io.Reader
	out    io.Writer
	errOut io.Writer
	getenv func(string) string
	tty    bool // standard input and standard error are a terminal: ask, show progress
}

const topUsage = `cbr-replicate replicates every backup of an Open Telekom Cloud CBR vault
into a vault of another region (API page "Replicating a Restore Point",
POST /v3/{project_id}/checkpoints/replicate), after checking with the calls
the API documents that the documents allow it: a vault can be replicated to
a region only once, ever.

Usage:
  cbr-replicate <command> [flags] [arguments]

Commands:
  replicate   replicate the backups of a vault into a vault of another region
  check       check a replication before it is sent, and send nothing
  validate    check request or response bodies of a call against its page
  mock        serve a fake of the API on loopback, for tests and demos
  help        show the help of a command
  version     print the version

Flags:
  -h, --help      show this help
      --version   print the version

Environment (replicate; 'cbr-replicate replicate --help' gives the order):
  OS_AUTH_TOKEN   IAM user token (X-Auth-Token); or use --token-file
  OS_ACCESS_KEY, OS_SECRET_KEY, OS_SECURITY_TOKEN
                  access key, secret key (and a temporary pair's security
                  token): sign requests (AK/SK)
  OS_CLOUD        sign in with this cloud of clouds.yaml (or --os-cloud)
  OS_AUTH_URL, OS_USERNAME, OS_PASSWORD, OS_USER_DOMAIN_NAME, OS_PROJECT_NAME
                  sign in with the variables of an openrc
  OS_PASSCODE     with OS_USER_ID: sign in with login protection (virtual MFA)
  OS_PROJECT_ID   project ID (replicate --project-id; default: the token's)
  OS_REGION_NAME  region, eu-de (default) or eu-nl (replicate --region)

Exit status:
  0  success, or the body is valid
  1  invalid input, a violation, a failed check or an API error
  2  usage or I/O error (for check: a check that could not run)

Run 'cbr-replicate <command> --help' for the flags of a command.
`

const versionUsage = "Usage: cbr-replicate version (or --version): print the version and exit."

// run is the whole program: it runs the command args names (without the
// program name) until ctx ends, reports its error and returns the exit code.
func run(ctx context.Context, args []string, s streams) int {
	cmd, err := dispatch(ctx, args, s)
	return report(s.errOut, cmd, err)
}

// dispatch parses args and runs the command; it returns the command's name
// for the error report.
func dispatch(ctx context.Context, args []string, s streams) (string, error) {
	if len(args) == 0 {
		fmt.Fprint(s.errOut, topUsage)
		return "", &usageError{}
	}
	cmd, rest := args[0], args[1:]
	var err error
	switch cmd {
	case "replicate", "check":
		var o *replicateOptions
		if o, err = parseCall(s, cmd, rest); err == nil {
			err = replicateRun(ctx, o)
		}
	case "validate":
		var o *validateOptions
		if o, err = parseValidate(s, rest); err == nil {
			err = validateRun(o)
		}
	case "mock":
		var o *mockOptions
		if o, err = parseMock(s, rest); err == nil {
			err = mockRun(ctx, o)
		}
	case "help":
		err = help(ctx, s, rest)
	case "-h", "--help":
		_, err = fmt.Fprint(s.out, topUsage)
	case "version", "--version":
		err = version(s, cmd, rest)
		cmd = ""
	default:
		if strings.HasPrefix(cmd, "-") {
			return "", usagef("unknown flag %s (flags follow the command)", cmd)
		}
		return "", usagef("unknown command %q", cmd)
	}
	if errors.Is(err, errHelp) {
		err = nil
	}
	return cmd, err
}

// help prints the help of the named command, or the overview.
func help(ctx context.Context, s streams, args []string) error {
	switch {
	case len(args) > 1:
		return usagef("help takes one command, got %d arguments", len(args))
	case len(args) == 0 || args[0] == "help":
		_, err := fmt.Fprint(s.out, topUsage)
		return err
	}
	_, err := dispatch(ctx, []string{args[0], "--help"}, s) // an unknown command is refused there
	return err
}

// version prints the version; it takes no arguments but --help.
func version(s streams, cmd string, args []string) error {
	switch {
	case len(args) == 1 && (args[0] == "-h" || args[0] == "--help"):
		_, err := fmt.Fprintln(s.out, versionUsage)
		return err
	case len(args) > 0:
		return usagef("%s takes no arguments, got %q", cmd, args[0])
	}
	_, err := fmt.Fprintf(s.out, "%s %s (%s)\n", progName, client.Version, runtime.Version())
	return err
}

// usageError is a command line the command cannot run: exit 2, with a
// pointer to the help. A nil err means the usage was printed already.
type usageError struct{ err error }

func (e *usageError) Error() string { return messageOf(e.err) }
func (e *usageError) Unwrap() error { return e.err }

func usagef(format string, a ...any) error {
	return &usageError{err: fmt.Errorf(format, a...)}
}

// invalidError is invalid input, a violation, an API error or an answer
// that is not the page's: exit 1. A nil err means the output said so already.
type invalidError struct{ err error }

func (e *invalidError) Error() string { return messageOf(e.err) }
func (e *invalidError) Unwrap() error { return e.err }

func messageOf(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// errHelp is returned by a parser that printed the help: exit 0.
var errHelp = errors.New("help printed")

// exitCode is the one mapping from a command's error to the exit status:
// none is 0, a *usageError 2, an *invalidError 1, and every other error
// (I/O, network failure, timeout, interruption) 2.
func exitCode(err error) int {
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, new(*usageError)):
		return exitUsage
	case errors.As(err, new(*invalidError)):
		return exitInvalid
	}
	return exitUsage
}

// report prints err on w as "cbr-replicate CMD: message" (with a pointer to
// the help for a usage error), each line escaped by redact.Printable, and returns
// the exit code.
func report(w io.Writer, cmd string, err error) int {
	code := exitCode(err)
	msg := strings.TrimSuffix(messageOf(err), "\n")
	if msg == "" {
		return code
	}
	name := strings.TrimSpace(progName + " " + cmd)
	lines := strings.Split(msg, "\n")
	for i, l := range lines {
		lines[i] = redact.Printable(l)
	}
	fmt.Fprintf(w, "%s: %s\n", name, strings.Join(lines, "\n"))
	if errors.As(err, new(*usageError)) {
		fmt.Fprintf(w, "Run '%s --help' for usage.\n", name)
	}
	return code
}

// newFlagSet returns a GNU-style flag set for cmd that reports errors to
// the caller instead of printing or exiting.
func newFlagSet(cmd string) *pflag.FlagSet {
	fs := pflag.NewFlagSet(progName+" "+cmd, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SortFlags = false
	fs.BoolP("help", "h", false, "show this help")
	return fs
}

// parseFlags makes every flag of fs a once-only flag, parses args into it,
// and prints the help (usage with "%s" replaced by the flag table) for
// --help: errHelp. A parse failure is a *usageError.
func parseFlags(s streams, fs *pflag.FlagSet, usage string, args []string) error {
	fs.VisitAll(func(f *pflag.Flag) { f.Value = &onceValue{Value: f.Value} })
	err := fs.Parse(args)
	if help, _ := fs.GetBool("help"); errors.Is(err, pflag.ErrHelp) || (err == nil && help) {
		fmt.Fprintf(s.out, usage, fs.FlagUsagesWrapped(100))
		return errHelp
	}
	if err != nil {
		return &usageError{err: err}
	}
	return nil
}

// onceValue is a flag that may be given once: "--vault-id A --vault-id B"
// (a replication is not idempotent) or "--status 200 --status 400" is
// refused rather than silently taking the last. Repeating the same value
// (as the flag's type reads it: 60s and 1m are one duration) is accepted.
type onceValue struct {
	pflag.Value
	set bool
}

// Set implements pflag.Value; it refuses a second, different value.
func (o *onceValue) Set(s string) error {
	before := o.Value.String()
	if err := o.Value.Set(s); err != nil {
		return err
	}
	if after := o.Value.String(); o.set && after != before {
		return fmt.Errorf("given twice with different values (%q, then %q)", before, after)
	}
	o.set = true
	return nil
}

// outputFormat is the value of --output.
type outputFormat string

const (
	outputText outputFormat = "text"
	outputJSON outputFormat = "json"
)

func (o *outputFormat) String() string { return string(*o) }

// Set implements pflag.Value and accepts only text and json.
func (o *outputFormat) Set(s string) error {
	switch outputFormat(s) {
	case outputText, outputJSON:
		*o = outputFormat(s)
		return nil
	}
	return fmt.Errorf("must be text or json, not %q", s)
}

func (o *outputFormat) Type() string { return "text|json" }

// writeJSON writes v as indented JSON and a newline.
func writeJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("encode JSON output: %w", err)
	}
	_, err := w.Write(redact.JSON(buf.Bytes()))
	return err
}
