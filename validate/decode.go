package validate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/go-json-experiment/json/jsontext"
)

// itemless returns a copy of s in which no schema has items (nor property
// schemas with items), memoized in done: the decoder validates the items
// of arrays one at a time, and the copy validates the rest.
func itemless(s *openapi3.Schema, done map[*openapi3.Schema]*openapi3.Schema) *openapi3.Schema {
	if s == nil {
		return nil
	}
	if c, ok := done[s]; ok {
		return c
	}
	c := *s
	done[s] = &c
	c.Items = nil
	if s.Items != nil {
		itemless(s.Items.Value, done) // for the decoder's checkItems
	}
	if s.Properties != nil {
		c.Properties = make(openapi3.Schemas, len(s.Properties))
		for name, ref := range s.Properties {
			c.Properties[name] = &openapi3.SchemaRef{Value: itemless(ref.Value, done)}
		}
	}
	return &c
}

// decoder decodes a body strictly with jsontext, whose defaults are what
// this package requires: one JSON value, valid UTF-8 (no lone surrogate
// escape), no byte order mark, nesting at most 10000 deep. Duplicate names
// are found here rather than by jsontext, which would keep every name of an
// object (15 bytes per key of a hostile body) and stop at the first: each
// is reported, at no cost, as the decoded object already holds the names.
type decoder struct {
	buf  bytes.Buffer // jsontext reads a *bytes.Buffer in place
	dec  jsontext.Decoder
	val  *Validator
	keep bool // the decoded value is used, not only validated
	opts []openapi3.SchemaValidationOption
	vs   *violations
}

// allowDuplicateNames leaves duplicate names to decoder.object.
var allowDuplicateNames = jsontext.AllowDuplicateNames(true)

// decodeJSON decodes data into the values schema.VisitJSON takes
// (map[string]any, []any, string, json.Number, bool, nil) and reports
// whether data is well-formed JSON. Malformed data adds one violation of
// rule "json"; each duplicate key adds one of rule "duplicateKey". Guided
// by schema (nil: none), where kin-openapi would allocate an error per key
// or per item of a hostile body and hold them all at once, it checks here:
// a key that a closed object (additionalProperties: false) does not declare
// is reported and its value skipped, and each array item is validated with
// opts as soon as it is decoded; the value is then validated against
// v.itemless[schema]. Unless keep, the value returned may lack array items
// that were validated: it is for validation only.
func (v *Validator) decodeJSON(data []byte, schema *openapi3.Schema, opts []openapi3.SchemaValidationOption, keep bool, vs *violations) (any, bool) {
	d := &decoder{buf: *bytes.NewBuffer(data), val: v, opts: opts, keep: keep, vs: vs}
	d.dec.Reset(&d.buf, allowDuplicateNames)

	value, err := d.value(schema)
	if err == nil {
		// jsontext reads a stream of values; a body is one.
		if _, err = d.dec.ReadToken(); err == io.EOF {
			return value, true
		} else if err == nil {
			err = fmt.Errorf("trailing data after the JSON value at offset %d", d.dec.InputOffset()-1)
		}
	}
	var se *jsontext.SyntacticError
	switch {
	case err == io.EOF:
		vs.add(Violation{In: InBody, Rule: RuleJSON, Message: "the body is empty, a JSON value is expected"})
	case errors.As(err, &se):
		vs.add(Violation{In: InBody, Pointer: string(se.JSONPointer), Rule: RuleJSON,
			Message: fmt.Sprintf("malformed JSON at offset %d: %v", se.ByteOffset, se.Err)})
	default:
		vs.add(Violation{In: InBody, Rule: RuleJSON, Message: "malformed JSON: " + err.Error()})
	}
	return nil, false
}

