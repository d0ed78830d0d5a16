package validate

import (
	"errors"
	"fmt"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// EncodeJSON encodes v (a request body such as cbr.CheckpointReplicateReq)
// as the strict decoder of this package reads JSON: a string that is not
// valid UTF-8 is not silently turned into U+FFFD, as encoding/json would,
// but is a violation (rule "json", with the value's JSON pointer) in an
// *Error, the same verdict as for raw invalid UTF-8 in a body. Other
// failures are wrapped errors.
func EncodeJSON(v any) ([]byte, error) {
	data, err := jsonv2.Marshal(v)
	if err == nil {
		return data, nil
	}
	if se, ok := errors.AsType[*jsontext.SyntacticError](err); ok {
		return nil, violationError(Violation{In: InBody, Pointer: string(se.JSONPointer), Rule: RuleJSON,
			Message: fmt.Sprintf("cannot be sent: %v: JSON text must be UTF-8 (RFC 8259, section 8.1)", se.Err)})
	}
	return nil, fmt.Errorf("validate: encoding the body: %w", err)
}
