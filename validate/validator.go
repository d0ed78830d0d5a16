package validate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/cbr-replicate/cbr-replicate/gen/cbr"
	"github.com/cbr-replicate/cbr-replicate/internal/limit"
)

// authHeader is the header of the spec's apiKey security scheme.
const authHeader = "X-Auth-Token"

// DefaultMaxBodyBytes is the request body size Request, Transport and
// Middleware read by default: limit.Request (1 MiB).
const DefaultMaxBodyBytes = limit.Request

// Validator validates messages of the CopyCheckpoint operation against the
// embedded OpenAPI document. It is built once by New and is safe for
// concurrent use.
type Validator struct {
	doc        *openapi3.T
	router     routers.Router
	route      *routers.Route // the one operation, for bare bodies
	reqSchema  *openapi3.Schema
	options    *openapi3filter.Options
	schemaOpts []openapi3.SchemaValidationOption     // for request bodies
	respOpts   []openapi3.SchemaValidationOption     // for response bodies
	keys       map[string]string                     // property names, interned by the decoder
	itemless   map[*openapi3.Schema]*openapi3.Schema // body schemas without items, see decodeJSON
	batch      map[*openapi3.Schema]*openapi3.Schema // items schema -> array of its itemless copy
	cfg        config
}

// Option configures a Validator.
type Option func(*config)

type config struct {
	maxBodyBytes int64
}

// WithMaxBodyBytes sets the largest request body Request reads (default
// DefaultMaxBodyBytes): a longer body is an error wrapping
// *http.MaxBytesError, which Middleware answers with 413; n <= 0 means no
// limit.
func WithMaxBodyBytes(n int64) Option {
	return func(c *config) { c.maxBodyBytes = n }
}

// New loads the OpenAPI document embedded in package cbr and builds the
// router and validation options once. UUID format checking is registered on
// this document only (no global side effect), and routing ignores the
// document's absolute server URLs: requests match on their path alone.
func New(opts ...Option) (*Validator, error) {
	cfg := config{maxBodyBytes: DefaultMaxBodyBytes}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	doc, err := cbr.GetSpec()
	if err != nil {
		return nil, fmt.Errorf("validate: loading the embedded OpenAPI document: %w", err)
	}
	doc.SetStringFormatValidator("uuid", uuidFormat{})
	// Servers are absolute URLs (https://cbr.{region}.otc.t-systems.com);
	// without them the router matches on the path of any host.
	doc.Servers = nil
	router, err := legacy.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("validate: building the router: %w", err)
	}
	v := &Validator{doc: doc, router: router, cfg: cfg}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if v.route != nil {
				return nil, errors.New("validate: the document has more than one operation")
			}
			v.route = &routers.Route{Spec: doc, Path: path, PathItem: item, Method: method, Operation: op}
		}
	}
	if v.route == nil || v.route.Operation.RequestBody == nil {
		return nil, errors.New("validate: the document has no operation with a request body")
	}
	mt := v.route.Operation.RequestBody.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
		return nil, errors.New("validate: the operation has no application/json request schema")
	}
	v.reqSchema = mt.Schema.Value
	v.itemless = make(map[*openapi3.Schema]*openapi3.Schema)
	itemless(v.reqSchema, v.itemless)
	for _, ref := range v.route.Operation.Responses.Map() {
		if ref.Value == nil {
			continue
		}
		if mt := ref.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil {
			itemless(mt.Schema.Value, v.itemless)
		}
	}
	v.batch = make(map[*openapi3.Schema]*openapi3.Schema)
	for s := range v.itemless {
		if s.Items != nil && s.Items.Value != nil {
			v.batch[s.Items.Value] = &openapi3.Schema{Type: &openapi3.Types{openapi3.TypeArray},
				Items: &openapi3.SchemaRef{Value: v.itemless[s.Items.Value]}}
		}
	}
	v.keys = make(map[string]string)
	for _, ref := range doc.Components.Schemas {
		if ref.Value == nil {
			continue
		}
		for name := range ref.Value.Properties {
			v.keys[name] = name
		}
	}
	formats := doc.GetSchemaValidationOptions()
	v.options = &openapi3filter.Options{
		MultiError:              true,
		IncludeResponseStatus:   true,
		SkipSettingDefaults:     true, // validation never rewrites a message
		ExcludeRequestBody:      true, // bodies are read bounded and decoded strictly here, see decodeJSON
		ExcludeResponseBody:     true,
		AuthenticationFunc:      authenticate,
		SchemaValidationOptions: formats,
	}
	v.schemaOpts = append([]openapi3.SchemaValidationOption{openapi3.MultiErrors(), openapi3.VisitAsRequest(), openapi3.DisableSchemaErrorDetails()}, formats...)
	v.respOpts = append([]openapi3.SchemaValidationOption{openapi3.MultiErrors(), openapi3.VisitAsResponse(), openapi3.DisableSchemaErrorDetails()}, formats...)
	return v, nil
}

