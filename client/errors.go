package client

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/cbr-replicate/cbr-replicate/internal/limit"
	"github.com/cbr-replicate/cbr-replicate/internal/redact"
	"github.com/cbr-replicate/cbr-replicate/openapi"
	"github.com/cbr-replicate/cbr-replicate/validate"
)

// ErrEmptyToken is returned, before anything is sent, when the token source
// gives an empty token.
var ErrEmptyToken = errors.New("client: the token source returned an empty token (nothing was sent)")

// OptionError is an option New refuses. Its fields let a program say what
// was wrong in its own words (a command names its flag, or says that an
// endpoint came from the service catalog).
type OptionError struct {
	// Field names the field of Options: "Endpoint", "Region", "ProjectID",
	// "Token", "Timeout" or "UserAgent".
	Field string
	// Value is the value refused, as it may be shown (a URL through
	// redact.URL); "" when it is not shown.
	Value string
	// Reason says what is wrong with it, e.g. "has no host".
	Reason string
	// Insecure tells an endpoint that is plain http to a host that is not
	// loopback: allowed with Options.AllowInsecureHTTP.
	Insecure bool
	// ProjectID is the project an Endpoint names when it is not the
	// request's project; "" otherwise.
	ProjectID string
}

// Error reads like `client: Options.Endpoint "http://x" has no host`.
func (e *OptionError) Error() string {
	if e == nil {
		return "<nil>"
	}
	if e.Value == "" {
		return "client: Options." + e.Field + " " + e.Reason
	}
	return fmt.Sprintf("client: Options.%s %q %s", e.Field, e.Value, e.Reason)
}

// APIError is a non-2xx answer of the CBR API, like go-github's ErrorResponse.
// Code and Message come from the CBR error body (error_code and error_msg,
// or code and message as Huawei Cloud's SDK falls back to); the raw body,
// JSON or not (a gateway's HTML page, an empty body), is kept in Body.
type APIError struct {
	// StatusCode is the HTTP status of the answer.
	StatusCode int
	// Code is the CBR error code, e.g. "BackupService.6120"; "" if none.
	Code string
	// Message is the service's error message; "" if none.
	Message string
	// RequestID is the X-Request-Id response header (or the body's request_id).
	RequestID string
	// Body is the raw body, at most limit.ErrorBody bytes.
	Body []byte
	// Response is the answer (its body consumed) with the secret headers
	// (X-Auth-Token, ...) of its Request redacted.
	Response *http.Response
}

// Error names the status, the code, what the code means in plain words, and
// the request id to quote to support.
func (e *APIError) Error() string {
	if e == nil {
		return "<nil>"
	}
	var b strings.Builder
	b.WriteString("client: CBR answered ")
	b.WriteString(statusText(e.StatusCode))
	// The server's words, each cut (after scrubToken redacted them).
	code, msg, meaning := limit.Text(e.Code, limit.Message), limit.Text(e.Message, limit.Message), CodeMeaning(e.Code)
	switch {
	case meaning != "":
		fmt.Fprintf(&b, ": %s: %s", code, meaning)
		if msg != "" {
			fmt.Fprintf(&b, "; service says %q", msg)
		}
	case code != "" && msg != "":
		fmt.Fprintf(&b, ": %s: %s", code, msg)
	case code != "" || msg != "":
		fmt.Fprintf(&b, ": %s", cmp.Or(code, msg))
	case len(bytes.TrimSpace(e.Body)) == 0:
		b.WriteString(" with an empty body")
	default:
		fmt.Fprintf(&b, " with a body that is not a CBR error: %q", bodySummary(e.Body))
	}
	return b.String() + requestIDNote(e.RequestID)
}

// requestIDNote is what an error adds for the request ID of its answer
// (the server's words, cut): "" for none.
func requestIDNote(id string) string {
	if id == "" {
		return ""
	}
	return " [X-Request-Id " + limit.Text(id, limit.Message) + "]"
}

// CodeMeaning returns, in plain words, what a CBR error code means, or ""
// for a code the spec does not document. It accepts the full code
// ("BackupService.6120") or its number alone ("6120"). The meanings are the
// spec's (openapi.ErrorCodes).
func CodeMeaning(code string) string {
	e, _ := openapi.LookupErrorCode(code)
	return e.Meaning
}

