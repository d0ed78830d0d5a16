// Command cbr-replicate replicates every backup of an Open Telekom Cloud CBR
// vault into a vault of another region after checking that the documents
// allow it (replicate, check), checks request and response bodies of the
// CBR calls against their pages (validate), and serves a fake of the API on
// loopback for tests (mock). `cbr-replicate --help` and each command's
// --help are its reference; the README has the walk-through.
//
// Each subcommand is an options struct filled by flag parsing (parseX) and
// a run function returning an error (xRun); exitCode maps errors to the exit
// status once, for all: 0 success or valid; 1 invalid input, a violation, a
// failed check or an API error; 2 usage or I/O error, network failure or
// timeout. Results go to standard output, errors to standard error, and
// every text output escapes what a server, a file or standard input
// supplied (redact.Printable).
package main
