// Package client calls Open Telekom Cloud CBR's API, every operation the
// project's spec describes, through one core that holds every guarantee,
// in the shape of go-github: [Client.NewRequest] builds the request of an
// operation with a generated builder of package cbr, encodes its body, and
// validates (package validate) and authenticates exactly those bytes once;
// [Client.Do] sends them once and decodes the answer. A dry run is
// NewRequest alone, the typed operations ([Client.Replicate], ...) are
// NewRequest and Do, and no layer of transports rewrites or re-reads a
// request on its way. [Options] says where requests go: a region, or an
// endpoint in any form [ServiceRoot] takes.
//
// Errors:
//
//   - An invalid request is never sent; the error wraps *validate.Error.
//   - An option New refuses is an *OptionError naming the field.
//   - A non-2xx answer is an *APIError with the status, the CBR error code and
//     message, the X-Request-Id and, in Error(), what the code means in plain
//     words (CodeMeaning, IsCode; the meanings are the spec's,
//     openapi.ErrorCodes).
//   - A 2xx answer that is not the operation's documented response (or over
//     16 MiB) is a *DecodeError; with Options.ValidateResponses, an answer
//     that breaks the spec is a *validate.ResponseError (a non-2xx one is an
//     *APIError as well). Answers are decoded case-sensitively: a key that
//     differs from a field only in case never binds to it.
//   - Transport failures, before or after the headers (a timeout while the
//     body is read included), wrap what net/http returns
//     (context.DeadlineExceeded, context.Canceled, io.ErrUnexpectedEOF, ...).
//
// The token never appears in an error or in the printed form of Options,
// Client or StaticToken: the *http.Response kept in an APIError has its
// secret headers redacted, and a token (or an AK/SK security token) that
// a gateway echoes back is replaced by "[REDACTED]" (package internal/redact).
//
// No retries. An operation that is not idempotent (CopyCheckpoint, a POST:
// a second request starts a second replication) is sent at most once: Do has
// no retry loop, and net/http does not replay it either: its Transport
// re-sends a request on a broken keep-alive connection only if it is
// idempotent or has an Idempotency-Key or X-Idempotency-Key header (this
// package sets neither), and it rewinds a body only through
// Request.GetBody, which NewRequest and Do leave nil. What remains is
// HTTP/2 re-sending a request whose connection proved unusable before
// anything was written. Redirects are not followed (a 307 or 308 would
// re-send the request, and X-Auth-Token to whatever host it names): a 3xx
// answer is an *APIError. An Options.HTTPClient whose own Transport retries
// defeats this guarantee. When a call of such an operation fails after the
// request was written, the error says that it may have started: check the
// vault's replication records before trying again. The one exception, for
// every operation: a 401 answer means CBR refused the request before
// anything started, so Do renews a renewable token once and sends again.
package client
