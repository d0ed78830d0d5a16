package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"text/tabwriter"

	"github.com/spf13/pflag"

	"github.com/cbr-replicate/cbr-replicate/replicate"
	"github.com/cbr-replicate/cbr-replicate/validate"
)

// Exit codes, the same for every subcommand.
const (
	exitOK      = 0 // success, or the body is valid
	exitInvalid = 1 // invalid input, a violation or an API error
	exitUsage   = 2 // usage or I/O error
)

const progName = "cbr-replicate"

// cli carries the process environment a subcommand runs in, so that tests
// and main supply it the same way.
type cli struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
}

const topUsage = `cbr-replicate replicates every backup of an Open Telekom Cloud CBR vault
into a vault of another region (API page "Replicating a Restore Point",
POST /v3/{project_id}/checkpoints/replicate).

Usage:
  cbr-replicate <command> [flags] [arguments]

Commands:
  replicate   replicate the backups of a vault into a vault of another region
  validate    check a request or response body against the API page
  mock        serve a fake of the API on loopback, for tests and demos
  help        show the help of a command
  version     print the version

Flags:
  -h, --help      show this help
      --version   print the version

Environment:
  OS_AUTH_TOKEN   IAM user token (X-Auth-Token); or use --token-file
  OS_PROJECT_ID   project ID (replicate --project-id)
  OS_REGION_NAME  region, eu-de (default) or eu-nl (replicate --region)

Exit status:
  0  success, or the body is valid
  1  invalid input, a violation or an API error
  2  usage or I/O error

Run 'cbr-replicate <command> --help' for the flags of a command.
`

// run is the whole program: it parses args (without the program name), runs
// the subcommand and returns the exit code.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	c := &cli{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv}
	if len(args) == 0 {
		fmt.Fprint(stderr, topUsage)
		return exitUsage
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "replicate":
		return c.replicate(rest)
	case "validate":
		return c.validate(rest)
	case "mock":
		return c.mock(rest)
	case "help":
		return c.help(rest)
	case "-h", "--help":
		fmt.Fprint(stdout, topUsage)
		return exitOK
	case "version", "--version":
		return c.version(cmd, rest)
	default:
		if strings.HasPrefix(cmd, "-") {
			return c.usageError("", fmt.Errorf("unknown flag %s (flags follow the command)", cmd))
		}
		return c.usageError("", fmt.Errorf("unknown command %q", cmd))
	}
}

// help prints the help of the named command, or the overview.
func (c *cli) help(args []string) int {
	if len(args) == 0 {
		fmt.Fprint(c.stdout, topUsage)
		return exitOK
	}
	if len(args) > 1 {
		return c.usageError("help", fmt.Errorf("help takes one command, got %d arguments", len(args)))
	}
	switch args[0] {
	case "-h", "--help":
		fmt.Fprint(c.stdout, topUsage)
		return exitOK
	case "replicate", "validate", "mock":
		return run([]string{args[0], "--help"}, c.stdin, c.stdout, c.stderr, c.getenv)
	case "help":
		fmt.Fprint(c.stdout, topUsage)
		return exitOK
	case "version":
		fmt.Fprintln(c.stdout, versionUsage)
		return exitOK
	default:
		return c.usageError("help", fmt.Errorf("unknown command %q", args[0]))
	}
}

const versionUsage = "Usage: cbr-replicate version (or --version): print the version and exit."

// version prints the version; it takes no arguments but --help.
func (c *cli) version(cmd string, args []string) int {
	switch {
	case len(args) == 1 && (args[0] == "-h" || args[0] == "--help"):
		fmt.Fprintln(c.stdout, versionUsage)
		return exitOK
	case len(args) > 0:
		return c.usageError("", fmt.Errorf("%s takes no arguments, got %q", cmd, args[0]))
	}
	fmt.Fprintf(c.stdout, "%s %s (%s)\n", progName, replicate.Version, runtime.Version())
	return exitOK
}

