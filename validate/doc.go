// Package validate checks HTTP messages of CBR's "Replicating a Restore
// Point" call (POST /v3/{project_id}/checkpoints/replicate) against the
// project's OpenAPI document, embedded in package cbr.
//
// A [Validator] is built once with [New] and is safe for concurrent use. It
// validates whole requests and responses ([Validator.Request],
// [Validator.Response]), bare JSON bodies from files or CI
// ([Validator.RequestBody], [Validator.ResponseBody]), every request a client
// sends ([Validator.Transport]) and every request a server receives
// ([Validator.Middleware]).
//
// Every failure is an [*Error] that lists each violation at once, with where
// it is (path, header, body, status), its JSON pointer, the rule it breaks and
// a plain message. Bodies are decoded strictly: malformed JSON, trailing data,
// duplicate keys and keys that differ from a declared property only in case
// (which encoding/json would bind to that property) are violations too.
package validate
