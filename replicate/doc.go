// Package replicate is the one-call client of Open Telekom Cloud CBR's
// "Replicating a Restore Point" (POST /v3/{project_id}/checkpoints/replicate),
// built on the generated package cbr.
//
// New resolves the endpoint from the spec's server template (Options.Region:
// "eu-de", the default, or "eu-nl") or takes Options.Endpoint (https; http
// only to a loopback host or with Options.AllowInsecureHTTP, since the token
// would travel in clear).
//
// One path from the caller to the wire: [Client.NewRequest] encodes the
// request body once, checks those bytes against the spec once (package
// validate, unless Options.SkipRequestValidation) and returns an
// *http.Request carrying exactly them, with X-Auth-Token from the
// TokenSource; [Client.Do] sends it once and reads the answer once, at most
// 16 MiB, validating the same bytes when Options.ValidateResponses is set.
// [Client.Replicate] is NewRequest followed by Do; a dry run is NewRequest
// alone. No layer of transports rewrites or re-reads the request on its way.
//
// Errors:
//
//   - An invalid request is never sent; the error wraps *validate.Error.
//   - A non-2xx answer is an *APIError with the status, the CBR error code and
//     message, the X-Request-Id and, in Error(), what the code means in plain
//     words (CodeMeaning, IsCode; the meanings are the spec's,
//     validate.ErrorCodes).
//   - A 2xx answer that is not the page's response (or over 16 MiB) is a
//     *DecodeError; with Options.ValidateResponses, an answer that breaks the
//     spec is a *validate.ResponseError (a non-2xx one is an *APIError as
//     well). Answers are decoded case-sensitively: a key that differs from a
//     field only in case never binds to it.
//   - Transport failures, before or after the headers (a timeout while the
//     body is read included), wrap what net/http returns
//     (context.DeadlineExceeded, context.Canceled, io.ErrUnexpectedEOF, ...)
//     and say whether the request may have reached CBR.
//
// The token never appears in an error or in the printed form of Options,
// Client or StaticToken: the *http.Response kept in an APIError has its
// secret headers redacted, and a token that a gateway echoes back is
// replaced by "[REDACTED]" (tokens of 8 bytes or more; package
// internal/redact is the one place that does it).
//
// Authentication: Options.Token (an IAM token source: a static token, or a
// signed-in session of package auth) sets X-Auth-Token; Options.Signer signs
// each request over its exact body bytes instead (AK/SK, package aksk).
//
// No retries. Replicating is not idempotent: a second POST starts a second
// replication. Client.Do sends each request at most once and has no retry
// loop, and net/http does not replay it either: its Transport re-sends a
// request on a broken keep-alive connection only if it is idempotent or has
// an Idempotency-Key or X-Idempotency-Key header (this package sets neither),
// and it rewinds a body only through Request.GetBody, which NewRequest and
// Do leave nil. What remains is HTTP/2 re-sending a request whose connection
// proved unusable before anything was written. Redirects are not followed (a
// 307 or 308 would re-send the POST, and X-Auth-Token to whatever host it
// names): a 3xx answer is an *APIError. An Options.HTTPClient whose own
// Transport retries defeats this guarantee. When a call fails after the
// request was written (a timeout, a dropped connection, an unreadable
// answer), the error says that the replication may have started: check the
// vault's replication records before trying again. The one exception: a 401
// answer means CBR refused the request before anything started, so
// Client.Replicate, when its TokenSource can renew (TokenInvalidator),
// renews the token and sends the request once more, exactly once.
package replicate
