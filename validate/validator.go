package validate

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/cbr-replicate/cbr-replicate/internal/limit"
	"github.com/cbr-replicate/cbr-replicate/openapi"
)

// authHeader is the header of the spec's apiKey security scheme.
const authHeader = "X-Auth-Token"

// Validator validates the messages of every operation of the embedded
// OpenAPI document (package openapi). It is built by New and is safe for
// concurrent use.
type Validator struct {
	s   *shared
	cfg config
}

// shared is what every Validator of the process reads: built once.
type shared struct {
	router   routers.Router
	ops      map[string]*operation // by operation ID
	methods  []string              // the methods the document uses, for 405s
	itemless map[*openapi3.Schema]*openapi3.Schema
	batch    map[*openapi3.Schema]*openapi3.Schema // items schema -> array of its itemless copy
	reqOpts  []openapi3.SchemaValidationOption
	respOpts []openapi3.SchemaValidationOption
	filter   map[bool]*openapi3filter.Options // kin-openapi's options, by config.noSecurity
}

// operation is one operation of the document.
type operation struct {
	route     *routers.Route
	reqSchema *openapi3.Schema // the application/json request schema; nil: no body
}

// Option configures a Validator.
type Option func(*config)

type config struct {
	maxBodyBytes int64
	noSecurity   bool
}

// WithMaxBodyBytes sets the largest request body Request reads (default
// limit.Request, 1 MiB): a longer body is an error wrapping
// *http.MaxBytesError, which Middleware answers with 413; n <= 0 means no
// limit.
func WithMaxBodyBytes(n int64) Option {
	return func(c *config) { c.maxBodyBytes = n }
}

// WithoutSecurity leaves the security requirements (X-Auth-Token) out of
// Request: for a client that validates a request before it authenticates it
// (it sets the token, or signs the request, itself).
func WithoutSecurity() Option {
	return func(c *config) { c.noSecurity = true }
}

// New returns a Validator for the embedded document. The document, its
// router and the schemas the decoder needs are built once per process.
// Routing ignores the document's absolute server URLs: requests match on
// their method and path alone.
func New(opts ...Option) (*Validator, error) {
	cfg := config{maxBodyBytes: limit.Request}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	s, err := sharedState()
	if err != nil {
		return nil, err
	}
	return &Validator{s: s, cfg: cfg}, nil
}

var sharedState = sync.OnceValues(func() (*shared, error) {
	doc, err := openapi.Doc()
	if err != nil {
		return nil, fmt.Errorf("validate: %w", err)
	}
	// Servers are absolute URLs (https://cbr.{region}.otc.t-systems.com);
	// without them the router matches on the path of any host.
	routed := *doc
	routed.Servers = nil
	router, err := legacy.NewRouter(&routed)
	if err != nil {
		return nil, fmt.Errorf("validate: building the router: %w", err)
	}
	formats := doc.GetSchemaValidationOptions()
	s := &shared{
		router:   router,
		filter:   map[bool]*openapi3filter.Options{},
		ops:      map[string]*operation{},
		itemless: map[*openapi3.Schema]*openapi3.Schema{},
		batch:    map[*openapi3.Schema]*openapi3.Schema{},
		reqOpts:  append([]openapi3.SchemaValidationOption{openapi3.MultiErrors(), openapi3.VisitAsRequest(), openapi3.DisableSchemaErrorDetails()}, formats...),
		respOpts: append([]openapi3.SchemaValidationOption{openapi3.MultiErrors(), openapi3.VisitAsResponse(), openapi3.DisableSchemaErrorDetails()}, formats...),
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			o := &operation{route: &routers.Route{Spec: &routed, Path: path, PathItem: item, Method: method, Operation: op}}
			if rb := op.RequestBody; rb != nil && rb.Value != nil {
				if mt := rb.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil {
					o.reqSchema = mt.Schema.Value
					itemless(o.reqSchema, s.itemless)
				}
			}
			for _, ref := range op.Responses.Map() {
				if mt := mediaType(ref); mt != nil {
					itemless(mt.Schema.Value, s.itemless)
				}
			}
			s.ops[op.OperationID] = o
			s.methods = append(s.methods, method)
		}
	}
	for sc := range s.itemless {
		if sc.Items != nil && sc.Items.Value != nil {
			s.batch[sc.Items.Value] = &openapi3.Schema{Type: &openapi3.Types{openapi3.TypeArray},
				Items: &openapi3.SchemaRef{Value: s.itemless[sc.Items.Value]}}
		}
	}
	slices.Sort(s.methods)
	s.methods = slices.Compact(s.methods)
	noAuth := func(context.Context, *openapi3filter.AuthenticationInput) error { return nil }
	for noSecurity, auth := range map[bool]openapi3filter.AuthenticationFunc{false: authenticate, true: noAuth} {
		// Bodies are read bounded and decoded strictly here (decodeJSON),
		// never by kin-openapi.
		s.filter[noSecurity] = &openapi3filter.Options{
			MultiError:              true,
			SkipSettingDefaults:     true, // validation never rewrites a message
			ExcludeRequestBody:      true,
			AuthenticationFunc:      auth,
			SchemaValidationOptions: formats,
		}
	}
	return s, nil
})

