package validate

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// Where a violation is: the In field of a Violation.
const (
	InPath   = "path"   // the URL path or one of its parameters
	InHeader = "header" // a request or response header
	InBody   = "body"   // the JSON body
	InStatus = "status" // the response status code
	InMethod = "method" // the HTTP method
)

// Rules a violation can break: the Rule field of a Violation. Schema rules
// carry the name of the OpenAPI keyword (maxLength, format, ...).
const (
	RuleRequired             = "required"
	RuleAdditionalProperties = "additionalProperties"
	RuleType                 = "type"
	RuleFormat               = "format"
	RuleJSON                 = "json"         // the body is not a single well-formed JSON value
	RuleDuplicateKey         = "duplicateKey" // an object repeats a key
	RuleCaseVariant          = "caseVariant"  // a key differs from a declared property only in case
	RuleContentType          = "contentType"
	RuleSecurity             = "security"
	RuleStatus               = "status"
	RuleRoute                = "route"  // no operation at this path
	RuleMethod               = "method" // the path exists, the method does not
)

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
	// one of "json", "duplicateKey", "caseVariant", "contentType",
	// "security", "status", "route", "method".
	Rule string `json:"rule"`
	// Message explains the violation in plain words. It never holds a token.
	Message string `json:"message"`
}

// String renders the violation as "<in> <pointer>: <rule>: <message>".
func (v Violation) String() string {
	if v.Pointer == "" {
		return v.In + ": " + v.Rule + ": " + v.Message
	}
	return v.In + " " + v.Pointer + ": " + v.Rule + ": " + v.Message
}

// Error is the error of every failed validation: it holds every violation
// found, deduplicated and sorted by pointer, then rule.
type Error struct {
	Violations []Violation
}

// Error renders one line per violation.
func (e *Error) Error() string {
	if e == nil || len(e.Violations) == 0 {
		return "validate: no violations"
	}
	var b strings.Builder
	for i, v := range e.Violations {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(v.String())
	}
	return b.String()
}

// Has reports whether e holds a violation at pointer that breaks rule.
func (e *Error) Has(pointer, rule string) bool {
	if e == nil {
		return false
	}
	for _, v := range e.Violations {
		if v.Pointer == pointer && v.Rule == rule {
			return true
		}
	}
	return false
}

// ResponseError reports a response that does not match the contract
// (contract drift), returned by a Transport with ValidateResponses. It keeps
// the status, header and raw body of the response, whose body is consumed.
type ResponseError struct {
	StatusCode int
	Header     http.Header
	Body       []byte
	Err        *Error
}

// Error names the status and lists the violations.
func (e *ResponseError) Error() string {
	return fmt.Sprintf("validate: response with status %d does not match the contract:\n%s", e.StatusCode, e.Err.Error())
}

// Unwrap returns the *Error with the violations.
func (e *ResponseError) Unwrap() error { return e.Err }

// newError deduplicates and sorts violations; it returns nil for none.
func newError(vs []Violation) error {
	if len(vs) == 0 {
		return nil
	}
	slices.SortStableFunc(vs, func(a, b Violation) int {
		if c := strings.Compare(a.Pointer, b.Pointer); c != 0 {
			return c
		}
		if c := strings.Compare(a.Rule, b.Rule); c != 0 {
			return c
		}
		if c := strings.Compare(a.In, b.In); c != 0 {
			return c
		}
		return strings.Compare(a.Message, b.Message)
	})
	vs = slices.CompactFunc(vs, func(a, b Violation) bool {
		return a.In == b.In && a.Pointer == b.Pointer && a.Rule == b.Rule
	})
	return &Error{Violations: vs}
}

// pointer builds a JSON pointer (RFC 6901) from unescaped reference tokens.
func pointer(tokens ...string) string {
	if len(tokens) == 0 {
		return ""
	}
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		if strings.ContainsAny(t, "~/") {
			t = strings.ReplaceAll(strings.ReplaceAll(t, "~", "~0"), "/", "~1")
		}
		b.WriteString(t)
	}
	return b.String()
}

// appendPointer appends one unescaped token to a JSON pointer.
func appendPointer(p, token string) string {
	return p + pointer(token)
}

