package cbrtest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/cbrtest"
	"github.com/cbr-replicate/cbr-replicate/gen/cbr"
	"github.com/cbr-replicate/cbr-replicate/openapi"
	"github.com/cbr-replicate/cbr-replicate/validate"
)

const (
	// pageProjectID is the project of the page's example request URL.
	pageProjectID = "f841e01fd2b14e7fa41b6ae7aa6b0594"
	replicatePath = "/v3/" + pageProjectID + "/checkpoints/replicate"
	testToken     = "gAAAAAB-secret-user-token"
)

// specExample returns the value of one of the spec's components.examples
// as JSON (keys sorted).
func specExample(tb testing.TB, name string) []byte {
	tb.Helper()
	doc, err := openapi.Doc()
	require.NoError(tb, err)
	ex := doc.Components.Examples[name]
	require.NotNil(tb, ex, "the spec has no example %s", name)
	require.NotNil(tb, ex.Value, "the spec has no example %s", name)
	data, err := json.Marshal(ex.Value.Value)
	require.NoError(tb, err)
	return data
}

// pageRequest returns the page's example request body, as the spec keeps it
// (components.examples.ReplicatingBackupsRequest).
func pageRequest(tb testing.TB) string {
	tb.Helper()
	return string(specExample(tb, "ReplicatingBackupsRequest"))
}

// pageResponse returns the page's example 200 answer, as the spec keeps it
// (components.examples.ReplicatingBackupsResponse).
func pageResponse(tb testing.TB) string {
	tb.Helper()
	return string(specExample(tb, "ReplicatingBackupsResponse"))
}

// newFake returns a Fake built with opts, failing the test if New fails.
func newFake(tb testing.TB, opts ...cbrtest.Option) *cbrtest.Fake {
	tb.Helper()
	f, err := cbrtest.New(opts...)
	require.NoError(tb, err)
	return f
}

// newServer starts a Server with opts, closed when the test ends, failing
// the test if NewServer fails.
func newServer(tb testing.TB, opts ...cbrtest.Option) *cbrtest.Server {
	tb.Helper()
	s, err := cbrtest.NewServer(opts...)
	require.NoError(tb, err)
	tb.Cleanup(s.Close)
	return s
}

// pageParam is the page's example request as a value.
func pageParam() cbr.CheckpointReplicateParam {
	f := false
	return cbr.CheckpointReplicateParam{
		AutoTrigger:          &f,
		DestinationProjectId: "68589cac08274b82b4e254268a3862d8",
		DestinationRegion:    "region2",
		DestinationVaultId:   "0ca3eb86-8800-46da-9c37-9d657a825274",
		EnableAcceleration:   &f,
		VaultId:              "3b5816b5-f29c-4172-9d9a-76c719a659ce",
	}
}

var specValidator = sync.OnceValues(func() (*validate.Validator, error) { return validate.New() })

func validator(tb testing.TB) *validate.Validator {
	tb.Helper()
	v, err := specValidator()
	require.NoError(tb, err)
	return v
}

// newRequest builds a request to the fake with a token and a JSON
// Content-Type; header pairs (name, value) are added after, and a value of
// "-" deletes that header.
func newRequest(method, target, body string, header ...string) *http.Request {
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	r.Header.Set("X-Auth-Token", testToken)
	r.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		if header[i+1] == "-" {
			r.Header.Del(header[i])
			continue
		}
		r.Header.Add(header[i], header[i+1])
	}
	return r
}

// answer is a recorded answer of the fake.
type answer struct {
	status int
	header http.Header
	body   []byte
	op     string // the operation whose answer it is; "" for CopyCheckpoint
}

// serve lets h answer r and checks what every answer must be: JSON with a
// fresh X-Request-Id, valid against the spec for its status.
func serve(t *testing.T, h http.Handler, r *http.Request) answer {
	t.Helper()
	op := operationOf(r) // before the fake sees r
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	resp := rec.Result()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	a := answer{status: resp.StatusCode, header: resp.Header, body: body, op: op}
	checkAnswer(t, a)
	return a
}

// operationOf returns the operation of r's path without its region prefix
// (/eu-nl/v3/...), as the fake routes it; "" for a path of no operation,
// whose answer is checked as CopyCheckpoint's.
func operationOf(r *http.Request) string {
	probe, u := *r, *r.URL
	if i := strings.Index(u.Path, "/v3/"); i > 0 && !strings.Contains(u.Path[1:i], "/") {
		u.Path, u.RawPath = u.Path[i:], ""
	}
	probe.URL = &u
	v, err := specValidator()
	if err != nil {
		return ""
	}
	route, _ := v.Route(&probe)
	return route.OperationID
}

// checkAnswer checks an answer against the spec: Content-Type, X-Request-Id
// and the body for the status (405 and 413 are documented by the 4XX
// response).
func checkAnswer(t testing.TB, a answer) {
	t.Helper()
	require.NoError(t, answerProblem(a))
}

// answerProblem returns what is wrong with an answer, or nil; safe to call
// from any goroutine.
func answerProblem(a answer) error {
	if ct := a.header.Get("Content-Type"); ct != "application/json" {
		return fmt.Errorf("answer %d: Content-Type %q, want application/json", a.status, ct)
	}
	if _, err := uuid.Parse(a.header.Get("X-Request-Id")); err != nil {
		return fmt.Errorf("answer %d: X-Request-Id %q: %w", a.status, a.header.Get("X-Request-Id"), err)
	}
	v, err := specValidator()
	if err != nil {
		return err
	}
	op := a.op
	if op == "" {
		op = "CopyCheckpoint"
	}
	if err := v.ResponseMessage(op, a.status, a.header, a.body); err != nil {
		return fmt.Errorf("answer %d %s: %w", a.status, a.body, err)
	}
	return nil
}

// cbrError decodes a CBR error body.
func cbrError(t testing.TB, body []byte) cbr.CBRError {
	t.Helper()
	var e cbr.CBRError
	require.NoError(t, json.Unmarshal(body, &e), "body %s", body)
	return e
}
