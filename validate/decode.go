package validate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/go-json-experiment/json/jsontext"
)

// decoder decodes a body strictly with jsontext, whose defaults are what
// this package requires: one JSON value, valid UTF-8 (no lone surrogate
// escape), no byte order mark, nesting at most 10000 deep. Duplicate names
// are found here rather than by jsontext, which would keep every name of an
// object (15 bytes per key of a hostile body) and stop at the first: each
// is reported, at no cost, as the decoded object already holds the names.
// Decoders are pooled: decoding the page's bodies allocates only the
// decoded value.
type decoder struct {
	buf  bytes.Buffer // jsontext reads a *bytes.Buffer in place
	dec  jsontext.Decoder
	keys map[string]string
	vs   *violations
}

var decoders = sync.Pool{New: func() any { return new(decoder) }}

// allowDuplicateNames leaves duplicate names to decoder.object.
var allowDuplicateNames = jsontext.AllowDuplicateNames(true)

// decodeJSON decodes data into the values schema.VisitJSON takes
// (map[string]any, []any, string, json.Number, bool, nil) and reports
// whether data is well-formed JSON. Malformed data adds one violation of
// rule "json"; each duplicate key adds one of rule "duplicateKey". Guided
// by schema, a key that a closed object (additionalProperties: false) does
// not declare is reported here and its value skipped: kin-openapi would
// allocate an error per key.
// keys holds the property names of the document, so that decoding them
// allocates no new strings.
func decodeJSON(data []byte, schema *openapi3.Schema, keys map[string]string, vs *violations) (any, bool) {
	d := decoders.Get().(*decoder)
	defer decoders.Put(d)
	d.buf = *bytes.NewBuffer(data)
	d.dec.Reset(&d.buf, allowDuplicateNames)
	d.keys, d.vs = keys, vs
	defer func() { d.buf, d.keys, d.vs = bytes.Buffer{}, nil, nil }()

	value, err := d.value(schema)
	if err == nil {
		// jsontext reads a stream of values; a body is one.
		if _, err = d.dec.ReadToken(); err == io.EOF {
			return value, true
		} else if err == nil {
			err = fmt.Errorf("trailing data after the JSON value at offset %d", d.dec.InputOffset()-1)
		}
	}
	vs.add(syntaxViolation(err))
	return nil, false
}

// syntaxViolation maps an error of jsontext to a violation, with the JSON
// pointer and offset jsontext gives.
func syntaxViolation(err error) Violation {
	var se *jsontext.SyntacticError
	switch {
	case err == io.EOF:
		return Violation{In: InBody, Rule: RuleJSON, Message: "the body is empty, a JSON value is expected"}
	case errors.As(err, &se):
		return Violation{In: InBody, Pointer: string(se.JSONPointer), Rule: RuleJSON,
			Message: fmt.Sprintf("malformed JSON at offset %d: %v", se.ByteOffset, se.Err)}
	}
	return Violation{In: InBody, Rule: RuleJSON, Message: "malformed JSON: " + err.Error()}
}

// value decodes the next value; schema (nil if unknown) is the schema it
// must match.
func (d *decoder) value(schema *openapi3.Schema) (any, error) {
	switch d.dec.PeekKind() {
	case '{':
		return d.object(schema)
	case '[':
		return d.array(schema)
	}
	tok, err := d.dec.ReadToken()
	if err != nil {
		return nil, err
	}
	switch tok.Kind() {
	case 'n':
		return nil, nil
	case 't', 'f':
		return tok.Bool(), nil
	case '"':
		return tok.String(), nil
	case '0':
		return json.Number(tok.String()), nil
	}
	return nil, fmt.Errorf("unexpected token %v", tok.Kind())
}

func (d *decoder) object(schema *openapi3.Schema) (any, error) {
	if _, err := d.dec.ReadToken(); err != nil {
		return nil, err
	}
	closed := schema != nil && schema.AdditionalProperties.Has != nil && !*schema.AdditionalProperties.Has
	m := make(map[string]any)
	for d.dec.PeekKind() != '}' {
		raw, err := d.dec.ReadValue()
		if err != nil {
			return nil, err
		}
		name := raw[1 : len(raw)-1]
		if bytes.IndexByte(name, '\\') >= 0 {
			if name, err = jsontext.AppendUnquote(nil, raw); err != nil {
				return nil, err
			}
		}
		var child *openapi3.Schema
		if schema != nil {
			if ref := schema.Properties[string(name)]; ref != nil {
				child = ref.Value
			} else if closed {
				// Only the violations kept are spelled out: a body of
				// unknown keys costs no allocation per key here.
				if d.vs.fits() {
					d.vs.add(Violation{In: InBody, Pointer: string(d.dec.StackPointer()), Rule: RuleAdditionalProperties,
						Message: fmt.Sprintf("unknown property %q is not allowed", name)})
				}
				if err := d.dec.SkipValue(); err != nil {
					return nil, err
				}
				continue
			}
		}
		key, ok := d.keys[string(name)] // interned: no allocation
		if !ok {
			key = string(name)
		}
		if _, dup := m[key]; dup {
			d.vs.add(Violation{In: InBody, Pointer: string(d.dec.StackPointer()), Rule: RuleDuplicateKey, Message: "the object repeats this key"})
		}
		if m[key], err = d.value(child); err != nil {
			return nil, err
		}
	}
	_, err := d.dec.ReadToken()
	return m, err
}

func (d *decoder) array(schema *openapi3.Schema) (any, error) {
	if _, err := d.dec.ReadToken(); err != nil {
		return nil, err
	}
	var items *openapi3.Schema
	if schema != nil && schema.Items != nil {
		items = schema.Items.Value
	}
	a := []any{}
	for d.dec.PeekKind() != ']' {
		v, err := d.value(items)
		if err != nil {
			return nil, err
		}
		a = append(a, v)
	}
	_, err := d.dec.ReadToken()
	return a, err
}
