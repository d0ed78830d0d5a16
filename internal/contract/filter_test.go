package contract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/stretchr/testify/require"
)

// testToken is a made-up token; it must never show in a violation.
const testToken = "gAAAAABtest-token-not-a-secret"

// filter validates requests and responses against one spec with
// kin-openapi's openapi3filter, the way a careful user of the library would:
// every violation at once, undocumented statuses rejected, the token
// required, and format uuid checked.
type filter struct {
	doc    *openapi3.T
	router routers.Router
	opts   *openapi3filter.Options
}

// newFilter routes on the path only: the spec's servers are absolute URLs
// of the real service, so doc (a copy of the caller's own) loses them.
func newFilter(t testing.TB, doc *openapi3.T) *filter {
	t.Helper()
	doc.Servers = nil
	router, err := legacy.NewRouter(doc)
	require.NoError(t, err)
	return &filter{
		doc:    doc,
		router: router,
		opts: &openapi3filter.Options{
			MultiError:            true,
			IncludeResponseStatus: true,
			AuthenticationFunc:    requireAPIKey,
			// kin-openapi ignores format uuid unless told; this registers it
			// for this validation only, not process-wide.
			SchemaValidationOptions: []openapi3.SchemaValidationOption{
				openapi3.WithStringFormatValidator("uuid", openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForUUIDOfRFC9562)),
			},
		},
	}
}

// requireAPIKey accepts a request that carries the header of an apiKey
// scheme; kin-openapi leaves that check to the AuthenticationFunc.
func requireAPIKey(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	s := in.SecurityScheme
	if s.Type != "apiKey" || s.In != openapi3.ParameterInHeader {
		return fmt.Errorf("security scheme %q: type %q in %q is not supported", in.SecuritySchemeName, s.Type, s.In)
	}
	if in.RequestValidationInput.Request.Header.Get(s.Name) == "" {
		return fmt.Errorf("header %s is missing", s.Name)
	}
	return nil
}

// newRequest builds the request the page's example shows, with a token.
func newRequest(method, path, contentType string, body []byte) *http.Request {
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("X-Auth-Token", testToken)
	return req
}

// validateRequest routes req and validates it; the input is returned for
// validateResponse.
func (f *filter) validateRequest(t testing.TB, req *http.Request) (*openapi3filter.RequestValidationInput, error) {
	t.Helper()
	route, params, err := f.router.FindRoute(req)
	require.NoError(t, err, "route %s %s", req.Method, req.URL.Path)
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: f.opts}
	return in, openapi3filter.ValidateRequest(context.Background(), in)
}

// validateResponse validates a response to the request of in.
func (f *filter) validateResponse(in *openapi3filter.RequestValidationInput, status int, contentType string, body []byte) error {
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 status,
		Header:                 http.Header{"Content-Type": {contentType}},
		Options:                f.opts,
	}
	out.SetBodyBytes(body)
	return openapi3filter.ValidateResponse(context.Background(), out)
}

// violation is one fault kin-openapi reports: where (a JSON pointer into the
// body, or the header or parameter) and which rule (the schema keyword, or
// "security", "content-type", "status", ...).
type violation struct {
	Pointer string
	Rule    string
}

// violations flattens the errors of openapi3filter into one violation each.
func violations(err error) []violation {
	var out []violation
	var walk func(error)
	walk = func(err error) {
		var (
			multi    openapi3.MultiError
			schema   *openapi3.SchemaError
			request  *openapi3filter.RequestError
			response *openapi3filter.ResponseError
			security *openapi3filter.SecurityRequirementsError
		)
		param, _ := err.(*openapi3filter.RequestError) // not errors.As: a MultiError of several would yield only one
		switch {
		case err == nil:
		case param != nil && param.Parameter != nil:
			out = append(out, violation{Pointer: param.Parameter.In + " " + param.Parameter.Name, Rule: ruleOf(param.Err)})
		case errors.As(err, &multi):
			for _, e := range multi {
				walk(e)
			}
		case errors.As(err, &security):
			out = append(out, violation{Pointer: "header", Rule: "security"})
		case errors.As(err, &request) && request.Parameter != nil:
			out = append(out, violation{Pointer: request.Parameter.In + " " + request.Parameter.Name, Rule: ruleOf(request.Err)})
		case errors.As(err, &request) && request.Err == nil && strings.HasPrefix(request.Reason, "header Content-Type has unexpected value"):
			out = append(out, violation{Pointer: "header Content-Type", Rule: "content-type"})
		case errors.As(err, &request) && errors.Is(request.Err, openapi3filter.ErrInvalidRequired):
			out = append(out, violation{Pointer: "", Rule: "required"})
		case errors.As(err, &request) && request.Reason == "failed to decode request body":
			out = append(out, violation{Pointer: "", Rule: "decode"})
		case errors.As(err, &request) && request.Err != nil:
			walk(request.Err)
		case errors.As(err, &response) && response.Reason == "failed to decode response body":
			out = append(out, violation{Pointer: "", Rule: "decode"})
		case errors.As(err, &response) && response.Err != nil:
			walk(response.Err)
		case errors.As(err, &response):
			out = append(out, violation{Pointer: "", Rule: response.Reason})
		case errors.As(err, &schema):
			path, rule := schema.JSONPointer(), schema.SchemaField
			// kin-openapi reports a key that additionalProperties: false
			// forbids as rule "properties" of the enclosing object, naming
			// the key only in the reason: point at the key itself.
			if m := unsupportedRe.FindStringSubmatch(schema.Reason); rule == "properties" && m != nil {
				if key, err := strconv.Unquote(m[1]); err == nil {
					path, rule = append(path, key), "additionalProperties"
				}
			}
			out = append(out, violation{Pointer: jsonPointer(path), Rule: rule})
		default:
			out = append(out, violation{Pointer: "", Rule: "unclassified: " + err.Error()})
		}
	}
	walk(err)
	return out
}

func ruleOf(err error) string {
	var schema *openapi3.SchemaError
	switch {
	case errors.Is(err, openapi3filter.ErrInvalidRequired):
		return "required"
	case errors.As(err, &schema):
		return schema.SchemaField
	case err == nil:
		return ""
	}
	return err.Error()
}

// unsupportedRe matches kin-openapi's reason for a forbidden additional property.
var unsupportedRe = regexp.MustCompile(`^property (".*") is unsupported$`)

// jsonPointer writes path as an RFC 6901 JSON pointer.
func jsonPointer(path []string) string {
	var b strings.Builder
	for _, p := range path {
		b.WriteByte('/')
		b.WriteString(strings.NewReplacer("~", "~0", "/", "~1").Replace(p))
	}
	return b.String()
}

// readAll reads and closes r.
func readAll(t testing.TB, r io.ReadCloser) []byte {
	t.Helper()
	defer r.Close()
	data, err := io.ReadAll(r)
	require.NoError(t, err)
	return data
}