// value decodes the next value; schema (nil if unknown) is the schema it
// must match.
func (d *decoder) value(schema *openapi3.Schema) (any, error) {
	kind := d.dec.PeekKind()
	if schema != nil && (kind == '{' || kind == '[') && wrongKind(schema, kind) {
		// An object or array where the schema wants another type breaks
		// one rule whatever it holds: it is checked for well-formedness
		// and stood in for by an empty one, so that a body of a million
		// nested values costs no memory per value.
		if err := d.dec.SkipValue(); err != nil {
			return nil, err
		}
		if kind == '{' {
			return map[string]any{}, nil
		}
		return []any{}, nil
	}
	switch kind {
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
	var skimmed map[string]struct{} // keys skimmed, not in m
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
		if schema != nil && child == nil && !d.keep {
			// A key an open object does not declare: nothing validates or
			// uses its value, which is only checked for duplicate keys,
			// without being built.
			d.seen(&skimmed, name)
			if err := d.skim(); err != nil {
				return nil, err
			}
			continue
		}
		key := string(name)
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

// seen adds name to *names (made on first use); a name already there is a
// duplicate key.
func (d *decoder) seen(names *map[string]struct{}, name []byte) {
	if *names == nil {
		*names = map[string]struct{}{}
	}
	if _, dup := (*names)[string(name)]; dup {
		d.vs.add(Violation{In: InBody, Pointer: string(d.dec.StackPointer()), Rule: RuleDuplicateKey, Message: "the object repeats this key"})
		return
	}
	(*names)[string(name)] = struct{}{}
}

// skim reads the next value as value would, reporting its duplicate keys,
// but builds nothing: its cost in memory is one set of names per object on
// the way down, not the value.
func (d *decoder) skim() error {
	switch d.dec.PeekKind() {
	case '{':
		if _, err := d.dec.ReadToken(); err != nil {
			return err
		}
		var names map[string]struct{}
		for d.dec.PeekKind() != '}' {
			raw, err := d.dec.ReadValue()
			if err != nil {
				return err
			}
			name, err := jsontext.AppendUnquote(nil, raw)
			if err != nil {
				return err
			}
			d.seen(&names, name)
			if err := d.skim(); err != nil {
				return err
			}
		}
		_, err := d.dec.ReadToken()
		return err
	case '[':
		if _, err := d.dec.ReadToken(); err != nil {
			return err
		}
		for d.dec.PeekKind() != ']' {
			if err := d.skim(); err != nil {
				return err
			}
		}
		_, err := d.dec.ReadToken()
		return err
	}
	_, err := d.dec.ReadToken()
	return err
}

// itemBatch is how many array items are validated by one call of
// kin-openapi: few enough that it holds few errors at once, many enough
// that the page's arrays cost one call.
const itemBatch = 64

func (d *decoder) array(schema *openapi3.Schema) (any, error) {
	if _, err := d.dec.ReadToken(); err != nil {
		return nil, err
	}
	var items *openapi3.Schema
	if schema != nil && schema.Items != nil {
		items = schema.Items.Value
	}
	// Items validated here are kept only if the value is used (requests)
	// or the array keywords need them: a response of a million items then
	// costs no memory per item.
	keep := items == nil || d.keep || schema.MinItems > 0 || schema.MaxItems != nil || schema.UniqueItems
	a := []any{}
	var batch []any // items decoded, not yet validated; the last is item n-1
	n := 0
	for kind := d.dec.PeekKind(); kind != ']'; kind = d.dec.PeekKind() {
		if !keep && wrongKind(items, kind) && !d.vs.fits() {
			// Counted, not decoded nor spelled out.
			d.checkItems(items, batch, n)
			batch = batch[:0]
			if err := d.dec.SkipValue(); err != nil {
				return nil, err
			}
			n++
			continue
		}
		v, err := d.value(items)
		if err != nil {
			return nil, err
		}
		n++
		if keep {
			a = append(a, v)
		}
		if items != nil {
			if batch = append(batch, v); len(batch) == itemBatch {
				d.checkItems(items, batch, n)
				batch = batch[:0]
			}
		}
	}
	d.checkItems(items, batch, n)
	_, err := d.dec.ReadToken()
	return a, err
}

// checkItems validates batch, the items of an array that end with item
// n-1, the one last read, against items: one call of kin-openapi, with
// the visit schema, as the items' own arrays were checked when decoded.
func (d *decoder) checkItems(items *openapi3.Schema, batch []any, n int) {
	if len(batch) == 0 {
		return
	}
	check := d.val.s.batch[items]
	if check == nil { // not a schema of the document (tests)
		check = &openapi3.Schema{Type: &openapi3.Types{openapi3.TypeArray}, Items: &openapi3.SchemaRef{Value: items}}
	}
	err := check.VisitJSON(batch, d.opts...)
	if err == nil {
		return
	}
	array := string(d.dec.StackPointer().Parent())
	first := n - len(batch)
	for _, se := range schemaErrors(nil, err) {
		if !d.vs.fits() {
			continue // counted
		}
		base, skip := array, 0
		if p := se.JSONPointer(); len(p) > 0 {
			if i, perr := strconv.Atoi(p[0]); perr == nil {
				base, skip = array+"/"+strconv.Itoa(first+i), 1
			}
		}
		d.vs.add(schemaViolation(se, InBody, base, skip))
	}
}

// wrongKind reports whether a value of kind surely breaks the one type
// schema declares: kin-openapi reports a single violation for it.
func wrongKind(schema *openapi3.Schema, kind jsontext.Kind) bool {
	if schema.Type == nil || len(*schema.Type) != 1 {
		return false
	}
	want, ok := kinds[(*schema.Type)[0]]
	return ok && kind != 'n' && !strings.ContainsRune(want, rune(kind))
}

// kinds are the jsontext kinds of a value of each schema type, null aside.
var kinds = map[string]string{
	openapi3.TypeObject: "{", openapi3.TypeArray: "[", openapi3.TypeString: `"`,
	openapi3.TypeBoolean: "tf", openapi3.TypeNumber: "0", openapi3.TypeInteger: "0",
}
