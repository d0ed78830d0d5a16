package validate_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/openapi"
	"github.com/cbr-replicate/cbr-replicate/validate"
)

func TestMiddlewareCodesAreDocumented(t *testing.T) {
	for code, status := range map[string]string{
		validate.CodeParameterVerificationFailed: "400",
		validate.CodeNotAuthenticated:            "403",
		validate.CodeUnknownError:                "500",
	} {
		e, ok := openapi.LookupErrorCode(code)
		require.True(t, ok, code)
		assert.Contains(t, e.Statuses, status, code)
	}
}
