// Package replicate is the one-call client of Open Telekom Cloud CBR's
// "Replicating a Restore Point" (POST /v3/{project_id}/checkpoints/replicate),
// built on the generated package cbr.
//
// New resolves the endpoint from the spec's server template (Options.Region,
// "eu-de" or "eu-nl") or takes Options.Endpoint; Client.Replicate asks the
// TokenSource for a token, sends the request with X-Auth-Token and a
// User-Agent naming this project, and returns the page's response body.
//
// Safety:
//
//   - Requests are checked against the spec before they leave (package
//     validate); an invalid one is never sent and the error wraps
//     *validate.Error. Options.ValidateResponses also checks the answers.
//   - A non-2xx answer is an *APIError with the status, the CBR error code
//     and message, the X-Request-Id and, in Error(), what the code means in
//     plain words (CodeMeaning). A 2xx answer that cannot be read is a
//     *DecodeError.
//   - The token never appears in an error or in the printed form of
//     Options, Client or StaticToken; the *http.Response kept in an APIError
//     has X-Auth-Token redacted.
//
// No retries: replicating is not idempotent, a second POST starts a second
// replication. Client.Replicate sends each request at most once and never
// retries, and it sets no Idempotency-Key header, so net/http's Transport
// does not replay it either: the base transport gets the request without
// GetBody, which leaves net/http only the replay of a request nothing of
// which was written (an HTTP/2 connection found unusable before sending).
// Redirects are not followed (a 307/308 would re-send the POST, and
// X-Auth-Token to another host): a 3xx answer is an *APIError. An
// Options.HTTPClient whose own Transport retries defeats this guarantee.
// When a call fails after the request was written (a timeout, a dropped
// connection, an unreadable answer), the error says the replication may
// have started: check the vault's replication records before trying again.
package replicate
