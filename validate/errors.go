package validate

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cbr-replicate/cbr-replicate/internal/limit"
	"github.com/cbr-replicate/cbr-replicate/internal/redact"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/go-json-experiment/json/jsontext"
)

// Where a violation is: the In field of a Violation.
const (
	InPath      = "path"      // the URL path or one of its parameters
	InHeader    = "header"    // a request or response header
	InBody      = "body"      // the JSON body
	InStatus    = "status"    // the response status code
	InMethod    = "method"    // the HTTP method
	InOperation = "operation" // the operation a bare body was given for
)

// Rules a violation can break: the Rule field of a Violation. Schema rules
// carry the name of the OpenAPI keyword (maxLength, format, ...).
const (
	RuleRequired             = "required"
	RuleAdditionalProperties = "additionalProperties"
	RuleType                 = "type"
	RuleJSON                 = "json"         // the body is not a single well-formed JSON value
	RuleDuplicateKey         = "duplicateKey" // an object repeats a key
	RuleContentType          = "contentType"
	RuleContentEncoding      = "contentEncoding" // the request body is compressed (Content-Encoding other than identity)
	RuleSecurity             = "security"
	RuleStatus               = "status"
	RuleRoute                = "route"             // no operation at this path
	RuleMethod               = "method"            // the path exists, the method does not
	RuleOperation            = "operation"         // no operation of that ID
	RuleBody                 = "body"              // a body where the operation takes none
	RuleTooManyViolations    = "tooManyViolations" // the last violation of an Error that had to leave some out
)

// MaxViolations is the most violations an Error lists, so that no message
// makes one grow with its size; past it, one more violation of rule
// tooManyViolations says how many were left out.
const MaxViolations = 100

// Violation is one way in which a message breaks the contract.
type Violation struct {
	// In says where the violation is: "path", "header", "body", "status" or "method".
	In string `json:"in"`
	// Pointer is the JSON pointer of the offending value in the body (e.g.
	// "/replicate/destination_region", "" for the whole body), or "/" and the
	// name of a path parameter or header (e.g. "/X-Auth-Token").
	Pointer string `json:"pointer"`
	// Rule names the rule that was broken: an OpenAPI keyword such as
	// "required", "maxLength", "format", "type", "additionalProperties", or
	// one of "json", "duplicateKey", "contentType", "contentEncoding",
	// "security", "status", "route", "method", "tooManyViolations".
	Rule string `json:"rule"`
	// Message explains the violation in plain words. It never holds a token.
	// Message and Pointer hold at most 256 characters (cut with "…").
	Message string `json:"message"`
}

// String renders the violation as "<in> <pointer>: <rule>: <message>" on
// one line: the pointer holds the input's keys as they are, and a message
// may quote a path, so the line goes through redact.Printable (the fields
// themselves stay raw, for JSON).
func (v Violation) String() string {
	s := v.In + ": " + v.Rule + ": " + v.Message
	if v.Pointer != "" {
		s = v.In + " " + v.Pointer + ": " + v.Rule + ": " + v.Message
	}
	return redact.Printable(s)
}

// Error is the error of every failed validation: it holds every violation
// found, deduplicated and sorted by pointer, then rule, at most
// MaxViolations of them and then one of rule "tooManyViolations" that says
// how many more there were.
type Error struct {
	Violations []Violation
}

// Error renders one line per violation.
func (e *Error) Error() string {
	if e == nil || len(e.Violations) == 0 {
		return "validate: no violations"
	}
	lines := make([]string, len(e.Violations))
	for i, v := range e.Violations {
		lines[i] = v.String()
	}
	return strings.Join(lines, "\n")
}

// Has reports whether e holds a violation at pointer that breaks rule.
func (e *Error) Has(pointer, rule string) bool {
	return e != nil && slices.ContainsFunc(e.Violations, func(v Violation) bool {
		return v.Pointer == pointer && v.Rule == rule
	})
}

