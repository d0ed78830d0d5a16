// Package replicate is the one-call client of Open Telekom Cloud CBR's
// "Replicating a Restore Point" (POST /v3/{project_id}/checkpoints/replicate),
// built on the generated package cbr.
//
// New resolves the endpoint from the spec's server template (Options.Region:
// "eu-de", the default, or "eu-nl") or takes Options.Endpoint; Client.Replicate
// asks the TokenSource for a token, sends the request with X-Auth-Token and a
// User-Agent naming this project, and returns the page's response body.
//
// Errors:
//
//   - An invalid request (checked against the spec by package validate unless
//     Options.SkipRequestValidation) is never sent; the error wraps
//     *validate.Error.
//   - A non-2xx answer is an *APIError with the status, the CBR error code and
//     message, the X-Request-Id and, in Error(), what the code means in plain
//     words (CodeMeaning, IsCode).
//   - A 2xx answer that cannot be read is a *DecodeError; with
//     Options.ValidateResponses, an answer that breaks the spec is a
//     *validate.ResponseError (a non-2xx one is an *APIError as well).
//   - Transport failures wrap what net/http returns (context.DeadlineExceeded,
//     context.Canceled, ...) and say whether the request may have reached CBR.
//
// The token never appears in an error or in the printed form of Options,
// Client or StaticToken: the *http.Response kept in an APIError has
// X-Auth-Token redacted, and a token that a gateway echoes back in a body is
// replaced by "[REDACTED]" (tokens of 8 bytes or more).
//
// No retries. Replicating is not idempotent: a second POST starts a second
// replication. Client.Replicate sends each request at most once and has no
// retry loop, and net/http does not replay it either: its Transport re-sends a
// request on a broken keep-alive connection only if it is idempotent or has
// an Idempotency-Key or X-Idempotency-Key header (this package sets neither),
// and it rewinds a body only through Request.GetBody, which this package
// clears before the request reaches the transport. What remains is HTTP/2
// re-sending a request whose connection proved unusable before anything was
// written. Redirects are not followed (a 307 or 308 would re-send the POST,
// and X-Auth-Token to whatever host it names): a 3xx answer is an *APIError.
// An Options.HTTPClient whose own Transport retries defeats this guarantee.
// When a call fails after the request was written (a timeout, a dropped
// connection, an unreadable answer), the error says that the replication may
// have started: check the vault's replication records before trying again.
package replicate
