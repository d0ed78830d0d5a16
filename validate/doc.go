// Package validate checks the HTTP messages of every operation of the
// project's OpenAPI document (package openapi) against it. It is the one
// place where bodies are judged against the spec: the client, the fake and
// the command all call it.
//
// A [Validator] is built once with [New] and is safe for concurrent use. It
// validates whole requests and responses ([Validator.Request],
// [Validator.Response]), bare JSON bodies from files or CI
// ([Validator.RequestBody], [Validator.ResponseBody]), every request a client
// sends ([Validator.Transport]) and every request a server receives
// ([Validator.Middleware]).
//
// Every failure is an [*Error] that lists the violations at once, each a
// [Violation]: where it is, its JSON pointer, the rule it breaks and a plain
// message.
//
// Bodies are read with a bound (requests: [WithMaxBodyBytes], default 1 MiB;
// responses: 16 MiB) and decoded strictly with jsontext: malformed JSON,
// trailing data, duplicate keys, invalid UTF-8, lone surrogate escapes such
// as "\ud800", a leading byte order mark and nesting deeper than 10000 are
// violations. A compressed request body (Content-Encoding other than
// identity) is a violation too. Keys are matched case-sensitively and judged
// by the spec alone: a key such as "VAULT_ID" is an unknown key, rejected in
// the request objects (additionalProperties: false) and allowed in the open
// response objects. Decode responses case-sensitively too (json v2, or the
// value Middleware hands on): encoding/json would bind "VAULT_ID" to
// vault_id.
//
// Path and query parameters must be valid UTF-8, and a query parameter of
// one value given twice is a violation, whatever its values: kin-openapi
// would check the first and a server may read another.
package validate