// errNoToken is what authenticate returns; it never holds the token.
var errNoToken = errors.New("missing or empty " + authHeader + " header")

// authenticate accepts an apiKey scheme whose header is present and not blank.
func authenticate(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	s := in.SecurityScheme
	if s == nil || s.Type != "apiKey" || s.In != "header" {
		return fmt.Errorf("security scheme %q is not supported", in.SecuritySchemeName)
	}
	if strings.TrimSpace(in.RequestValidationInput.Request.Header.Get(s.Name)) == "" {
		return errNoToken
	}
	return nil
}

// uuidFormat accepts the canonical textual form of a UUID
// (8-4-4-4-12 hexadecimal digits), any version.
type uuidFormat struct{}

func (uuidFormat) Validate(s string) error {
	if !isUUID(s) {
		return errors.New("must be a UUID such as 3b5816b5-f29c-4172-9d9a-76c719a659ce")
	}
	return nil
}

func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// errNotBuilt is what the methods of a Validator not built by New return.
var errNotBuilt = errors.New("validate: the Validator was not built with validate.New")

// built reports whether v was built by New.
func (v *Validator) built() bool { return v != nil && v.route != nil }

// Request validates a request: its route, X-Auth-Token, path parameters,
// Content-Type, Content-Encoding and JSON body, read up to the bound of
// WithMaxBodyBytes. The body is left readable. It returns *Error for
// violations, an error wrapping *http.MaxBytesError for a body over the
// bound and a wrapped error if the body cannot be read.
func (v *Validator) Request(r *http.Request) error {
	_, _, err := v.request(r)
	return err
}

// request validates r and returns the decoded body value and bytes.
func (v *Validator) request(r *http.Request) (any, []byte, error) {
	switch {
	case !v.built():
		return nil, nil, errNotBuilt
	case r == nil:
		return nil, nil, errors.New("validate: nil request")
	case r.URL == nil:
		return nil, nil, errors.New("validate: request without URL")
	}
	route, params, rvs := v.findRoute(r)
	if rvs != nil {
		return nil, nil, violationError(rvs...)
	}
	data, err := readBody(&r.Body, v.cfg.maxBodyBytes)
	if n, ok := limit.TooLarge(err); ok {
		return nil, nil, fmt.Errorf("validate: the request body is larger than %d bytes: %w", n, err)
	} else if err != nil {
		return nil, nil, fmt.Errorf("validate: reading the request body: %w", err)
	}
	// Security and parameters on a shallow copy without body, so that
	// kin-openapi neither reads nor rewrites the body.
	shallow := *r
	shallow.Body = http.NoBody
	var vs violations
	input := &openapi3filter.RequestValidationInput{Request: &shallow, PathParams: params, Route: route, Options: v.options}
	violationsOf(&vs, openapi3filter.ValidateRequest(r.Context(), input), InBody)
	ct := r.Header.Get("Content-Type")
	checkBody := true
	if route.Operation.RequestBody.Value.Content.Get(ct) == nil {
		vs.add(contentTypeViolation(ct))
		checkBody = ct == ""
	}
	if ce := strings.Join(r.Header.Values("Content-Encoding"), ", "); ce != "" && !strings.EqualFold(strings.TrimSpace(ce), "identity") {
		vs.add(Violation{In: InHeader, Pointer: "/Content-Encoding", Rule: RuleContentEncoding,
			Message: fmt.Sprintf("Content-Encoding %q is not supported, the body must be sent unencoded", ce)})
		checkBody = false // a compressed body is not JSON text
	}
	var value any
	if len(data) == 0 {
		vs.add(Violation{In: InBody, Rule: RuleRequired, Message: "the request body is required"})
	} else if checkBody {
		value = v.checkJSON(data, v.reqSchema, v.schemaOpts, true, &vs)
	}
	return value, data, newError(&vs)
}