// mediaType is the application/json content of a response, nil if it has
// none with a schema (openapi.Doc resolved every ref).
func mediaType(ref *openapi3.ResponseRef) *openapi3.MediaType {
	if mt := ref.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil {
		return mt
	}
	return nil
}

// authenticate accepts an apiKey scheme whose header is present and not blank.
func authenticate(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	s := in.SecurityScheme
	if s == nil || s.Type != "apiKey" || s.In != "header" {
		return fmt.Errorf("security scheme %q is not supported", in.SecuritySchemeName)
	}
	if strings.TrimSpace(in.RequestValidationInput.Request.Header.Get(s.Name)) == "" {
		return errors.New("missing or empty " + s.Name + " header") // never the token
	}
	return nil
}

// errNotBuilt is what the methods of a Validator not built by New return.
var errNotBuilt = errors.New("validate: the Validator was not built with validate.New")

// built reports whether v was built by New.
func (v *Validator) built() bool { return v != nil && v.s != nil }

// op returns the operation with the given ID, or a violation naming the
// operations there are (errNotBuilt for a Validator not built by New).
func (v *Validator) op(id string) (*operation, error) {
	if !v.built() {
		return nil, errNotBuilt
	}
	if o := v.s.ops[id]; o != nil {
		return o, nil
	}
	return nil, violationError(Violation{In: InOperation, Rule: RuleOperation,
		Message: fmt.Sprintf("no operation %q; the spec's operations are %s", id, strings.Join(openapi.IDs(), ", "))})
}

// Route is the operation a request is for, as the router found it.
type Route struct {
	// OperationID is the operation's ID, e.g. "CopyCheckpoint".
	OperationID string
	// PathParams are the values of the path template's parameters, e.g.
	// project_id.
	PathParams map[string]string
}

// Route finds the operation of r by its method and path; a request that
// matches none is an *Error of rule "route" (no such path) or "method"
// (the path exists with other methods).
func (v *Validator) Route(r *http.Request) (Route, error) {
	switch {
	case !v.built():
		return Route{}, errNotBuilt
	case r == nil:
		return Route{}, errors.New("validate: nil request")
	case r.URL == nil:
		return Route{}, errors.New("validate: request without URL")
	}
	if p := r.URL.Path; routable(p) {
		route, params, err := v.s.router.FindRoute(r)
		if err == nil {
			return Route{OperationID: route.Operation.OperationID, PathParams: params}, nil
		}
		if allowed := v.allowed(r); len(allowed) > 0 {
			return Route{}, violationError(Violation{In: InMethod, Rule: RuleMethod,
				Message: fmt.Sprintf("method %s is not allowed for %s; allowed: %s", r.Method, p, strings.Join(allowed, ", "))})
		}
	}
	return Route{}, violationError(Violation{In: InPath, Rule: RuleRoute, Message: fmt.Sprintf("no operation at %s %s", r.Method, r.URL.Path)})
}

// routable reports whether p can be an operation's path: the router would
// take "." or ".." for a parameter (a client or proxy resolves them away)
// and let a trailing slash through. An empty segment is left to the
// parameter's check ("required").
func routable(p string) bool {
	if !strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/") {
		return false
	}
	for seg := range strings.SplitSeq(p[1:], "/") {
		if seg == "." || seg == ".." {
			return false
		}
	}
	return true
}

// Request validates a request against its operation: the route,
// X-Auth-Token (unless WithoutSecurity), the path and query parameters,
// Content-Type, Content-Encoding and the JSON body, read up to the bound of
// WithMaxBodyBytes (an operation without a request body takes none). The
// body is left readable. It returns *Error for violations, an error
// wrapping *http.MaxBytesError for a body over the bound and a wrapped
// error if the body cannot be read. The Route is the request's operation,
// zero when it has none.
func (v *Validator) Request(r *http.Request) (Route, error) {
	c, err := v.request(r)
	return c.route, err
}

