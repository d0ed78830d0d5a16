package validate_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/internal/limit"
	"github.com/cbr-replicate/cbr-replicate/validate"
)

// hostileSize is the size of the hostile bodies streamed in these tests.
const hostileSize = 64 << 20

// hostileBody streams prefix and then filler bytes up to size bytes,
// without holding them: a peer that sends far more than any bound.
type hostileBody struct {
	prefix string
	left   int64
}

func newHostileBody(prefix string) *hostileBody { return hostileOfSize(prefix, hostileSize) }

func hostileOfSize(prefix string, size int64) *hostileBody {
	return &hostileBody{prefix: prefix, left: size - int64(len(prefix))}
}

func (h *hostileBody) Read(p []byte) (int, error) {
	if h.prefix != "" {
		n := copy(p, h.prefix)
		h.prefix = h.prefix[n:]
		return n, nil
	}
	if h.left <= 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(int64(len(p)), h.left)], filler)
	h.left -= int64(n)
	return n, nil
}

var filler = bytes.Repeat([]byte{'a'}, 64<<10)

func (h *hostileBody) Close() error { return nil }

// allocated returns the bytes f allocates (TotalAlloc delta).
func allocated(f func()) uint64 {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// assertAllocationBounded checks that read, given a 64 MiB and then a
// 1 GiB hostile body, fails with an error wrapping *http.MaxBytesError of
// bound that says so, and allocates the same amount for both: what the
// bound needs (limit.ReadAll grows a bytes.Buffer to bound+1 bytes, about
// 4 times bound in all), not what the peer sends.
func assertAllocationBounded(t *testing.T, bound int64, prefix string, read func(body io.ReadCloser) error) {
	t.Helper()
	var err error
	got := allocated(func() { err = read(newHostileBody(prefix)) })
	n, ok := limit.TooLarge(err)
	require.True(t, ok, "the error wraps *http.MaxBytesError: %v", err)
	assert.Equal(t, bound, n)
	assert.Contains(t, err.Error(), "larger than "+strconv.FormatInt(bound, 10)+" bytes")
	assert.Less(t, got, raceFactor*uint64(5*bound+2<<20), "a 64 MiB body allocates %d bytes", got)
	huge := allocated(func() { err = read(hostileOfSize(prefix, 1<<30)) })
	_, ok = limit.TooLarge(err)
	require.True(t, ok)
	assert.InDelta(t, float64(got), float64(huge), 1<<20, "a 1 GiB body allocates as much as a 64 MiB one")
	t.Logf("allocated %d bytes for a 64 MiB body, %d for a 1 GiB body", got, huge)
}

const (
	hostileRequest  = `{"replicate":{"destination_region":"`
	hostileResponse = `{"replication":{"job_id":"`
)

func TestRequestOverTheBoundIsMaxBytesErrorWithBoundedAllocation(t *testing.T) {
	v := newValidator(t)
	assertAllocationBounded(t, limit.Request, hostileRequest, func(body io.ReadCloser) error {
		r := newRequest(t, opPath, nil)
		r.Body = body
		_, err := v.Request(r)
		return err
	})
}

func TestResponseOverTheBoundIsAnErrorWithBoundedAllocation(t *testing.T) {
	v := newValidator(t)
	assertAllocationBounded(t, limit.Answer, hostileResponse, func(body io.ReadCloser) error {
		resp := newResponse(200, "application/json", "")
		resp.Body = body
		return v.Response(newRequest(t, opPath, nil), resp)
	})
}

func TestTransportValidateResponsesOverTheBoundWithBoundedAllocation(t *testing.T) {
	v := newValidator(t)
	page := readTestdata(t, "request.json")
	assertAllocationBounded(t, limit.Answer, hostileResponse, func(body io.ReadCloser) error {
		base := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: body, Request: r}, nil
		})
		resp, err := v.Transport(base, validate.ValidateResponses()).RoundTrip(postRequest(t, "http://127.0.0.1:1", bytes.NewReader(page)))
		assert.Nil(t, resp)
		return err
	})
}