func contentTypeViolation(ct string) Violation {
	msg := "Content-Type must be application/json"
	if ct == "" {
		msg += ", it is missing"
	}
	return Violation{In: InHeader, Pointer: "/Content-Type", Rule: RuleContentType, Message: msg}
}

// findRoute routes r on its path.
func (v *Validator) findRoute(r *http.Request) (*routers.Route, map[string]string, []Violation) {
	route, params, err := v.router.FindRoute(r)
	if err == nil {
		return route, params, nil
	}
	return nil, nil, v.routeViolations(r, err)
}

// routeViolations tells an unknown path from a known path with another
// method (the legacy router reports both as not found for templated paths).
func (v *Validator) routeViolations(r *http.Request, err error) []Violation {
	methodNotAllowed := err.Error() == routers.ErrMethodNotAllowed.Error()
	if !methodNotAllowed && r.Method != v.route.Method {
		probe := *r
		probe.Method = v.route.Method
		_, _, perr := v.router.FindRoute(&probe)
		methodNotAllowed = perr == nil
	}
	if methodNotAllowed {
		return []Violation{{In: InMethod, Rule: RuleMethod, Message: fmt.Sprintf("method %s is not allowed for %s", r.Method, r.URL.Path)}}
	}
	return []Violation{{In: InPath, Rule: RuleRoute, Message: fmt.Sprintf("no operation at %s %s", r.Method, r.URL.Path)}}
}

// readBody reads *body up to n bytes (limit.ReadAll), closes it and puts
// back a reader of the bytes read, so that the body is readable afterwards.
func readBody(body *io.ReadCloser, n int64) ([]byte, error) {
	if *body == nil || *body == http.NoBody {
		return nil, nil
	}
	data, err := limit.ReadAll(*body, n)
	_ = (*body).Close()
	*body = io.NopCloser(bytes.NewReader(data))
	return data, err
}

// RequestBody validates the bare JSON of a request body (for files and CI):
// only the body rules, no path, header or token checks.
func (v *Validator) RequestBody(body []byte) error {
	if !v.built() {
		return errNotBuilt
	}
	var vs violations
	v.checkJSON(body, v.reqSchema, v.schemaOpts, false, &vs)
	return newError(&vs)
}

// checkJSON decodes data strictly, validates it against schema and returns
// the decoded value (nil if data is not JSON; whole only if keep).
func (v *Validator) checkJSON(data []byte, schema *openapi3.Schema, opts []openapi3.SchemaValidationOption, keep bool, vs *violations) any {
	value, ok := v.decodeJSON(data, schema, opts, keep, vs)
	if !ok {
		return nil
	}
	violationsOf(vs, v.visitSchema(schema).VisitJSON(value, opts...), InBody)
	return value
}