// ResponseError reports a response that does not match the contract
// (contract drift): returned by a Transport with ValidateResponses, and by
// package client with Options.ValidateResponses. It keeps the status,
// header and raw body of the response, whose body is consumed.
type ResponseError struct {
	// StatusCode is the status of the response.
	StatusCode int
	// Header is the header of the response.
	Header http.Header
	// Body is the body as it was read (at most the answer bound).
	Body []byte
	// Err holds the violations.
	Err *Error
}

// Error names the status and lists the violations.
func (e *ResponseError) Error() string {
	if e == nil {
		return "<nil>"
	}
	return fmt.Sprintf("validate: response with status %d does not match the contract:\n%s", e.StatusCode, e.Err.Error())
}

// Unwrap returns the *Error with the violations.
func (e *ResponseError) Unwrap() error {
	if e == nil || e.Err == nil {
		return nil // not a nil *Error in an interface
	}
	return e.Err
}

// violations collects the violations of one message: it keeps the first
// MaxViolations and counts the others, so that a hostile body cannot make
// the list grow with its size. It is the one place that caps them.
type violations struct {
	list []Violation
	more int
}

func (c *violations) add(vs ...Violation) {
	for _, v := range vs {
		if c.fits() {
			v.Pointer, v.Message = limit.Text(v.Pointer, limit.Message), limit.Text(v.Message, limit.Message)
			c.list = append(c.list, v)
		}
	}
}

// fits reports whether one more violation is kept, and counts it as left
// out if not: callers that spell a violation out at a cost ask first.
func (c *violations) fits() bool {
	if len(c.list) < MaxViolations {
		return true
	}
	c.more++
	return false
}

// newError deduplicates and sorts the violations of c and adds the one
// that says how many were left out; it returns nil for none.
func newError(c *violations) error {
	vs := c.list
	if len(vs) == 0 {
		return nil
	}
	slices.SortStableFunc(vs, func(a, b Violation) int {
		return cmp.Or(strings.Compare(a.Pointer, b.Pointer), strings.Compare(a.Rule, b.Rule),
			strings.Compare(a.In, b.In), strings.Compare(a.Message, b.Message))
	})
	vs = slices.CompactFunc(vs, func(a, b Violation) bool {
		return a.In == b.In && a.Pointer == b.Pointer && a.Rule == b.Rule
	})
	if c.more > 0 {
		vs = append(vs, Violation{In: InBody, Rule: RuleTooManyViolations,
			Message: fmt.Sprintf("... and %d more violations, not listed", c.more)})
	}
	return &Error{Violations: vs}
}

// violationError returns the error of the violations vs, capped.
func violationError(vs ...Violation) error {
	var c violations
	c.add(vs...)
	return newError(&c)
}

// pointer builds a JSON pointer (RFC 6901) from unescaped reference tokens.
func pointer(tokens ...string) string {
	var p jsontext.Pointer
	for _, t := range tokens {
		p = p.AppendToken(t)
	}
	return string(p)
}

// violationsOf maps an error of kin-openapi (openapi3filter.RequestError of
// a parameter, SecurityRequirementsError, openapi3.SchemaError,
// openapi3.MultiError, nested in any way) to violations. in says where
// schema errors without a parameter are (the body). Bodies, response
// statuses and routes are judged by this package itself, never through
// kin-openapi's errors.
//
// It switches on concrete types rather than using errors.As: MultiError.As
// matches its first member, which would drop the others.
func violationsOf(c *violations, err error, in string) {
	switch e := err.(type) {
	case nil:
	case openapi3.MultiError:
		for _, m := range e {
			violationsOf(c, m, in)
		}
	case *openapi3filter.SecurityRequirementsError:
		// Never echo the header's value: name the header only.
		c.add(Violation{In: InHeader, Pointer: "/" + authHeader, Rule: RuleSecurity,
			Message: "the " + authHeader + " header must carry a token (missing or empty)"})
	case *openapi3filter.RequestError:
		if e.Parameter == nil { // not expected: kin-openapi reads no body (ExcludeRequestBody)
			c.add(Violation{In: in, Rule: "invalid", Message: e.Error()})
		} else {
			parameterViolations(c, e)
		}
	case *openapi3.SchemaError:
		c.add(schemaViolation(e, in, "", 0))
	default:
		if inner := errors.Unwrap(err); inner != nil {
			violationsOf(c, inner, in)
		} else {
			c.add(Violation{In: in, Rule: "invalid", Message: err.Error()})
		}
	}
}

