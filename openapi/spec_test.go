package openapi_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/openapi"
)

func TestDocLoadsOnce(t *testing.T) {
	a, err := openapi.Doc()
	require.NoError(t, err)
	b, _ := openapi.Doc()
	assert.Same(t, a, b, "parsed once per process")
}

func TestEveryOperationHasAnID(t *testing.T) {
	ids := openapi.IDs()
	require.Contains(t, ids, "CopyCheckpoint")
	for _, o := range openapi.Operations() {
		assert.NotEmpty(t, o.Method, o.ID)
		assert.NotEmpty(t, o.Summary, o.ID)
		_, err := o.Example(200, "")
		assert.NoError(t, err, "%s documents a 200 example", o.ID)
	}
}

func TestExampleAsPrismPicksIt(t *testing.T) {
	op, ok := openapi.Lookup("CopyCheckpoint")
	require.True(t, ok)
	for _, tc := range []struct {
		name    string
		status  int
		example string
		want    string
	}{
		{"the first example by name without a name", 400, "", "BackupService.6130"},
		{"the named example", 400, "DestinationVaultNotFound", "BackupService.6120"},
		{"a status documented by its range has the range's example", 502, "", "BackupService.9910"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ex, err := op.Example(tc.status, tc.example)
			require.NoError(t, err)
			assert.Contains(t, string(ex.Body), tc.want)
		})
	}
	_, err := op.Example(201, "")
	assert.ErrorContains(t, err, "status 201 (Created) is not documented for CopyCheckpoint; documented: 200, 400")
	_, err = op.Example(400, "Nope")
	assert.ErrorContains(t, err, `example "Nope" is not documented for status 400`)
	assert.False(t, op.Idempotent(), "a POST")
}

func TestErrorCodesComeFromTheSpec(t *testing.T) {
	codes := openapi.ErrorCodes()
	require.NotEmpty(t, codes)
	e, ok := openapi.LookupErrorCode("6120")
	require.True(t, ok)
	assert.Equal(t, "BackupService.6120", e.Code)
	assert.Equal(t, []string{"400"}, e.Statuses)
	assert.NotEmpty(t, e.Meaning)
	_, ok = openapi.LookupErrorCode("BackupService.0000")
	assert.False(t, ok)
	assert.Equal(t, "BackupService.6120", openapi.NormalizeCode(" 6120 "))
	assert.Equal(t, "x.1", openapi.NormalizeCode("x.1"))
}

func TestServerURL(t *testing.T) {
	assert.Equal(t, []string{"eu-de", "eu-nl"}, openapi.Regions())
	assert.Equal(t, "eu-de", openapi.DefaultRegion())
	u, err := openapi.ServerURL("eu-nl")
	require.NoError(t, err)
	assert.Equal(t, "https://cbr.eu-nl.otc.t-systems.com", u)
	_, err = openapi.ServerURL("mars-1")
	assert.ErrorContains(t, err, `unknown region "mars-1": the spec's regions are eu-de, eu-nl`)
}