// checked is a request that passed validation.
type checked struct {
	route Route
	value any    // the decoded body, nil without one
	data  []byte // the body as read
}

// request validates r and returns what it found.
func (v *Validator) request(r *http.Request) (checked, error) {
	route, err := v.Route(r)
	if err != nil {
		return checked{}, err
	}
	o, out := v.s.ops[route.OperationID], checked{route: route}
	data, err := readBody(&r.Body, v.cfg.maxBodyBytes, "request body")
	if err != nil {
		return out, err
	}
	out.data = data
	// Security and parameters on a shallow copy without body, so that
	// kin-openapi neither reads nor rewrites the body.
	shallow := *r
	shallow.Body = http.NoBody
	var vs violations
	input := &openapi3filter.RequestValidationInput{Request: &shallow, PathParams: route.PathParams, Route: o.route,
		Options: v.s.filter[v.cfg.noSecurity]}
	violationsOf(&vs, openapi3filter.ValidateRequest(r.Context(), input), InBody)
	paramViolations(&vs, r, route, o.route.Operation)
	if o.reqSchema == nil {
		if len(data) > 0 {
			vs.add(Violation{In: InBody, Rule: RuleBody, Message: fmt.Sprintf("%s takes no request body; this one has %d bytes", out.route.OperationID, len(data))})
		}
		return out, newError(&vs)
	}
	ct := r.Header.Get("Content-Type")
	checkBody := true
	if !isJSONContentType(ct) {
		vs.add(contentTypeViolation(ct))
		checkBody = ct == ""
	}
	if ce := strings.Join(r.Header.Values("Content-Encoding"), ", "); ce != "" && !strings.EqualFold(strings.TrimSpace(ce), "identity") {
		vs.add(Violation{In: InHeader, Pointer: "/Content-Encoding", Rule: RuleContentEncoding,
			Message: fmt.Sprintf("Content-Encoding %q is not supported, the body must be sent unencoded", ce)})
		checkBody = false // a compressed body is not JSON text
	}
	if len(data) == 0 {
		vs.add(Violation{In: InBody, Rule: RuleRequired, Message: "the request body is required"})
	} else if checkBody {
		out.value = v.checkJSON(data, o.reqSchema, v.s.reqOpts, true, &vs)
	}
	return out, newError(&vs)
}

// paramViolations adds what kin-openapi leaves unchecked in the
// parameters: a value that is not UTF-8, and a query parameter of one value
// given more than once, of which it checks the first (a server may read
// another).
func paramViolations(vs *violations, r *http.Request, route Route, op *openapi3.Operation) {
	query := r.URL.Query()
	for _, ref := range op.Parameters {
		p, values := ref.Value, query[ref.Value.Name]
		if p.In == openapi3.ParameterInPath {
			values = []string{route.PathParams[p.Name]}
		} else if len(values) > 1 && !p.Schema.Value.Type.Is(openapi3.TypeArray) {
			vs.add(Violation{In: p.In, Pointer: "/" + p.Name, Rule: RuleType,
				Message: fmt.Sprintf("query parameter %q is given %d times; it takes one value", p.Name, len(values))})
		}
		if slices.ContainsFunc(values, func(s string) bool { return !utf8.ValidString(s) }) {
			vs.add(Violation{In: p.In, Pointer: "/" + p.Name, Rule: RuleType, Message: fmt.Sprintf("%s parameter %q is not valid UTF-8", p.In, p.Name)})
		}
	}
}

func contentTypeViolation(ct string) Violation {
	msg := "Content-Type must be application/json"
	if ct == "" {
		msg += ", it is missing"
	}
	return Violation{In: InHeader, Pointer: "/Content-Type", Rule: RuleContentType, Message: msg}
}

// allowed returns the methods the document has for r's path (the legacy
// router reports an unknown path and a known one with another method alike).
func (v *Validator) allowed(r *http.Request) []string {
	var out []string
	for _, m := range v.s.methods {
		probe := *r
		probe.Method = m
		if _, _, err := v.s.router.FindRoute(&probe); err == nil {
			out = append(out, m)
		}
	}
	return out
}