// schemaErrors collects the SchemaErrors within err (through MultiErrors).
func schemaErrors(out []*openapi3.SchemaError, err error) []*openapi3.SchemaError {
	switch e := err.(type) {
	case nil:
	case openapi3.MultiError:
		for _, m := range e {
			out = schemaErrors(out, m)
		}
	case *openapi3.SchemaError:
		out = append(out, e)
	default:
		if inner := errors.Unwrap(err); inner != nil {
			out = schemaErrors(out, inner)
		}
	}
	return out
}

func parameterViolations(c *violations, e *openapi3filter.RequestError) {
	p := e.Parameter
	in := p.In // "path", "header", "query" or "cookie"
	ptr := "/" + p.Name
	errs := schemaErrors(nil, e.Err)
	switch {
	case errors.Is(e.Err, openapi3filter.ErrInvalidRequired):
		c.add(Violation{In: in, Pointer: ptr, Rule: RuleRequired, Message: fmt.Sprintf("%s parameter %q is required", p.In, p.Name)})
	case errors.Is(e.Err, openapi3filter.ErrInvalidEmptyValue):
		c.add(Violation{In: in, Pointer: ptr, Rule: RuleRequired, Message: fmt.Sprintf("%s parameter %q must not be empty", p.In, p.Name)})
	case len(errs) > 0:
		for _, se := range errs {
			c.add(schemaViolation(se, in, ptr, 0))
		}
	default:
		c.add(Violation{In: in, Pointer: ptr, Rule: RuleType, Message: fmt.Sprintf("%s parameter %q cannot be parsed", p.In, p.Name)})
	}
}

// schemaViolation maps one SchemaError: the pointer of a missing property is
// the property (kin-openapi already appends it), the pointer of an
// unsupported one is the unexpected key. The pointer is base followed by
// the error's own pointer less its first skip tokens.
func schemaViolation(e *openapi3.SchemaError, in, base string, skip int) Violation {
	ptr := base + pointer(e.JSONPointer()[skip:]...)
	rule, msg := e.SchemaField, e.Reason
	switch rule {
	case "properties":
		if key, ok := unsupportedKey(e.Reason); ok {
			rule = RuleAdditionalProperties
			ptr += pointer(key)
			msg = fmt.Sprintf("unknown property %q is not allowed", key)
		}
	case "nullable":
		rule, msg = RuleType, "value must not be null"
	case RuleRequired:
		msg = "property is required"
	case "maxLength", "minLength":
		// Say how long the value is: lengths count characters, not bytes.
		if s, ok := e.Value.(string); ok {
			msg = fmt.Sprintf("%s; the value has %d characters", msg, utf8.RuneCountInString(s))
		}
	case "":
		rule = "invalid"
	}
	if msg == "" {
		msg = fmt.Sprintf("value breaks %q", rule)
	}
	return Violation{In: in, Pointer: ptr, Rule: rule, Message: msg}
}

// unsupportedKey extracts the key of kin-openapi's reason
// `property "<key>" is unsupported` (the key is quoted with %q).
func unsupportedKey(reason string) (string, bool) {
	rest, prefixed := strings.CutPrefix(reason, "property ")
	quoted, suffixed := strings.CutSuffix(rest, " is unsupported")
	key, err := strconv.Unquote(quoted)
	return key, prefixed && suffixed && err == nil
}
