package cbrtest_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/cbrtest"
)

// filler yields spaces for ever, generated as they are read.
type filler struct{}

func (filler) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}

// countingReader counts what is read through it.
type countingReader struct {
	r    io.Reader
	read int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.read += int64(n)
	return n, err
}

func TestFake_WrongTokenIsForbiddenBeforeTheBodyIsRead(t *testing.T) {
	const right = "the-right-token"
	tests := []struct {
		name       string
		method     string
		target     string
		token      string // "-": no X-Auth-Token
		body       string
		size       int64 // > 0: a generated body of this size instead of body
		wantStatus int
		wantCode   string
	}{
		{name: "wrong token and invalid body", token: "wrong", body: `{"replicate":{"vault_id":"x"}}`,
			wantStatus: http.StatusForbidden, wantCode: "BackupService.8600"},
		{name: "missing token and invalid body", token: "-", body: `{"replicate":{}}`,
			wantStatus: http.StatusForbidden, wantCode: "BackupService.8600"},
		{name: "wrong token and body not JSON", token: "wrong", body: `replicate=1`,
			wantStatus: http.StatusForbidden, wantCode: "BackupService.8600"},
		{name: "wrong token and body over the limit", token: "wrong", size: 4 * cbrtest.MaxBodyBytes,
			wantStatus: http.StatusForbidden, wantCode: "BackupService.8600"},
		{name: "wrong token on a wrong path is still 404", token: "wrong", target: "/v3/" + pageProjectID + "/checkpoints",
			body: `{}`, wantStatus: http.StatusNotFound, wantCode: "BackupService.9900"},
		{name: "wrong token with a wrong method is still 405", token: "wrong", method: http.MethodGet,
			wantStatus: http.StatusMethodNotAllowed, wantCode: "BackupService.9900"},
		{name: "right token and invalid body is 400", token: right, body: `{"replicate":{}}`,
			wantStatus: http.StatusBadRequest, wantCode: "BackupService.9900"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, cbrtest.WithToken(right))
			method, target := tt.method, tt.target
			if method == "" {
				method = http.MethodPost
			}
			if target == "" {
				target = replicatePath
			}
			r := newRequest(method, target, tt.body, "X-Auth-Token", "-")
			if tt.token != "-" {
				r.Header.Set("X-Auth-Token", tt.token)
			}
			body := &countingReader{r: strings.NewReader(tt.body)}
			if tt.size > 0 {
				body.r = io.LimitReader(filler{}, tt.size)
				r.ContentLength = tt.size
			}
			r.Body = io.NopCloser(body)
			a := serve(t, f, r)
			require.Equal(t, tt.wantStatus, a.status, "body %s", a.body)
			assert.Equal(t, tt.wantCode, cbrError(t, a.body).ErrorCode)
			if tt.wantStatus == http.StatusForbidden {
				assert.Zero(t, body.read, "the body of an unauthenticated request is not read")
				assert.NotContains(t, string(a.body), "wrong")
				assert.NotContains(t, string(a.body), right)
			}
			assert.Empty(t, f.Requests())
		})
	}
}

func TestFake_BodyOf64MiBIsReadOnlyUpToTheLimit(t *testing.T) {
	const size = 64 << 20
	tests := []struct {
		name          string
		contentLength int64
	}{
		{name: "declared Content-Length of 64 MiB", contentLength: size},
		{name: "64 MiB without Content-Length, as chunked", contentLength: -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			body := &countingReader{r: io.LimitReader(filler{}, size)}
			r := newRequest(http.MethodPost, replicatePath, "")
			r.Body = io.NopCloser(body)
			r.ContentLength = tt.contentLength
			rec := httptest.NewRecorder()

			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			f.ServeHTTP(rec, r)
			runtime.ReadMemStats(&after)

			require.Equal(t, http.StatusRequestEntityTooLarge, rec.Code, "body %s", rec.Body.Bytes())
			checkAnswer(t, answer{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()})
			assert.Equal(t, "BackupService.9900", cbrError(t, rec.Body.Bytes()).ErrorCode)
			assert.LessOrEqual(t, body.read, cbrtest.MaxBodyBytes+1, "read past the limit")
			allocated := after.TotalAlloc - before.TotalAlloc
			assert.Less(t, allocated, uint64(8<<20), "allocated %d bytes for a 64 MiB body", allocated)
			assert.Empty(t, f.Requests())
		})
	}
}

func TestFake_ZeroValueAnswers500InsteadOfPanicking(t *testing.T) {
	tests := []struct {
		name string
		fake *cbrtest.Fake
	}{
		{name: "zero Fake", fake: &cbrtest.Fake{}},
		{name: "nil *Fake", fake: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := serve(t, tt.fake, newRequest(http.MethodPost, replicatePath, pageRequest(t)))
			require.Equal(t, http.StatusInternalServerError, a.status)
			assert.Equal(t, "BackupService.9910", cbrError(t, a.body).ErrorCode)
			assert.Contains(t, cbrError(t, a.body).ErrorMsg, "cbrtest.New")
			assert.Empty(t, tt.fake.Requests())
		})
	}
	zero := &cbrtest.Fake{}
	serve(t, zero, newRequest(http.MethodPost, replicatePath, pageRequest(t)))
	assert.Equal(t, 1, zero.Received(), "the zero Fake counts what it received")
	assert.Zero(t, (*cbrtest.Fake)(nil).Received())
}
