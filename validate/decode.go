package validate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
)

// decodeJSON decodes data strictly: exactly one JSON value, numbers kept as
// json.Number (as openapi3filter does), and no object repeating a key.
// It returns the decoded value, or violations if data is not acceptable JSON.
func decodeJSON(data []byte) (any, []Violation) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, []Violation{{In: InBody, Rule: RuleJSON, Message: "the body is empty, a JSON object is expected"}}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var value any
	if err := dec.Decode(&value); err != nil {
		return nil, []Violation{{In: InBody, Rule: RuleJSON, Message: jsonMessage(err)}}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, []Violation{{In: InBody, Rule: RuleJSON,
			Message: fmt.Sprintf("unexpected data after the JSON value at offset %d", dec.InputOffset())}}
	}
	var vs []Violation
	s := dupScanner{data: data}
	s.value(&vs)
	return value, vs
}

// jsonMessage describes a decoding error without echoing the input.
func jsonMessage(err error) string {
	var syntax *json.SyntaxError
	switch {
	case errors.As(err, &syntax):
		return fmt.Sprintf("malformed JSON at offset %d: %s", syntax.Offset, strings.TrimPrefix(syntax.Error(), "json: "))
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "malformed JSON: unexpected end of input"
	}
	return "malformed JSON: " + strings.TrimPrefix(err.Error(), "json: ")
}

// dupScanner walks JSON that is known to be valid and reports every object
// that repeats a key (encoding/json would silently keep the last one).
type dupScanner struct {
	data []byte
	i    int
	path []string
}

func (s *dupScanner) skipSpace() {
	for s.i < len(s.data) {
		switch s.data[s.i] {
		case ' ', '\t', '\r', '\n':
			s.i++
		default:
			return
		}
	}
}

// value skips one value, checking the objects within it.
func (s *dupScanner) value(vs *[]Violation) {
	s.skipSpace()
	if s.i >= len(s.data) {
		return
	}
	switch s.data[s.i] {
	case '{':
		s.object(vs)
	case '[':
		s.i++
		s.skipSpace()
		if s.i < len(s.data) && s.data[s.i] == ']' {
			s.i++
			return
		}
		for n := 0; s.i < len(s.data); n++ {
			s.path = append(s.path, strconv.Itoa(n))
			s.value(vs)
			s.path = s.path[:len(s.path)-1]
			s.skipSpace()
			if s.i >= len(s.data) {
				return
			}
			c := s.data[s.i]
			s.i++
			if c != ',' {
				return
			}
		}
	case '"':
		s.str()
	default:
		for s.i < len(s.data) {
			switch s.data[s.i] {
			case ',', '}', ']', ' ', '\t', '\r', '\n':
				return
			}
			s.i++
		}
	}
}

func (s *dupScanner) object(vs *[]Violation) {
	s.i++ // '{'
	s.skipSpace()
	if s.i < len(s.data) && s.data[s.i] == '}' {
		s.i++
		return
	}
	var small [8]string
	seen := small[:0]
	for s.i < len(s.data) {
		s.skipSpace()
		key := s.str()
		dup := false
		for _, k := range seen {
			if k == key {
				dup = true
				break
			}
		}
		if dup {
			*vs = append(*vs, Violation{In: InBody, Pointer: pointer(append(s.path, key)...), Rule: RuleDuplicateKey,
				Message: "the object repeats this key; only one value per key is allowed"})
		} else {
			seen = append(seen, key)
		}
		s.skipSpace()
		s.i++ // ':'
		s.path = append(s.path, key)
		s.value(vs)
		s.path = s.path[:len(s.path)-1]
		s.skipSpace()
		if s.i >= len(s.data) {
			return
		}
		c := s.data[s.i]
		s.i++
		if c != ',' {
			return
		}
	}
}

// str skips a string and returns its decoded value.
func (s *dupScanner) str() string {
	start := s.i
	s.i++ // opening quote
	plain := true
	for s.i < len(s.data) {
		c := s.data[s.i]
		switch {
		case c == '\\':
			plain = false
			s.i += 2
			continue
		case c == '"':
			s.i++
			raw := s.data[start:s.i]
			if plain {
				return string(raw[1 : len(raw)-1])
			}
			var out string
			if err := json.Unmarshal(raw, &out); err != nil {
				return string(raw)
			}
			return out
		case c >= utf8.RuneSelf:
			plain = false // invalid UTF-8 is replaced by U+FFFD when decoded
		}
		s.i++
	}
	return string(s.data[start:])
}

// caseVariants reports keys of objects that differ from a property the
// schema declares only in case, where the schema lets unknown keys through:
// encoding/json matches keys case-insensitively, so such a key would bind to
// the declared field without having been validated as it. Closed schemas
// (additionalProperties: false) already reject them.
func caseVariants(vs []Violation, schema *openapi3.Schema, value any, path []string) []Violation {
	if schema == nil {
		return vs
	}
	switch v := value.(type) {
	case map[string]any:
		open := schema.AdditionalProperties.Has == nil || *schema.AdditionalProperties.Has
		for k, child := range v {
			if ref, ok := schema.Properties[k]; ok && ref != nil {
				vs = caseVariants(vs, ref.Value, child, append(path, k))
				continue
			}
			if !open {
				continue
			}
			for name := range schema.Properties {
				if strings.EqualFold(name, k) {
					vs = append(vs, Violation{In: InBody, Pointer: pointer(append(path, k)...), Rule: RuleCaseVariant,
						Message: fmt.Sprintf("key differs from the property %q only in case", name)})
					break
				}
			}
		}
	case []any:
		if schema.Items == nil {
			return vs
		}
		for i, child := range v {
			vs = caseVariants(vs, schema.Items.Value, child, append(path, strconv.Itoa(i)))
		}
	}
	return vs
}
