package validate

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

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
	p := parser{data: data, keys: keys}
	value, err := p.parse()
	if err != nil {
		msg := "malformed JSON: " + err.Error()
		if se, ok := err.(*syntaxError); ok {
			msg = fmt.Sprintf("malformed JSON at offset %d: %s", se.offset, se.msg)
		}
		return nil, []Violation{{In: InBody, Rule: RuleJSON, Message: msg}}
	}
	return value, p.dups
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
