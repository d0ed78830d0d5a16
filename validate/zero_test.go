package validate_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/validate"
)

// everyMethod calls each method of v that returns an error.
func everyMethod(t *testing.T, v *validate.Validator) map[string]error {
	t.Helper()
	page := readTestdata(t, "request.json")
	resp := newResponse(200, "application/json", string(readTestdata(t, "response.json")))
	_, rtErr := v.Transport(roundTripFunc(func(*http.Request) (*http.Response, error) {
		t.Error("an unusable Validator sends nothing")
		return nil, nil
	})).RoundTrip(postRequest(t, "http://127.0.0.1:1", bytes.NewReader(page)))
	return map[string]error{
		"Request":      requestErr(v, newRequest(t, opPath, page)),
		"Response":     v.Response(newRequest(t, opPath, page), resp),
		"RequestBody":  v.RequestBody(copyCheckpoint, page),
		"ResponseBody": v.ResponseBody(copyCheckpoint, 200, page),
		"Transport":    rtErr,
	}
}

func TestZeroValidatorReturnsErrors(t *testing.T) {
	for name, err := range everyMethod(t, &validate.Validator{}) {
		assert.ErrorContains(t, err, "not built with validate.New", name)
	}
}

func TestNilValidatorReturnsErrors(t *testing.T) {
	var v *validate.Validator
	for name, err := range everyMethod(t, v) {
		assert.ErrorContains(t, err, "not built with validate.New", name)
	}
}

// assertAnswers500 checks that h answers 500 BackupService.9910 and never
// calls next.
func assertAnswers500(t *testing.T, h http.Handler, r *http.Request) {
	t.Helper()
	rec := httptest.NewRecorder()
	require.NotPanics(t, func() { h.ServeHTTP(rec, r) })
	assert.Equal(t, http.StatusInternalServerError, rec.Code)
	assert.Equal(t, validate.CodeUnknownError, decodeCBRError(t, rec).ErrorCode)
}

func TestZeroValidatorMiddlewareAnswers500(t *testing.T) {
	next := &recordingHandler{}
	v := &validate.Validator{}
	assertAnswers500(t, v.Middleware(next), newRequest(t, opPath, readTestdata(t, "request.json")))
	assert.Zero(t, next.calls.Load())
}

func TestNilValidatorMiddlewareAnswers500(t *testing.T) {
	next := &recordingHandler{}
	var v *validate.Validator
	assertAnswers500(t, v.Middleware(next), newRequest(t, opPath, readTestdata(t, "request.json")))
	assert.Zero(t, next.calls.Load())
}

func TestMiddlewareWithNilNextAnswers500(t *testing.T) {
	assertAnswers500(t, newValidator(t).Middleware(nil), newRequest(t, opPath, readTestdata(t, "request.json")))
}

func TestMiddlewareWithRequestWithoutURLAnswers500(t *testing.T) {
	next := &recordingHandler{}
	assertAnswers500(t, newValidator(t).Middleware(next), &http.Request{Method: http.MethodPost, Header: http.Header{}})
	assert.Zero(t, next.calls.Load())
}

func TestRequestWithoutURLReturnsAnError(t *testing.T) {
	v := newValidator(t)
	require.NotPanics(t, func() {
		assert.ErrorContains(t, requestErr(v, &http.Request{}), "request without URL")
		assert.ErrorContains(t, requestErr(v, nil), "nil request")
		resp := newResponse(200, "application/json", "{}")
		assert.ErrorContains(t, v.Response(&http.Request{}, resp), "request without URL")
		assert.ErrorContains(t, v.Response(nil, nil), "nil response")
		_, err := v.Transport(nil).RoundTrip(&http.Request{})
		assert.ErrorContains(t, err, "request without URL")
	})
}