// IsCode reports whether err is, or wraps, an *APIError with the given CBR
// error code ("BackupService.6120" or "6120").
func IsCode(err error, code string) bool {
	e, ok := errors.AsType[*APIError](err)
	return ok && e.Code != "" && openapi.NormalizeCode(e.Code) == openapi.NormalizeCode(code)
}

// StatusCode returns the HTTP status of the *APIError in err's chain, or 0.
func StatusCode(err error) int {
	if e, ok := errors.AsType[*APIError](err); ok {
		return e.StatusCode
	}
	return 0
}

// CheckResponse returns nil for a 2xx answer and, as Client.Do decides, an
// *APIError for any other, for callers of the generated client: it reads at
// most limit.ErrorBody bytes of the body (the caller still closes it), and
// the APIError keeps a copy of resp whose Request has its secrets redacted.
func CheckResponse(resp *http.Response) error {
	if succeeded(resp) {
		return nil
	}
	body, err := limit.ReadAll(resp.Body, limit.ErrorBody)
	e := newAPIError(resp, body)
	if _, tooLarge := limit.TooLarge(err); err != nil && !tooLarge && e.Message == "" {
		e.Message = "reading the error body failed: " + err.Error()
	}
	return e
}

// succeeded reports whether resp is a 2xx answer: the one rule of what
// counts as success, for CheckResponse and Client.Do alike.
func succeeded(resp *http.Response) bool {
	return resp.StatusCode >= 200 && resp.StatusCode <= 299
}

// newAPIError builds the *APIError of a non-2xx answer whose body was read.
func newAPIError(resp *http.Response, body []byte) *APIError {
	kept := *resp // a copy: the caller's response is left as it is
	kept.Request = redact.Request(resp.Request)
	e := &APIError{
		StatusCode: resp.StatusCode,
		RequestID:  resp.Header.Get("X-Request-Id"),
		Body:       clip(body),
		Response:   &kept,
	}
	parseErrorBody(e)
	if loc := resp.Header.Get("Location"); loc != "" && e.Code == "" && e.Message == "" && resp.StatusCode/100 == 3 {
		e.Message = "redirect to " + loc + " not followed (a request is never re-sent)"
	}
	return e
}

// clip returns a copy of at most limit.ErrorBody bytes of body, for an
// error that keeps it.
func clip(body []byte) []byte {
	return bytes.Clone(body[:min(len(body), int(limit.ErrorBody))])
}

// parseErrorBody fills Code, Message and RequestID from a JSON error body,
// tolerant of what gateways and services send in the wild: error_code or
// code (string or number), error_msg or message, possibly nested in "error".
func parseErrorBody(e *APIError) {
	var top map[string]json.RawMessage
	if json.Unmarshal(e.Body, &top) != nil {
		return
	}
	var nested map[string]json.RawMessage
	_ = json.Unmarshal(top["error"], &nested) // stays nil unless "error" is an object
	for _, o := range []map[string]json.RawMessage{top, nested} {
		e.Code = cmp.Or(e.Code, firstScalar(o, "error_code", "code"))
		e.Message = cmp.Or(e.Message, firstScalar(o, "error_msg", "message", "error_message", "msg", "error"))
		e.RequestID = cmp.Or(e.RequestID, firstScalar(o, "request_id"))
	}
}

// firstScalar returns the first of keys whose value is a non-empty string or
// a number, as text.
func firstScalar(o map[string]json.RawMessage, keys ...string) string {
	for _, k := range keys {
		var s string
		if json.Unmarshal(o[k], &s) == nil && strings.TrimSpace(s) != "" {
			return strings.TrimSpace(s)
		}
		var n json.Number
		if json.Unmarshal(o[k], &n) == nil && n != "" {
			return n.String()
		}
	}
	return ""
}

// DecodeError is a 2xx answer whose body is not the operation's documented
// response: the request was accepted, so an operation that is not
// idempotent may have started.
type DecodeError struct {
	// OperationID names the operation, e.g. "CopyCheckpoint".
	OperationID string
	// StatusCode is the HTTP status of the answer.
	StatusCode int
	// RequestID is the X-Request-Id response header.
	RequestID string
	// Body is the raw body, at most limit.ErrorBody bytes.
	Body []byte
	// Err is the decoding failure.
	Err error

	started string // what Error adds for an operation that is not idempotent
}

