package validate_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/gen/cbr"
	"github.com/cbr-replicate/cbr-replicate/validate"
)

// recordingHandler records whether it was called and the body it got.
type recordingHandler struct {
	calls atomic.Int32
	body  []byte
}

func (h *recordingHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.calls.Add(1)
	h.body, _ = io.ReadAll(r.Body)
	w.WriteHeader(http.StatusOK)
}

func decodeCBRError(t *testing.T, rec *httptest.ResponseRecorder) cbr.CBRError {
	t.Helper()
	assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
	var e cbr.CBRError
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &e), "body %q", rec.Body.String())
	return e
}

func TestMiddlewareStatuses(t *testing.T) {
	v := newValidator(t)
	good := readTestdata(t, "request.json")
	tests := []struct {
		name       string
		method     string
		path       string
		body       []byte
		modify     func(r *http.Request)
		wantStatus int
		wantCode   string
		wantInMsg  []string
	}{
		{"valid request reaches the handler", http.MethodPost, opPath, good, nil, http.StatusOK, "", nil},
		{"invalid body is 400 BackupService.9900 listing every violation", http.MethodPost, opPath,
			[]byte(`{"replicate":{"vault_id":"x","auto_triger":true}}`), nil,
			http.StatusBadRequest, "BackupService.9900",
			[]string{"/replicate/auto_triger: additionalProperties", "/replicate/destination_project_id: required",
				"/replicate/destination_region: required", "/replicate/destination_vault_id: required", "/replicate/vault_id: format"}},
		{"malformed JSON is 400", http.MethodPost, opPath, []byte(`{"replicate"`), nil,
			http.StatusBadRequest, "BackupService.9900", []string{"json: malformed JSON"}},
		{"empty body is 400", http.MethodPost, opPath, nil, nil,
			http.StatusBadRequest, "BackupService.9900", []string{"body: required"}},
		{"wrong Content-Type is 400", http.MethodPost, opPath, good, func(r *http.Request) { r.Header.Set("Content-Type", "text/plain") },
			http.StatusBadRequest, "BackupService.9900", []string{"header /Content-Type: contentType"}},
		{"missing X-Auth-Token is 403 BackupService.8600", http.MethodPost, opPath, good, func(r *http.Request) { r.Header.Del("X-Auth-Token") },
			http.StatusForbidden, "BackupService.8600", []string{"Not authenticated"}},
		{"empty X-Auth-Token with a bad body is still 403", http.MethodPost, opPath, []byte(`{}`), func(r *http.Request) { r.Header.Set("X-Auth-Token", "") },
			http.StatusForbidden, "BackupService.8600", nil},
		{"unknown path is 404", http.MethodPost, "/v3/p/checkpoints", good, nil,
			http.StatusNotFound, "BackupService.9900", []string{"POST /v3/p/checkpoints"}},
		{"wrong method is 405", http.MethodGet, opPath, nil, nil,
			http.StatusMethodNotAllowed, "BackupService.9900", []string{"GET", opPath}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			next := &recordingHandler{}
			r := httptest.NewRequest(tt.method, tt.path, bytes.NewReader(tt.body))
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set("X-Auth-Token", token)
			if tt.modify != nil {
				tt.modify(r)
			}
			rec := httptest.NewRecorder()
			v.Middleware(next).ServeHTTP(rec, r)
			assert.Equal(t, tt.wantStatus, rec.Code)
			if tt.wantStatus == http.StatusOK {
				assert.Equal(t, int32(1), next.calls.Load())
				return
			}
			assert.Zero(t, next.calls.Load(), "the handler is not called")
			e := decodeCBRError(t, rec)
			assert.Equal(t, tt.wantCode, e.ErrorCode)
			for _, s := range tt.wantInMsg {
				assert.Contains(t, e.ErrorMsg, s)
			}
			assert.NotContains(t, rec.Body.String(), token)
			if tt.wantStatus == http.StatusMethodNotAllowed {
				assert.Equal(t, http.MethodPost, rec.Header().Get("Allow"))
			}
		})
	}
}

func TestMiddlewareBodyTooLarge(t *testing.T) {
	body := readTestdata(t, "request.json")
	t.Run("over WithMaxBodyBytes is 413", func(t *testing.T) {
		v, err := validate.New(validate.WithMaxBodyBytes(64))
		require.NoError(t, err)
		next := &recordingHandler{}
		rec := httptest.NewRecorder()
		v.Middleware(next).ServeHTTP(rec, newRequest(t, opPath, body))
		assert.Equal(t, http.StatusRequestEntityTooLarge, rec.Code)
		assert.Equal(t, "BackupService.9900", decodeCBRError(t, rec).ErrorCode)
		assert.Zero(t, next.calls.Load())
	})
	t.Run("an outer http.MaxBytesReader is 413 too", func(t *testing.T) {
		v, err := validate.New(validate.WithMaxBodyBytes(0))
		require.NoError(t, err)
		next := &recordingHandler{}
		outer := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r.Body = http.MaxBytesReader(w, r.Body, 10)
			v.Middleware(next).ServeHTTP(w, r)
		})
		rec := httptest.NewRecorder()
		outer.ServeHTTP(rec, newRequest(t, opPath, body))
		assert.Equal(t, http.StatusRequestEntityTooLarge, rec.Code)
		assert.Zero(t, next.calls.Load())
	})
}

