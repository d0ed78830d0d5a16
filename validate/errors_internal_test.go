package validate

import (
	"errors"
	"fmt"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type where struct{ In, Pointer, Rule string }

func wheres(vs []Violation) []where {
	out := make([]where, len(vs))
	for i, v := range vs {
		out[i] = where{v.In, v.Pointer, v.Rule}
	}
	return out
}

// schemaError returns the errors kin-openapi gives for value against a
// small closed schema with a required property.
func schemaError(t *testing.T, value any) error {
	t.Helper()
	schema := openapi3.NewObjectSchema().
		WithProperty("name", openapi3.NewStringSchema().WithMaxLength(3)).
		WithoutAdditionalProperties()
	schema.Required = []string{"name"}
	err := schema.VisitJSON(value, openapi3.MultiErrors())
	require.Error(t, err)
	return err
}

func TestViolationsOfKinOpenAPIErrors(t *testing.T) {
	param := &openapi3.Parameter{Name: "project_id", In: "path"}
	tests := []struct {
		name string
		err  error
		want []where
	}{
		{"SchemaError for a missing property points at the property",
			schemaError(t, map[string]any{}), []where{{"body", "/name", "required"}}},
		{"SchemaError for an unsupported property points at the key",
			schemaError(t, map[string]any{"name": "a", "x/y": 1}), []where{{"body", "/x~1y", "additionalProperties"}}},
		{"MultiError nested in another error keeps every member",
			fmt.Errorf("doesn't match schema: %w", schemaError(t, map[string]any{"name": "abcd", "z": 1})),
			[]where{{"body", "/name", "maxLength"}, {"body", "/z", "additionalProperties"}}},
		{"MultiError with a SecurityRequirementsError first keeps the others",
			openapi3.MultiError{
				&openapi3filter.SecurityRequirementsError{Errors: []error{errors.New("no token")}},
				&openapi3filter.RequestError{Parameter: param, Err: openapi3filter.ErrInvalidRequired},
			},
			[]where{{"header", "/X-Auth-Token", "security"}, {"path", "/project_id", "required"}}},
		{"parameter schema error is prefixed with the parameter",
			&openapi3filter.RequestError{Parameter: param, Err: openapi3.MultiError{&openapi3.SchemaError{SchemaField: "maxLength", Reason: "too long"}}},
			[]where{{"path", "/project_id", "maxLength"}}},
		{"a RequestError of no parameter is a violation, not dropped",
			&openapi3filter.RequestError{RequestBody: &openapi3.RequestBody{}, Err: openapi3filter.ErrInvalidRequired},
			[]where{{"body", "", "invalid"}}},
		{"wrapped with %w", fmt.Errorf("context: %w", schemaError(t, map[string]any{})), []where{{"body", "/name", "required"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var vs violations
			violationsOf(&vs, tt.err, InBody)
			var verr *Error
			require.ErrorAs(t, newError(&vs), &verr)
			assert.Equal(t, tt.want, wheres(verr.Violations))
			for _, v := range verr.Violations {
				assert.NotEmpty(t, v.Message)
			}
		})
	}
}

func TestNewErrorDeduplicatesAndSortsByPointerThenRule(t *testing.T) {
	err := violationError(
		Violation{In: InBody, Pointer: "/b", Rule: "type", Message: "m"},
		Violation{In: InBody, Pointer: "/a", Rule: "type", Message: "m"},
		Violation{In: InBody, Pointer: "/a", Rule: "format", Message: "m"},
		Violation{In: InBody, Pointer: "/b", Rule: "type", Message: "m again"},
	)
	var verr *Error
	require.ErrorAs(t, err, &verr)
	assert.Equal(t, []where{{"body", "/a", "format"}, {"body", "/a", "type"}, {"body", "/b", "type"}}, wheres(verr.Violations))
	assert.NoError(t, violationError())
}

func TestPointerEscapesTokens(t *testing.T) {
	assert.Equal(t, "", pointer())
	assert.Equal(t, "/replicate/vault_id", pointer("replicate", "vault_id"))
	assert.Equal(t, "/a~1b/c~0d/", pointer("a/b", "c~d", ""))
}