func TestTransportRequestOverTheBoundIsNotSent(t *testing.T) {
	v := newValidator(t)
	base := &countingTransport{base: roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, errors.New("sent") })}
	assertAllocationBounded(t, limit.Request, hostileRequest, func(body io.ReadCloser) error {
		r := postRequest(t, "http://127.0.0.1:1", nil)
		r.Body = body
		_, err := v.Transport(base).RoundTrip(r)
		return err
	})
	assert.Zero(t, base.calls.Load())
}

func TestMiddlewareOverTheBoundIs413WithBoundedAllocation(t *testing.T) {
	v := newValidator(t)
	next := &recordingHandler{}
	assertAllocationBounded(t, limit.Request, hostileRequest, func(body io.ReadCloser) error {
		rec := httptest.NewRecorder()
		r := newRequest(t, opPath, nil)
		r.Body = body
		v.Middleware(next).ServeHTTP(rec, r)
		assert.Equal(t, http.StatusRequestEntityTooLarge, rec.Code)
		e := decodeCBRError(t, rec)
		assert.Equal(t, validate.CodeParameterVerificationFailed, e.ErrorCode)
		if !strings.Contains(e.ErrorMsg, "larger than") {
			return errors.New(e.ErrorMsg)
		}
		return fmt.Errorf("%s: %w", e.ErrorMsg, &http.MaxBytesError{Limit: limit.Request})
	})
	assert.Zero(t, next.calls.Load())
}

// deep returns n nested arrays.
func deep(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }

func TestNestingDeeperThan10000IsAViolation(t *testing.T) {
	v := newValidator(t)
	for name, check := range map[string]func() error{
		"100000 arrays as the request body":           func() error { return v.RequestBody(copyCheckpoint, []byte(deep(100000))) },
		"100000 arrays under replicate":               func() error { return v.RequestBody(copyCheckpoint, []byte(`{"replicate":`+deep(100000)+`}`)) },
		"100000 arrays under an unknown request key":  func() error { return v.RequestBody(copyCheckpoint, []byte(`{"replicate":{"x":`+deep(100000)+`}}`)) },
		"100000 arrays under an unknown response key": func() error { return v.ResponseBody(copyCheckpoint, 200, []byte(`{"x":`+deep(100000)+`}`)) },
		"100000 objects in the response":              func() error { return v.ResponseBody(copyCheckpoint, 200, []byte(strings.Repeat(`{"a":`, 100000))) },
	} {
		t.Run(name, func(t *testing.T) {
			var verr *validate.Error
			require.ErrorAs(t, check(), &verr)
			vi := verr.Violations[len(verr.Violations)-1]
			assert.Equal(t, validate.RuleJSON, vi.Rule)
			assert.Contains(t, vi.Message, "exceeded max depth")
			assert.LessOrEqual(t, utf8.RuneCountInString(vi.Pointer), 256, "the pointer is cut")
			assert.True(t, strings.HasSuffix(vi.Pointer, "…"))
		})
	}
	assert.NoError(t, v.ResponseBody(copyCheckpoint, 200, []byte(`{"replication":{},"x":`+deep(9999)+`}`)), "10000 levels are allowed")
}