// usageError prints err and a pointer to the help of cmd, and returns exit 2.
func (c *cli) usageError(cmd string, err error) int {
	name := progName
	if cmd != "" {
		name += " " + cmd
	}
	fmt.Fprintf(c.stderr, "%s: %v\nRun '%s --help' for usage.\n", name, err, name)
	return exitUsage
}

// fail prints err for cmd on stderr and returns code.
func (c *cli) fail(cmd string, code int, err error) int {
	fmt.Fprintf(c.stderr, "%s %s: %v\n", progName, cmd, err)
	return code
}

// newFlagSet returns a GNU-style flag set that reports errors to the caller
// instead of printing or exiting.
func newFlagSet(name string) *pflag.FlagSet {
	fs := pflag.NewFlagSet(progName+" "+name, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SortFlags = false
	fs.BoolP("help", "h", false, "show this help")
	return fs
}

// parseFlags parses args into fs. It reports whether the caller should
// stop, with the exit code: help printed (0) or a usage error (2).
func (c *cli) parseFlags(cmd string, fs *pflag.FlagSet, usage string, args []string) (stop bool, code int) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			c.printHelp(fs, usage)
			return true, exitOK
		}
		return true, c.usageError(cmd, err)
	}
	if help, _ := fs.GetBool("help"); help {
		c.printHelp(fs, usage)
		return true, exitOK
	}
	return false, exitOK
}

// printHelp prints usage (whose "%s" is replaced by the flag table) to stdout.
func (c *cli) printHelp(fs *pflag.FlagSet, usage string) {
	fmt.Fprintf(c.stdout, usage, fs.FlagUsagesWrapped(100))
}

// outputFormat is the value of --output.
type outputFormat string

const (
	outputText outputFormat = "text"
	outputJSON outputFormat = "json"
)

// String implements pflag.Value.
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

// Type implements pflag.Value.
func (o *outputFormat) Type() string { return "text|json" }

// onceString is a string flag that may be given once: a replication is
// not idempotent, so "--vault-id A --vault-id B" is refused rather than
// silently sending B. Repeating the same value is accepted.
type onceString string

// String implements pflag.Value.
func (o *onceString) String() string { return string(*o) }

// Set implements pflag.Value; it refuses a second, different value.
func (o *onceString) Set(s string) error {
	if *o != "" && string(*o) != s {
		return fmt.Errorf("given twice with different values (%q, then %q)", string(*o), s)
	}
	*o = onceString(s)
	return nil
}

// Type implements pflag.Value.
func (o *onceString) Type() string { return "string" }

// printViolations prints one violation a line, "pointer  rule  message",
// the columns aligned.
func printViolations(w io.Writer, vs []validate.Violation) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, v := range vs {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", violationPlace(v), v.Rule, oneLine(v.Message))
	}
	_ = tw.Flush()
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

// oneLine folds a message onto one line so that each violation stays one.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// writeJSON writes v as indented JSON and a newline.
func writeJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("encode JSON output: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// redactingWriter replaces every occurrence of a secret in what passes
// through it with REDACTED. It is a second line of defence behind the code
// that never prints the token: a library error that echoed it would still
// not reach the terminal.
type redactingWriter struct {
	w      io.Writer
	secret []byte
}

// newRedactingWriter wraps w unless secret is too short to redact safely.
func newRedactingWriter(w io.Writer, secret string) io.Writer {
	if len(secret) < 8 {
		return w
	}
	return &redactingWriter{w: w, secret: []byte(secret)}
}

// Write implements io.Writer; it reports len(p) on success.
func (r *redactingWriter) Write(p []byte) (int, error) {
	if !bytes.Contains(p, r.secret) {
		return r.w.Write(p)
	}
	if _, err := r.w.Write(bytes.ReplaceAll(p, r.secret, []byte(redacted))); err != nil {
		return 0, err
	}
	return len(p), nil
}

const redacted = "REDACTED"