// Response validates the response resp to the request r (resp.Request if r
// is nil): a documented status, Content-Type and the JSON body of that
// status, read up to limit.Answer (16 MiB). The body is left readable. It
// returns *Error for violations, an error wrapping *http.MaxBytesError for
// a body over the bound and a wrapped error if the body cannot be read.
func (v *Validator) Response(r *http.Request, resp *http.Response) error {
	switch {
	case !v.built():
		return errNotBuilt
	case resp == nil:
		return errors.New("validate: nil response")
	}
	if r == nil {
		r = resp.Request
	}
	route, params := v.route, map[string]string(nil)
	if r != nil {
		if r.URL == nil {
			return errors.New("validate: request without URL")
		}
		var rvs []Violation
		if route, params, rvs = v.findRoute(r); rvs != nil {
			return violationError(rvs...)
		}
	}
	data, err := readBody(&resp.Body, limit.Answer)
	if n, ok := limit.TooLarge(err); ok {
		return fmt.Errorf("validate: the response body is larger than %d bytes: %w", n, err)
	} else if err != nil {
		return fmt.Errorf("validate: reading the response body: %w", err)
	}
	return v.response(r, route, params, resp.StatusCode, resp.Header, data)
}

// response validates a response whose body was read, returning *Error or nil.
func (v *Validator) response(r *http.Request, route *routers.Route, params map[string]string, status int, header http.Header, data []byte) error {
	var vs violations
	if status < 100 || status > 599 {
		vs.add(Violation{In: InStatus, Rule: RuleStatus, Message: fmt.Sprintf("%d is not an HTTP status code", status)})
		return newError(&vs)
	}
	if r == nil {
		r = &http.Request{Method: route.Method, Header: http.Header{}}
	}
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route, Options: v.options},
		Status:                 status,
		Header:                 header,
		Body:                   http.NoBody,
		Options:                v.options,
	}
	if err := openapi3filter.ValidateResponse(context.Background(), input); err != nil {
		violationsOf(&vs, err, InBody)
		for i := range vs.list {
			if vs.list[i].Rule == RuleStatus {
				vs.list[i].Message = v.undocumentedStatus(status)
			}
		}
		return newError(&vs)
	}
	mt, _ := v.responseMediaType(status)
	if mt == nil {
		return nil // a status without a documented body
	}
	ct := header.Get("Content-Type")
	if !isJSONContentType(ct) {
		vs.add(contentTypeViolation(ct))
		if ct != "" {
			return newError(&vs)
		}
	}
	v.checkJSON(data, mt.Schema.Value, v.respOpts, false, &vs)
	return newError(&vs)
}

// undocumentedStatus is the message for a status the operation does not
// document, naming those it does.
func (v *Validator) undocumentedStatus(status int) string {
	return fmt.Sprintf("status %d is not documented; documented: %s", status,
		strings.Join(v.route.Operation.Responses.Keys(), ", "))
}

// responseMediaType returns the application/json media type documented for
// status (nil if that status has no body) and whether status is documented.
func (v *Validator) responseMediaType(status int) (*openapi3.MediaType, bool) {
	if status < 100 || status > 599 {
		return nil, false
	}
	responses := v.route.Operation.Responses
	ref := responses.Status(status)
	if ref == nil {
		ref = responses.Default()
	}
	if ref == nil || ref.Value == nil {
		return nil, false
	}
	mt := ref.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
		return nil, true
	}
	return mt, true
}

func isJSONContentType(ct string) bool {
	base, _, _ := strings.Cut(ct, ";")
	base = strings.ToLower(strings.TrimSpace(base))
	return base == "application/json"
}

// ResponseBody validates the bare JSON of a response body for status (for
// files and CI): the status must be documented and the body must match the
// schema documented for it.
func (v *Validator) ResponseBody(status int, body []byte) error {
	if !v.built() {
		return errNotBuilt
	}
	mt, ok := v.responseMediaType(status)
	if !ok {
		return violationError(Violation{In: InStatus, Rule: RuleStatus, Message: v.undocumentedStatus(status)})
	}
	if mt == nil {
		return nil
	}
	var vs violations
	v.checkJSON(body, mt.Schema.Value, v.respOpts, false, &vs)
	return newError(&vs)
}