// unknownKeys returns a request body with n unknown keys under replicate.
func unknownKeys(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"replicate":{"destination_project_id":"p","destination_region":"r","destination_vault_id":"d","vault_id":"` + goodUUID + `"`)
	for i := range n {
		b.WriteString(`,"k` + strconv.Itoa(i) + `":0`)
	}
	b.WriteString(`}}`)
	return b.Bytes()
}

func TestMoreThan100ViolationsEndWithTooManyViolations(t *testing.T) {
	v := newValidator(t)
	var verr *validate.Error
	require.ErrorAs(t, v.RequestBody(copyCheckpoint, unknownKeys(1000)), &verr)
	require.Len(t, verr.Violations, validate.MaxViolations+1)
	for _, vi := range verr.Violations[:validate.MaxViolations] {
		assert.Equal(t, validate.RuleAdditionalProperties, vi.Rule)
	}
	last := verr.Violations[validate.MaxViolations]
	assert.Equal(t, validate.Violation{In: "body", Rule: validate.RuleTooManyViolations,
		Message: "... and 900 more violations, not listed"}, last)

	require.ErrorAs(t, v.RequestBody(copyCheckpoint, unknownKeys(100)), &verr)
	assert.Len(t, verr.Violations, 100, "exactly 100 violations need no summary")
}

func TestViolationMessageAndPointerAreCutAt256Characters(t *testing.T) {
	v := newValidator(t)
	key := strings.Repeat("é", 10000)
	var verr *validate.Error
	require.ErrorAs(t, v.RequestBody(copyCheckpoint, replicate(t, map[string]any{key: 1})), &verr)
	require.Len(t, verr.Violations, 1)
	vi := verr.Violations[0]
	assert.Equal(t, validate.RuleAdditionalProperties, vi.Rule)
	for _, s := range []string{vi.Message, vi.Pointer} {
		assert.Equal(t, 256, utf8.RuneCountInString(s))
		assert.True(t, strings.HasSuffix(s, "é…"), s)
	}
}

func TestMiddlewareErrorMsgIsAtMost8KiB(t *testing.T) {
	v := newValidator(t)
	change := map[string]any{}
	for i := range 300 {
		change[strconv.Itoa(i)+strings.Repeat("界", 500)] = 1
	}
	rec := httptest.NewRecorder()
	v.Middleware(&recordingHandler{}).ServeHTTP(rec, newRequest(t, opPath, replicate(t, change)))
	assert.Equal(t, http.StatusBadRequest, rec.Code)
	e := decodeCBRError(t, rec)
	assert.LessOrEqual(t, len(e.ErrorMsg), 8<<10)
	assert.True(t, utf8.ValidString(e.ErrorMsg), "cut on a character boundary")
	assert.Contains(t, e.ErrorMsg, "additionalProperties")
	// What did not fit is counted, and the count of what the Error left
	// out is never cut off.
	assert.Regexp(t, `; \.\.\. and \d+ more violations, not shown here; \.\.\. and 200 more violations, not listed$`, e.ErrorMsg)
}

func gzipped(t *testing.T, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	_, err := zw.Write(data)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return b.Bytes()
}

func TestContentEncoding(t *testing.T) {
	v := newValidator(t)
	page := readTestdata(t, "request.json")
	tests := []struct {
		name     string
		encoding string
		body     []byte
		want     []at
	}{
		{"Content-Encoding gzip with a gzip-compressed body", "gzip", gzipped(t, page),
			[]at{{"header", "/Content-Encoding", "contentEncoding"}}},
		{"Content-Encoding gzip with a plain body", "gzip", page,
			[]at{{"header", "/Content-Encoding", "contentEncoding"}}},
		{"Content-Encoding br", "br", page, []at{{"header", "/Content-Encoding", "contentEncoding"}}},
		{"Content-Encoding identity is accepted", "identity", page, nil},
		{"no Content-Encoding is accepted", "", page, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			newReq := func() *http.Request {
				r := newRequest(t, opPath, tt.body)
				if tt.encoding != "" {
					r.Header.Set("Content-Encoding", tt.encoding)
				}
				return r
			}
			_, err := v.Request(newReq())
			assert.Equal(t, tt.want, violationsOf(t, err))

			next := &recordingHandler{}
			rec := httptest.NewRecorder()
			v.Middleware(next).ServeHTTP(rec, newReq())
			if tt.want == nil {
				assert.Equal(t, http.StatusOK, rec.Code)
				return
			}
			var verr *validate.Error
			require.ErrorAs(t, err, &verr)
			assert.Contains(t, verr.Violations[0].Message, strconv.Quote(tt.encoding))
			assert.Equal(t, http.StatusUnsupportedMediaType, rec.Code)
			e := decodeCBRError(t, rec)
			assert.Equal(t, validate.CodeParameterVerificationFailed, e.ErrorCode)
			assert.Contains(t, e.ErrorMsg, strconv.Quote(tt.encoding))
			assert.Zero(t, next.calls.Load())
		})
	}
}

func TestResponseWithAMillionWrongItemsListsTheFirst100AndCountsTheRest(t *testing.T) {
	v := newValidator(t)
	const n = 1 << 20
	body := []byte(`{"replication":{"backups":[1` + strings.Repeat(",1", n-1) + `]}}`)
	var err error
	got := allocated(func() { err = v.ResponseBody(copyCheckpoint, 200, body) })
	var verr *validate.Error
	require.ErrorAs(t, err, &verr)
	require.Len(t, verr.Violations, validate.MaxViolations+1)
	assert.Equal(t, validate.Violation{In: "body", Pointer: "/replication/backups/0", Rule: "type", Message: "value must be an object"}, verr.Violations[0])
	assert.Equal(t, "... and "+strconv.Itoa(n-validate.MaxViolations)+" more violations, not listed", verr.Violations[validate.MaxViolations].Message)
	assert.Less(t, got, raceFactor*uint64(1<<20), "a 2 MiB body of wrong items allocates %d bytes", got)
}

func TestResponseItemsAreEachValidatedWithTheirPointer(t *testing.T) {
	v := newValidator(t)
	err := v.ResponseBody(copyCheckpoint, 200, []byte(`{"replication":{"backups":[{"backup_id":"a"},{"backup_id":1},"x",{"backup_id":null},[]]}}`))
	assert.Equal(t, []at{
		{"body", "/replication/backups/1/backup_id", "type"},
		{"body", "/replication/backups/2", "type"},
		{"body", "/replication/backups/3/backup_id", "type"},
		{"body", "/replication/backups/4", "type"},
	}, violationsOf(t, err))
}

func TestResponseItemsPastTheFirstBatchKeepTheirIndex(t *testing.T) {
	v := newValidator(t)
	items := make([]string, 200)
	for i := range items {
		items[i] = `{"backup_id":"b"}`
	}
	items[63], items[64], items[130], items[199] = `{"backup_id":1}`, `7`, `{"backup_id":null}`, `"x"`
	err := v.ResponseBody(copyCheckpoint, 200, []byte(`{"replication":{"backups":[`+strings.Join(items, ",")+`]}}`))
	assert.Equal(t, []at{
		{"body", "/replication/backups/130/backup_id", "type"},
		{"body", "/replication/backups/199", "type"},
		{"body", "/replication/backups/63/backup_id", "type"},
		{"body", "/replication/backups/64", "type"},
	}, violationsOf(t, err))
}

func TestAValueOfTheWrongTypeCostsNoMemoryPerNestedValue(t *testing.T) {
	v := newValidator(t)
	for name, body := range map[string][]byte{
		"replicate as an array of a million-odd objects": append(append([]byte(`{"replicate":[`),
			bytes.Repeat([]byte(`{},`), 340_000)...), []byte(`{}]}`)...),
		"a top-level array of arrays": append(append([]byte(`[`), bytes.Repeat([]byte(`[],`), 340_000)...), []byte(`[]]`)...),
	} {
		t.Run(name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			err := v.RequestBody(copyCheckpoint, body)
			runtime.ReadMemStats(&after)
			var verr *validate.Error
			require.ErrorAs(t, err, &verr)
			assert.Len(t, verr.Violations, 1, "%v", err)
			assert.Equal(t, validate.RuleType, verr.Violations[0].Rule)
			// Decoding every nested value would allocate some 30 bytes
			// per input byte (about 30 MB here).
			assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(len(body)), "allocated more than the body's size")
		})
	}
}

func TestAnUnknownValueOfAnOpenResponseObjectIsCheckedNotBuilt(t *testing.T) {
	v := newValidator(t)
	t.Run("a million nested values cost no memory per value", func(t *testing.T) {
		body := append(append([]byte(`{"replication":{"x":[`), bytes.Repeat([]byte(`[],{},`), 200_000)...), []byte(`[]]}}`)...)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		err := v.ResponseBody(copyCheckpoint, 200, body)
		runtime.ReadMemStats(&after)
		require.NoError(t, err, "the spec's response objects are open")
		assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(len(body)), "allocated more than the body's size")
	})
	t.Run("its duplicate keys are still violations", func(t *testing.T) {
		err := v.ResponseBody(copyCheckpoint, 200, []byte(`{"replication":{"x":{"a":1,"b":[{"c":1,"c":2}],"a":3}}}`))
		var verr *validate.Error
		require.ErrorAs(t, err, &verr)
		assert.True(t, verr.Has("/replication/x/a", validate.RuleDuplicateKey), "%v", err)
		assert.True(t, verr.Has("/replication/x/b/0/c", validate.RuleDuplicateKey), "%v", err)
	})
}
