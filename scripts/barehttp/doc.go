// Command barehttp is the baseline of scripts/load.sh: a bare net/http
// server whose one handler reads the request body (bounded, as the mock
// does) and answers 200 with a fixed JSON body, the API page's 200 example
// (cmd/cbr-replicate/testdata/page-response-200.json, compacted). It does no
// routing, no validation, no logging: what it serves per second is the
// ceiling a Go server on this machine reaches with the same request and
// answer sizes, to which load.sh compares `cbr-replicate mock`.
//
// Usage: go run ./scripts/barehttp [-listen 127.0.0.1:0] [-body FILE]
//
// It prints "listening on http://HOST:PORT" on stdout once it listens, and
// stops cleanly (exit status 0) on SIGINT or SIGTERM.
package main