func TestMiddlewareNeverBindsAnUnvalidatedKey(t *testing.T) {
	v := newValidator(t)
	const bad = "ffffffff-bad0-4bad-8bad-badbadbadbad"
	bodies := map[string]string{
		"case-variant VAULT_ID after vault_id": `{"replicate":{"destination_project_id":"p","destination_region":"r","destination_vault_id":"d","vault_id":"` + goodUUID + `","VAULT_ID":"` + bad + `"}}`,
		"case-variant Vault_Id alone":          `{"replicate":{"destination_project_id":"p","destination_region":"r","destination_vault_id":"d","Vault_Id":"` + bad + `"}}`,
		"duplicate vault_id":                   `{"replicate":{"destination_project_id":"p","destination_region":"r","destination_vault_id":"d","vault_id":"` + goodUUID + `","vault_id":"` + bad + `"}}`,
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			var seen atomic.Value
			var calls atomic.Int32
			strict := &strictServer{onCall: func(req cbr.CopyCheckpointRequestObject) {
				calls.Add(1)
				seen.Store(req.Body.Replicate.VaultId)
			}}
			h := v.Middleware(cbr.HandlerWithOptions(cbr.NewStrictHandlerWithOptions(strict, nil, cbr.StrictHTTPServerOptions{}), cbr.StdHTTPServerOptions{}))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, newRequest(t, opPath, []byte(body)))
			assert.Equal(t, http.StatusBadRequest, rec.Code)
			assert.Zero(t, calls.Load(), "the handler is never called")
			assert.Nil(t, seen.Load(), "the handler never sees the bad value")
			assert.NotContains(t, rec.Body.String(), bad)
		})
	}
}

// strictServer implements the generated strict server interface: its
// CopyCheckpoint, and the other operations through the embedded nil
// interface (never called here).
type strictServer struct {
	cbr.StrictServerInterface
	onCall func(cbr.CopyCheckpointRequestObject)
}

func (s *strictServer) CopyCheckpoint(_ context.Context, req cbr.CopyCheckpointRequestObject) (cbr.CopyCheckpointResponseObject, error) {
	s.onCall(req)
	var resp cbr.CheckpointReplicateResp
	return cbr.CopyCheckpoint200JSONResponse(resp), nil
}

func TestMiddlewareHandsTheValidatedValueToTheStrictHandler(t *testing.T) {
	v := newValidator(t)
	var got cbr.CopyCheckpointRequestObject
	var raw []byte
	var contentLength string
	strict := &strictServer{onCall: func(req cbr.CopyCheckpointRequestObject) { got = req }}
	inner := cbr.HandlerWithOptions(cbr.NewStrictHandlerWithOptions(strict, nil, cbr.StrictHTTPServerOptions{}), cbr.StdHTTPServerOptions{})
	spy := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ = io.ReadAll(r.Body)
		contentLength = r.Header.Get("Content-Length")
		require.Equal(t, int64(len(raw)), r.ContentLength)
		r.Body = io.NopCloser(bytes.NewReader(raw))
		inner.ServeHTTP(w, r)
	})
	page := readTestdata(t, "request.json")
	rec := httptest.NewRecorder()
	v.Middleware(spy).ServeHTTP(rec, newRequest(t, opPath, page))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())

	// The body handed on is the very bytes that were validated.
	assert.Equal(t, string(page), string(raw))
	assert.Equal(t, strconv.Itoa(len(raw)), contentLength)

	require.NotNil(t, got.Body)
	assert.Equal(t, "f841e01fd2b14e7fa41b6ae7aa6b0594", got.ProjectId)
	p := got.Body.Replicate
	assert.Equal(t, goodUUID, p.VaultId)
	assert.Equal(t, "68589cac08274b82b4e254268a3862d8", p.DestinationProjectId)
	assert.Equal(t, "region2", p.DestinationRegion)
	assert.Equal(t, otherUUID, p.DestinationVaultId)
	require.NotNil(t, p.AutoTrigger)
	assert.False(t, *p.AutoTrigger)
	require.NotNil(t, p.EnableAcceleration)
	assert.False(t, *p.EnableAcceleration)
}

func TestMiddlewareBodyCarriesTheValidatedValueForTheGeneratedBinder(t *testing.T) {
	v := newValidator(t)
	var got cbr.CopyCheckpointRequestObject
	strict := &strictServer{onCall: func(req cbr.CopyCheckpointRequestObject) { got = req }}
	inner := cbr.HandlerWithOptions(cbr.NewStrictHandlerWithOptions(strict, nil, cbr.StrictHTTPServerOptions{}), cbr.StdHTTPServerOptions{})
	var value any
	spy := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		vb, ok := r.Body.(interface{ ValidatedValue() any })
		require.True(t, ok, "the body offers runtime.BindJSONBody the validated value")
		value = vb.ValidatedValue()
		inner.ServeHTTP(w, r) // binds from the value, not from the bytes
	})
	rec := httptest.NewRecorder()
	v.Middleware(spy).ServeHTTP(rec, newRequest(t, opPath, readTestdata(t, "request.json")))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())

	data, err := json.Marshal(value)
	require.NoError(t, err)
	assert.JSONEq(t, string(readTestdata(t, "request.json")), string(data))
	require.NotNil(t, got.Body)
	assert.Equal(t, goodUUID, got.Body.Replicate.VaultId)
	assert.Equal(t, "region2", got.Body.Replicate.DestinationRegion)
}