// readBody reads *body up to n bytes (limit.ReadAll), closes it and puts
// back a reader of the bytes read, so that the body is readable afterwards.
// A body over the bound is an error wrapping *http.MaxBytesError; what
// names the body in errors.
func readBody(body *io.ReadCloser, n int64, what string) ([]byte, error) {
	if *body == nil || *body == http.NoBody {
		return nil, nil
	}
	data, err := limit.ReadAll(*body, n)
	_ = (*body).Close()
	*body = io.NopCloser(bytes.NewReader(data))
	if max, ok := limit.TooLarge(err); ok {
		return data, fmt.Errorf("validate: the %s is larger than %d bytes: %w", what, max, err)
	} else if err != nil {
		return data, fmt.Errorf("validate: reading the %s: %w", what, err)
	}
	return data, nil
}

// RequestBody validates the bare JSON of a request body of the operation
// opID (for files and CI): only the body rules, no path, header or token
// checks. An operation that takes no body is a violation.
func (v *Validator) RequestBody(opID string, body []byte) error {
	o, err := v.op(opID)
	if err != nil {
		return err
	}
	if o.reqSchema == nil {
		return violationError(Violation{In: InBody, Rule: RuleBody, Message: opID + " takes no request body"})
	}
	var vs violations
	v.checkJSON(body, o.reqSchema, v.s.reqOpts, false, &vs)
	return newError(&vs)
}

// checkJSON decodes data strictly, validates it against schema and returns
// the decoded value (nil if data is not JSON; whole only if keep).
func (v *Validator) checkJSON(data []byte, schema *openapi3.Schema, opts []openapi3.SchemaValidationOption, keep bool, vs *violations) any {
	value, ok := v.decodeJSON(data, schema, opts, keep, vs)
	if !ok {
		return nil
	}
	// The decoder validated the arrays' items: the rest is validated against
	// the copy without them (a schema not of the document has its items
	// checked twice).
	violationsOf(vs, cmp.Or(v.s.itemless[schema], schema).VisitJSON(value, opts...), InBody)
	return value
}

// Response validates the response resp to the request r (resp.Request if
// r is nil), against the operation r is routed to: a documented status,
// Content-Type and the JSON body of that status, read up to limit.Answer
// (16 MiB). The body is left readable. Errors are Request's.
func (v *Validator) Response(r *http.Request, resp *http.Response) error {
	if resp == nil {
		return errors.New("validate: nil response")
	}
	route, err := v.Route(cmp.Or(r, resp.Request))
	if err != nil {
		return err
	}
	data, err := readBody(&resp.Body, limit.Answer, "response body")
	if err != nil {
		return err
	}
	return v.ResponseMessage(route.OperationID, resp.StatusCode, resp.Header, data)
}

// ResponseMessage validates an answer of the operation opID whose body was
// already read, as a client that reads the answer once has it: a
// documented status, its Content-Type and the JSON body of that status. It
// returns *Error for violations, nil when the answer matches the contract.
func (v *Validator) ResponseMessage(opID string, status int, header http.Header, body []byte) error {
	o, err := v.op(opID)
	if err != nil {
		return err
	}
	if status < 100 || status > 599 {
		return violationError(Violation{In: InStatus, Rule: RuleStatus, Message: fmt.Sprintf("%d is not an HTTP status code", status)})
	}
	ref := o.route.Operation.Responses.Status(status)
	if ref == nil {
		return violationError(Violation{In: InStatus, Rule: RuleStatus, Message: fmt.Sprintf("status %d is not documented for %s; documented: %s",
			status, opID, strings.Join(slices.Sorted(maps.Keys(o.route.Operation.Responses.Map())), ", "))})
	}
	mt := mediaType(ref)
	if mt == nil {
		return nil // a status without a documented body
	}
	var vs violations
	if ct := header.Get("Content-Type"); !isJSONContentType(ct) {
		vs.add(contentTypeViolation(ct))
		if ct != "" {
			return newError(&vs)
		}
	}
	v.checkJSON(body, mt.Schema.Value, v.s.respOpts, false, &vs)
	return newError(&vs)
}

// ResponseBody validates the bare JSON of a response body of the operation
// opID for status (for files and CI): the status must be documented and
// the body must match the schema documented for it.
func (v *Validator) ResponseBody(opID string, status int, body []byte) error {
	return v.ResponseMessage(opID, status, http.Header{"Content-Type": {"application/json"}}, body)
}

func isJSONContentType(ct string) bool {
	base, _, _ := strings.Cut(ct, ";")
	return strings.EqualFold(strings.TrimSpace(base), "application/json")
}
