package validate_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/validate"
)

func TestErrorCodesComeFromTheSpec(t *testing.T) {
	codes := validate.ErrorCodes()
	require.Len(t, codes, 16, "the spec documents 16 codes (cbr-facts.md)")
	for _, c := range codes {
		assert.NotEmpty(t, c.Meaning, "%s has a plain-words meaning (its example's summary)", c.Code)
		assert.NotEmpty(t, c.Message, c.Code)
		assert.NotEmpty(t, c.Statuses, c.Code)
	}
	e, ok := validate.LookupErrorCode("6120")
	require.True(t, ok, "a code given by its number alone")
	assert.Equal(t, "BackupService.6120", e.Code)
	assert.Equal(t, "Destination vault does not exist.", e.Message)
	assert.Equal(t, []string{"400"}, e.Statuses)
	_, ok = validate.LookupErrorCode("BackupService.0000")
	assert.False(t, ok)
}

func TestMiddlewareCodesAreDocumented(t *testing.T) {
	for code, status := range map[string]string{
		validate.CodeParameterVerificationFailed: "400",
		validate.CodeNotAuthenticated:            "403",
		validate.CodeUnknownError:                "500",
	} {
		e, ok := validate.LookupErrorCode(code)
		require.True(t, ok, code)
		assert.Contains(t, e.Statuses, status, code)
	}
}