// violationsOf maps an error of kin-openapi (openapi3filter.RequestError,
// ResponseError, SecurityRequirementsError, openapi3.SchemaError,
// openapi3.MultiError, routers.RouteError, nested in any way) to violations.
// in says where schema errors without a parameter are (the body).
//
// It switches on concrete types rather than using errors.As: MultiError.As
// matches its first member, which would drop the others.
func violationsOf(vs []Violation, err error, in string) []Violation {
	switch e := err.(type) {
	case nil:
		return vs
	case openapi3.MultiError:
		for _, m := range e {
			vs = violationsOf(vs, m, in)
		}
		return vs
	case *openapi3filter.SecurityRequirementsError:
		// Never echo the header's value: name the header only.
		return append(vs, Violation{In: InHeader, Pointer: "/" + authHeader, Rule: RuleSecurity,
			Message: "the " + authHeader + " header must carry a token (missing or empty)"})
	case *openapi3filter.RequestError:
		if e.Parameter != nil {
			return parameterViolations(vs, e)
		}
		return requestErrorViolations(vs, e)
	case *openapi3filter.ResponseError:
		return responseErrorViolations(vs, e)
	case *openapi3.SchemaError:
		return append(vs, schemaViolation(e, in, ""))
	case *routers.RouteError:
		return append(vs, Violation{In: InPath, Rule: RuleRoute, Message: e.Reason})
	case interface{ Unwrap() []error }:
		for _, m := range e.Unwrap() {
			vs = violationsOf(vs, m, in)
		}
		return vs
	}
	if inner := errors.Unwrap(err); inner != nil {
		return violationsOf(vs, inner, in)
	}
	return append(vs, Violation{In: in, Rule: "invalid", Message: err.Error()})
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

func parameterViolations(vs []Violation, e *openapi3filter.RequestError) []Violation {
	p := e.Parameter
	in := p.In // "path", "header", "query" or "cookie"
	ptr := "/" + p.Name
	switch {
	case errors.Is(e.Err, openapi3filter.ErrInvalidRequired):
		return append(vs, Violation{In: in, Pointer: ptr, Rule: RuleRequired, Message: fmt.Sprintf("%s parameter %q is required", p.In, p.Name)})
	case errors.Is(e.Err, openapi3filter.ErrInvalidEmptyValue):
		return append(vs, Violation{In: in, Pointer: ptr, Rule: RuleRequired, Message: fmt.Sprintf("%s parameter %q must not be empty", p.In, p.Name)})
	}
	if errs := schemaErrors(nil, e.Err); len(errs) > 0 {
		for _, se := range errs {
			vs = append(vs, schemaViolation(se, in, ptr))
		}
		return vs
	}
	return append(vs, Violation{In: in, Pointer: ptr, Rule: RuleType, Message: fmt.Sprintf("%s parameter %q cannot be parsed", p.In, p.Name)})
}

func requestErrorViolations(vs []Violation, e *openapi3filter.RequestError) []Violation {
	switch {
	case e.Err != nil && errors.Is(e.Err, openapi3filter.ErrInvalidRequired):
		return append(vs, Violation{In: InBody, Rule: RuleRequired, Message: "the request body is required"})
	case strings.HasPrefix(e.Reason, "header Content-Type"):
		return append(vs, Violation{In: InHeader, Pointer: "/Content-Type", Rule: RuleContentType, Message: e.Reason})
	case e.Err != nil:
		return violationsOf(vs, e.Err, InBody)
	}
	return append(vs, Violation{In: InBody, Rule: "invalid", Message: e.Reason})
}

func responseErrorViolations(vs []Violation, e *openapi3filter.ResponseError) []Violation {
	switch {
	case e.Reason == "status is not supported":
		return append(vs, Violation{In: InStatus, Rule: RuleStatus, Message: "the status is not documented"})
	case strings.Contains(e.Reason, "Content-Type"):
		return append(vs, Violation{In: InHeader, Pointer: "/Content-Type", Rule: RuleContentType, Message: e.Reason})
	case e.Err != nil:
		return violationsOf(vs, e.Err, InBody)
	}
	return append(vs, Violation{In: InBody, Rule: "invalid", Message: e.Reason})
}

// schemaViolation maps one SchemaError: the pointer of a missing property is
// the property (kin-openapi already appends it), the pointer of an
// unsupported one is the unexpected key.
func schemaViolation(e *openapi3.SchemaError, in, base string) Violation {
	ptr := base + pointer(e.JSONPointer()...)
	rule, msg := e.SchemaField, e.Reason
	switch rule {
	case "properties":
		if key, ok := unsupportedKey(e.Reason); ok {
			rule = RuleAdditionalProperties
			ptr = appendPointer(ptr, key)
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
	rest, ok := strings.CutPrefix(reason, "property ")
	if !ok {
		return "", false
	}
	quoted, ok := strings.CutSuffix(rest, " is unsupported")
	if !ok {
		return "", false
	}
	key, err := strconv.Unquote(quoted)
	return key, err == nil
}
