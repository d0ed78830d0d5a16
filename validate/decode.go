package validate

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
)

// decodeJSON decodes data strictly: exactly one JSON value, numbers kept as
// json.Number (as openapi3filter does), and no object repeating a key.
// It returns the decoded value, or violations if data is not acceptable JSON.
// keys, if not nil, holds the property names of the document so that
// decoding them allocates no new strings.
func decodeJSON(data []byte, keys map[string]string) (any, []Violation) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, []Violation{{In: InBody, Rule: RuleJSON, Message: "the body is empty, a JSON object is expected"}}
	}
	if bytes.HasPrefix(data, []byte("\xEF\xBB\xBF")) {
		return nil, []Violation{{In: InBody, Rule: RuleJSON,
			Message: "the body starts with a byte order mark (U+FEFF), which JSON text must not (RFC 8259, section 8.1)"}}
	}
	p := parser{data: data, keys: keys}
	value, err := p.parse()
	if err != nil {
		msg := "malformed JSON: " + err.Error()
		if se, ok := err.(*syntaxError); ok {
			msg = fmt.Sprintf("malformed JSON at offset %d: %s", se.offset, se.msg)
		}
		return nil, []Violation{{In: InBody, Rule: RuleJSON, Message: msg}}
	}
	// The parser, like encoding/json, turns invalid UTF-8 into U+FFFD: what
	// is validated would not be what was sent.
	if off := invalidUTF8(data); off >= 0 {
		p.dups = append(p.dups, Violation{In: InBody, Rule: RuleJSON,
			Message: fmt.Sprintf("invalid UTF-8 at offset %d: JSON text must be UTF-8 (RFC 8259, section 8.1)", off)})
	}
	return value, p.dups
}

// invalidUTF8 returns the offset of the first byte of data that is not
// valid UTF-8, or -1 if all of it is.
func invalidUTF8(data []byte) int {
	if utf8.Valid(data) {
		return -1
	}
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return -1
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
