package validate_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/openapi"
	"github.com/cbr-replicate/cbr-replicate/validate"
)

// at is the part of a violation tests compare: where, pointer and rule.
type at struct{ In, Pointer, Rule string }

var (
	sharedOnce sync.Once
	shared     *validate.Validator
	sharedErr  error
)

// newValidator returns a Validator shared by the tests (it is safe for
// concurrent use, and building it once is what users do).
func newValidator(t testing.TB) *validate.Validator {
	t.Helper()
	sharedOnce.Do(func() { shared, sharedErr = validate.New() })
	require.NoError(t, sharedErr)
	return shared
}

// readTestdata returns a file of testdata/, except that "request.json" and
// "response.json" are the page's example request and 200
// response, read from the spec's examples (the one copy of them), indented
// as the page shows them.
func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	if example, ok := pageExamples[name]; ok {
		doc, err := openapi.Doc()
		require.NoError(t, err)
		ex := doc.Components.Examples[example]
		require.NotNil(t, ex, "the spec has no example %s", example)
		data, err := json.MarshalIndent(ex.Value.Value, "", "    ")
		require.NoError(t, err)
		return data
	}
	data, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return data
}

// pageExamples names the spec's examples that stand for the page's.
var pageExamples = map[string]string{
	"request.json":  "ReplicatingBackupsRequest",
	"response.json": "ReplicatingBackupsResponse",
}

// violationsOf returns the violations of err, which must be a *validate.Error
// whose violations all carry a location, a rule and a message.
func violationsOf(t testing.TB, err error) []at {
	t.Helper()
	if err == nil {
		return nil
	}
	var verr *validate.Error
	require.True(t, errors.As(err, &verr), "error %T is not a *validate.Error: %v", err, err)
	require.NotEmpty(t, verr.Violations)
	out := make([]at, len(verr.Violations))
	for i, v := range verr.Violations {
		require.NotEmpty(t, v.In, "violation %d has no In", i)
		require.NotEmpty(t, v.Rule, "violation %d has no Rule", i)
		require.NotEmpty(t, v.Message, "violation %d has no Message", i)
		out[i] = at{v.In, v.Pointer, v.Rule}
	}
	return out
}

const (
	copyCheckpoint = "CopyCheckpoint"
	goodUUID       = "3b5816b5-f29c-4172-9d9a-76c719a659ce"
	otherUUID      = "0ca3eb86-8800-46da-9c37-9d657a825274"
	token          = "tok-SECRET-0123456789"
	opPath         = "/v3/f841e01fd2b14e7fa41b6ae7aa6b0594/checkpoints/replicate"
)

// requestErr is the error of v.Request(r), for tests that look at it alone.
func requestErr(v *validate.Validator, r *http.Request) error {
	_, err := v.Request(r)
	return err
}