// newDecodeError builds the *DecodeError of a 2xx answer that is not the
// operation's response.
func newDecodeError(op openapi.Operation, resp *http.Response, body []byte, err error) *DecodeError {
	return &DecodeError{
		OperationID: op.ID,
		StatusCode:  resp.StatusCode,
		RequestID:   resp.Header.Get("X-Request-Id"),
		Body:        clip(body),
		Err:         err,
		started:     mayHaveStarted(op),
	}
}

// Error says that the answer could not be read and, for an operation that
// is not idempotent, that it may nevertheless have started.
func (e *DecodeError) Error() string {
	if e == nil {
		return "<nil>"
	}
	return fmt.Sprintf("client: CBR answered %s to %s but its body is not the documented response (%v)%s",
		statusText(e.StatusCode), e.OperationID, e.Err, e.started) + requestIDNote(e.RequestID)
}

// Unwrap returns the decoding failure.
func (e *DecodeError) Unwrap() error {
	if e == nil {
		return nil
	}
	return e.Err
}

// statusText is "404 Not Found", or the number alone for a status
// net/http does not name.
func statusText(code int) string {
	return strings.TrimSpace(fmt.Sprintf("%d %s", code, http.StatusText(code)))
}

var (
	htmlTitle = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)
	htmlTag   = regexp.MustCompile(`(?s)<[^>]*>`)
)

// bodySummary shortens a non-JSON body for a one-line message: an HTML
// page's title, or its text with tags and runs of blanks removed.
func bodySummary(body []byte) string {
	s := string(body)
	if ct := http.DetectContentType(body); strings.HasPrefix(ct, "text/html") {
		if m := htmlTitle.FindStringSubmatch(s); m != nil && strings.TrimSpace(m[1]) != "" {
			s = m[1]
		} else {
			s = htmlTag.ReplaceAllString(s, " ")
		}
	}
	return limit.Text(redact.Fold(s), 120)
}

// scrubToken replaces toks (the token, the security token; "" for none) in
// the parts of err that quote the server's answer (bodies, messages,
// headers), in case a gateway echoes the request. It edits the error
// values in place: they were made for this call.
func scrubToken(err error, toks ...string) error {
	if err == nil || strings.Join(toks, "") == "" {
		return err
	}
	str := func(s string) string { return redact.String(s, toks...) }
	body := func(b []byte) []byte { return []byte(str(string(b))) }
	hdr := func(h http.Header) {
		for _, vs := range h {
			for i := range vs {
				vs[i] = str(vs[i])
			}
		}
	}
	if apiErr, ok := errors.AsType[*APIError](err); ok {
		apiErr.Code, apiErr.Message, apiErr.RequestID = str(apiErr.Code), str(apiErr.Message), str(apiErr.RequestID)
		apiErr.Body = body(apiErr.Body)
		hdr(apiErr.Response.Header) // newAPIError always keeps the response
	}
	if de, ok := errors.AsType[*DecodeError](err); ok {
		de.Body, de.RequestID = body(de.Body), str(de.RequestID)
	}
	if re, ok := errors.AsType[*validate.ResponseError](err); ok {
		re.Body = body(re.Body)
		hdr(re.Header)
	}
	if ve, ok := errors.AsType[*validate.Error](err); ok {
		for i := range ve.Violations {
			ve.Violations[i].Message = str(ve.Violations[i].Message)
			ve.Violations[i].Pointer = str(ve.Violations[i].Pointer)
		}
	}
	if msg := err.Error(); str(msg) != msg {
		return scrubbed{err: err, toks: toks} // a transport error that quotes it
	}
	return err
}

// scrubbed hides a token in the message of an error that is not one of
// this package's types, and still unwraps to it (errors.Is keeps working).
type scrubbed struct {
	err  error
	toks []string
}

func (s scrubbed) Error() string { return redact.String(s.err.Error(), s.toks...) }
func (s scrubbed) Unwrap() error { return s.err }
