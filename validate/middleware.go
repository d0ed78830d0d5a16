package validate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cbr-replicate/cbr-replicate/gen/cbr"
	"github.com/cbr-replicate/cbr-replicate/internal/limit"
)

// CBR error codes the Middleware answers with, as the spec documents them
// (TestMiddlewareCodesAreDocumented checks that openapi.ErrorCodes has each).
const (
	CodeParameterVerificationFailed = "BackupService.9900"
	CodeNotAuthenticated            = "BackupService.8600"
	CodeUnknownError                = "BackupService.9910"
)

// routeKey is the context key of the Route of a request Middleware passed.
type routeKey struct{}

// RouteOf returns the Route of a request that Middleware let through (its
// operation and path parameters), for the handler behind it.
func RouteOf(ctx context.Context) (Route, bool) {
	r, ok := ctx.Value(routeKey{}).(Route)
	return r, ok
}

// Middleware validates each request before next sees it. An invalid request
// is answered with a CBR error body (cbr.CBRError) and next is not called:
// 400 BackupService.9900 listing the violations (at most MaxViolations, the
// message at most 8 KiB); 403 BackupService.8600 without a token; 404 for
// an unknown path; 405 (with Allow) for a wrong method; 413 for a body over
// the bound (WithMaxBodyBytes or an http.MaxBytesReader set before); 415
// for a Content-Encoding other than identity. A Validator not built by New
// or a nil next answers 500 BackupService.9910. A valid request reaches
// next with the very bytes that were validated (read once, bounded): as
// they were decoded strictly, no key can bind that was not validated, even
// for a decoder as lenient as encoding/json; the body also carries the
// decoded value (validatedBody).
func (v *Validator) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !v.built() || next == nil || r.URL == nil {
			WriteCBRError(w, http.StatusInternalServerError, CodeUnknownError, "Unknown error: the validating middleware is not set up.")
			return
		}
		c, err := v.request(r)
		if err != nil {
			v.reject(w, r, err)
			return
		}
		r.Body = &validatedBody{Reader: bytes.NewReader(c.data), value: c.value}
		r.ContentLength = int64(len(c.data))
		r.Header.Set("Content-Length", strconv.Itoa(len(c.data)))
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), routeKey{}, c.route)))
	})
}

// validatedBody is the request body Middleware hands on: the bytes that
// were validated, and the value they decoded to, for
// runtime.BindJSONBody (oapi-codegen runtime >= v1.9.0), which matches keys
// exactly where encoding/json would match them case-insensitively.
type validatedBody struct {
	*bytes.Reader
	value any
}

// Close does nothing: the original body was read and closed by validation.
func (b *validatedBody) Close() error { return nil }

// ValidatedValue returns the decoded value that passed validation.
func (b *validatedBody) ValidatedValue() any { return b.value }

// WriteBodyError answers a request whose body could not be read, as
// Middleware does: 413 BackupService.9900 for a body over the bound (err
// wraps *http.MaxBytesError), else 400 BackupService.9900.
func WriteBodyError(w http.ResponseWriter, err error) {
	if n, ok := limit.TooLarge(err); ok {
		WriteCBRError(w, http.StatusRequestEntityTooLarge, CodeParameterVerificationFailed,
			fmt.Sprintf("The request body is larger than %d bytes.", n))
		return
	}
	WriteCBRError(w, http.StatusBadRequest, CodeParameterVerificationFailed, "The request body cannot be read.")
}

func (v *Validator) reject(w http.ResponseWriter, r *http.Request, err error) {
	verr, ok := errors.AsType[*Error](err)
	if !ok {
		WriteBodyError(w, err)
		return
	}
	for _, vi := range verr.Violations {
		switch vi.Rule {
		case RuleRoute:
			WriteCBRError(w, http.StatusNotFound, CodeParameterVerificationFailed,
				limit.Text(fmt.Sprintf("No operation at %s %s.", r.Method, r.URL.Path), limit.ErrorMsg))
			return
		case RuleMethod:
			allowed := strings.Join(v.allowed(r), ", ")
			w.Header().Set("Allow", allowed)
			WriteCBRError(w, http.StatusMethodNotAllowed, CodeParameterVerificationFailed,
				limit.Text(fmt.Sprintf("Method %s is not allowed for %s, use %s.", r.Method, r.URL.Path, allowed), limit.ErrorMsg))
			return
		case RuleSecurity:
			WriteCBRError(w, http.StatusForbidden, CodeNotAuthenticated, "Not authenticated.")
			return
		}
	}
	if i := slices.IndexFunc(verr.Violations, func(vi Violation) bool { return vi.Rule == RuleContentEncoding }); i >= 0 {
		WriteCBRError(w, http.StatusUnsupportedMediaType, CodeParameterVerificationFailed, verr.Violations[i].Message+".")
		return
	}
	WriteCBRError(w, http.StatusBadRequest, CodeParameterVerificationFailed, violationsMessage(verr.Violations))
}

// violationsMessage lists violations for a 400's error_msg within
// limit.ErrorMsg runes: as many as fit, then how many did not, and always the
// summary of those the Error itself left out, so the count is never cut.
func violationsMessage(vs []Violation) string {
	var summary string
	if n := len(vs); n > 0 && vs[n-1].Rule == RuleTooManyViolations {
		summary, vs = vs[n-1].Message, vs[:n-1]
	}
	var b strings.Builder
	b.WriteString("Parameter verification failed: ")
	room := limit.ErrorMsg - utf8.RuneCountInString(summary) - 64 // for the counts
	for i, vi := range vs {
		line := vi.String()
		if utf8.RuneCountInString(b.String())+utf8.RuneCountInString(line) > room {
			fmt.Fprintf(&b, "; ... and %d more violations, not shown here", len(vs)-i)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(line)
	}
	if summary != "" {
		b.WriteString("; " + summary)
	}
	return limit.Text(b.String(), limit.ErrorMsg)
}

// WriteCBRError answers with status and a JSON CBR error body
// ({"error_code": code, "error_msg": msg}), as Middleware does, so that a
// server built on it answers its own errors the same way.
func WriteCBRError(w http.ResponseWriter, status int, code, msg string) {
	body, _ := json.Marshal(cbr.CBRError{ErrorCode: code, ErrorMsg: msg})
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)+1))
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}
