package openapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/uuid"
)

// Doc returns the document parsed once per process, with the uuid format
// registered (canonical 8-4-4-4-12 hexadecimal digits, any version). Every
// package reads the spec through it; callers must not modify it.
func Doc() (*openapi3.T, error) {
	s := load()
	return s.doc, s.err
}

// spec is the document and what one walk over it finds.
type spec struct {
	doc   *openapi3.T
	ops   []Operation // sorted by ID
	codes map[string]*ErrorCode
	err   error
}

var load = sync.OnceValue(func() *spec {
	s, err := parse(YAML)
	if err != nil {
		return &spec{err: fmt.Errorf("openapi: the embedded cbr-replicate.yaml: %w", err)}
	}
	return s
})

// parse loads a document and walks its operations and examples once.
func parse(data []byte) (*spec, error) {
	doc, err := openapi3.NewLoader().LoadFromData(data)
	if err != nil {
		return nil, err
	}
	doc.SetStringFormatValidator("uuid", openapi3.NewCallbackValidator(func(s string) error {
		if _, err := uuid.Parse(s); err != nil || len(s) != 36 { // not the urn:, {} or 32-digit forms
			return errors.New("must be a UUID such as 3b5816b5-f29c-4172-9d9a-76c719a659ce")
		}
		return nil
	}))
	if err := doc.Validate(context.Background()); err != nil {
		return nil, err
	}
	s := &spec{doc: doc, codes: map[string]*ErrorCode{}}
	for _, path := range doc.Paths.InMatchingOrder() {
		for method, op := range doc.Paths.Value(path).Operations() {
			o, err := s.operation(method, path, op)
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", method, path, err)
			}
			s.ops = append(s.ops, o)
		}
	}
	slices.SortFunc(s.ops, func(a, b Operation) int { return strings.Compare(a.ID, b.ID) })
	for _, e := range s.codes {
		slices.Sort(e.Statuses)
		e.Statuses = slices.Compact(e.Statuses)
	}
	return s, nil
}

// operation indexes op's response examples and error codes.
func (s *spec) operation(method, path string, op *openapi3.Operation) (Operation, error) {
	if op.OperationID == "" {
		return Operation{}, errors.New("no operationId")
	}
	o := Operation{ID: op.OperationID, Method: method, Path: path, Summary: op.Summary, examples: map[string][]Example{}}
	for key, ref := range op.Responses.Map() {
		mt := ref.Value.Content.Get("application/json")
		if mt == nil {
			continue
		}
		for name, ex := range mt.Examples { // Validate resolved every ref
			body, err := json.Marshal(ex.Value.Value)
			if err != nil {
				return Operation{}, fmt.Errorf("example %s of response %s: %w", name, key, err)
			}
			o.examples[key] = append(o.examples[key], Example{Name: name, Body: body})
			s.addCode(ex.Value, name, key)
		}
		if len(o.examples[key]) == 0 {
			return Operation{}, fmt.Errorf("response %s has no example", key)
		}
		slices.SortFunc(o.examples[key], func(a, b Example) int { return strings.Compare(a.Name, b.Name) })
	}
	return o, nil
}

// addCode adds the CBR error code an error example carries to the table.
func (s *spec) addCode(ex *openapi3.Example, name, key string) {
	body, _ := ex.Value.(map[string]any)
	code, _ := body["error_code"].(string)
	if code == "" {
		return
	}
	e := s.codes[code]
	if e == nil {
		e = &ErrorCode{Code: code, Meaning: ex.Summary, Example: name}
		s.codes[code] = e
	}
	e.Statuses = append(e.Statuses, key)
}

// Operation is one operation of the spec, with its documented examples.
type Operation struct {
	// ID is the operationId, e.g. "CopyCheckpoint".
	ID string
	// Method and Path are the HTTP method and the path template, e.g. POST
	// and /v3/{project_id}/checkpoints/replicate.
	Method, Path string
	// Summary is the title of the operation's page, e.g. "Replicating a
	// Restore Point".
	Summary string

	examples map[string][]Example // response key ("200", "4XX") -> by name
}

// Example is a documented example of a response: its name and its value as
// JSON.
type Example struct {
	Name string
	Body []byte
}

// Operations returns the spec's operations, sorted by ID; nil when the
// embedded document does not load (Doc says why).
func Operations() []Operation { return slices.Clone(load().ops) }

// Lookup returns the operation with the given ID.
func Lookup(id string) (Operation, bool) {
	for _, o := range load().ops {
		if o.ID == id {
			return o, true
		}
	}
	return Operation{}, false
}

// IDs returns the IDs of the spec's operations, sorted.
func IDs() []string {
	var ids []string
	for _, o := range load().ops {
		ids = append(ids, o.ID)
	}
	return ids
}

// Idempotent reports whether sending the operation twice does what sending
// it once does (RFC 9110, 9.2.2): a failed POST may have taken effect.
func (o Operation) Idempotent() bool {
	return slices.Contains([]string{http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodOptions}, o.Method)
}

// Responses returns the response keys the operation documents, sorted:
// statuses ("200") and ranges ("4XX").
func (o Operation) Responses() []string { return slices.Sorted(maps.Keys(o.examples)) }

// Documents reports whether the operation documents status, by itself or
// by its range.
func (o Operation) Documents(status int) bool { return o.key(status) != "" }

// key is the response key that documents status: the status itself, else
// its range ("5XX"), as kin-openapi's Responses.Status does; "" for none.
func (o Operation) key(status int) string {
	k := strconv.Itoa(status)
	if _, ok := o.examples[k]; ok {
		return k
	}
	if status >= 100 && status <= 599 {
		if r := k[:1] + "XX"; o.examples[r] != nil {
			return r
		}
	}
	return ""
}

// Example returns the documented example of the answer with status, as
// Stoplight Prism picks it: the example called name, or the first by name
// when name is empty; a status documented only by its range (502 by 5XX)
// has the range's examples. It fails, naming what is documented, for a
// status or an example the operation does not document.
func (o Operation) Example(status int, name string) (Example, error) {
	key := o.key(status)
	if key == "" {
		return Example{}, fmt.Errorf("status %d (%s) is not documented for %s; documented: %s",
			status, http.StatusText(status), o.ID, strings.Join(o.Responses(), ", "))
	}
	list := o.examples[key]
	if name == "" {
		return list[0], nil
	}
	names := make([]string, len(list))
	for i, x := range list {
		if x.Name == name {
			return x, nil
		}
		names[i] = x.Name
	}
	return Example{}, fmt.Errorf("example %q is not documented for status %d of %s; documented: %s",
		name, status, o.ID, strings.Join(names, ", "))
}
