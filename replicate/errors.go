package replicate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/cbr-replicate/cbr-replicate/internal/limit"
	"github.com/cbr-replicate/cbr-replicate/internal/redact"
	"github.com/cbr-replicate/cbr-replicate/validate"
)

// MaxErrorBody is how many bytes of an error answer's body APIError keeps.
const MaxErrorBody = 64 << 10

// ErrEmptyToken is returned, before anything is sent, when the token source
// gives an empty token.
var ErrEmptyToken = errors.New("replicate: the token source returned an empty token")

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
	// Body is the raw body, at most MaxErrorBody bytes.
	Body []byte
	// Response is the answer (its body consumed) with the secret headers
	// (X-Auth-Token, ...) of its Request redacted.
	Response *http.Response
}

// Error names the status, the code, what the code means in plain words, and
// the request id to quote to support.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("replicate: CBR answered ")
	b.WriteString(statusText(e.StatusCode))
	switch {
	case e.Code != "":
		b.WriteString(": ")
		b.WriteString(e.Code)
		if m := CodeMeaning(e.Code); m != "" {
			b.WriteString(": ")
			b.WriteString(m)
			if e.Message != "" {
				fmt.Fprintf(&b, "; service says %q", shorten(e.Message, 200))
			}
		} else if e.Message != "" {
			fmt.Fprintf(&b, ": %s", shorten(e.Message, 200))
		}
	case e.Message != "":
		fmt.Fprintf(&b, ": %s", shorten(e.Message, 200))
	case len(bytes.TrimSpace(e.Body)) == 0:
		b.WriteString(" with an empty body")
	default:
		fmt.Fprintf(&b, " with a body that is not a CBR error: %q", bodySummary(e.Body))
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " [X-Request-Id %s]", e.RequestID)
	}
	return b.String()
}

// IsCode reports whether err is, or wraps, an *APIError with the given CBR
// error code ("BackupService.6120" or "6120").
func IsCode(err error, code string) bool {
	var e *APIError
	return errors.As(err, &e) && e.Code != "" && validate.NormalizeCode(e.Code) == validate.NormalizeCode(code)
}

// StatusCode returns the HTTP status of the *APIError in err's chain, or 0.
func StatusCode(err error) int {
	var e *APIError
	if errors.As(err, &e) {
		return e.StatusCode
	}
	return 0
}

// CheckResponse returns nil for a 2xx answer and an *APIError for any other,
// reading at most MaxErrorBody bytes of its body; the caller still closes
// the body. It is the one place that decides what counts as an API error,
// for callers of the generated client; Client.Do decides the same way.
// The APIError keeps a copy of resp whose Request has its secret headers
// redacted.
func CheckResponse(resp *http.Response) error {
	if succeeded(resp) {
		return nil
	}
	body, err := limit.ReadAll(resp.Body, MaxErrorBody)
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
	if e.Code == "" && e.Message == "" && resp.StatusCode >= 300 && resp.StatusCode <= 399 {
		if loc := resp.Header.Get("Location"); loc != "" {
			e.Message = "redirect to " + loc + " not followed (a POST is never re-sent)"
		}
	}
	return e
}

// newDecodeError builds the *DecodeError of a 2xx answer that is not the
// page's response.
func newDecodeError(resp *http.Response, body []byte, err error) *DecodeError {
	return &DecodeError{
		StatusCode:  resp.StatusCode,
		ContentType: resp.Header.Get("Content-Type"),
		RequestID:   resp.Header.Get("X-Request-Id"),
		Body:        clip(body),
		Err:         err,
	}
}

// clip returns a copy of at most MaxErrorBody bytes of body, for an error
// that keeps it.
func clip(body []byte) []byte {
	if len(body) > MaxErrorBody {
		body = body[:MaxErrorBody]
	}
	return bytes.Clone(body)
}

// parseErrorBody fills Code, Message and RequestID from a JSON error body,
// tolerant of what gateways and services send in the wild: error_code or
// code (string or number), error_msg or message, possibly nested in "error".
func parseErrorBody(e *APIError) {
	var top map[string]json.RawMessage
	if json.Unmarshal(e.Body, &top) != nil {
		return
	}
	objs := []map[string]json.RawMessage{top}
	var nested map[string]json.RawMessage
	if raw, ok := top["error"]; ok && json.Unmarshal(raw, &nested) == nil {
		objs = append(objs, nested)
	}
	for _, o := range objs {
		if e.Code == "" {
			e.Code = firstScalar(o, "error_code", "code")
		}
		if e.Message == "" {
			e.Message = firstScalar(o, "error_msg", "message", "error_message", "msg", "error")
		}
		if e.RequestID == "" {
			e.RequestID = firstScalar(o, "request_id")
		}
	}
}

// firstScalar returns the first of keys whose value is a non-empty string or
// a number, as text.
func firstScalar(o map[string]json.RawMessage, keys ...string) string {
	for _, k := range keys {
		raw, ok := o[k]
		if !ok {
			continue
		}
		var s string
		if json.Unmarshal(raw, &s) == nil && strings.TrimSpace(s) != "" {
			return strings.TrimSpace(s)
		}
		var n json.Number
		if json.Unmarshal(raw, &n) == nil && n != "" {
			return n.String()
		}
	}
	return ""
}

// DecodeError is a 2xx answer whose body is not the page's response: the
// request was accepted, so the replication may have started.
type DecodeError struct {
	// StatusCode is the HTTP status of the answer.
	StatusCode int
	// ContentType is the answer's Content-Type header.
	ContentType string
	// RequestID is the X-Request-Id response header.
	RequestID string
	// Body is the raw body, at most MaxErrorBody bytes.
	Body []byte
	// Err is the decoding failure.
	Err error
}

// Error says that the answer could not be read and that the replication may
// nevertheless have started.
func (e *DecodeError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "replicate: CBR answered %s but its body could not be read as the page's response (%v); "+
		"the replication may have started, check before retrying", statusText(e.StatusCode), e.Err)
	if e.RequestID != "" {
		fmt.Fprintf(&b, " [X-Request-Id %s]", e.RequestID)
	}
	return b.String()
}

// Unwrap returns the decoding failure.
func (e *DecodeError) Unwrap() error { return e.Err }

func statusText(code int) string {
	if t := http.StatusText(code); t != "" {
		return fmt.Sprintf("%d %s", code, t)
	}
	return fmt.Sprint(code)
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
	return shorten(strings.Join(strings.Fields(s), " "), 120)
}

// shorten cuts s to at most n runes, marking the cut, and makes it valid UTF-8.
func shorten(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}
