package cbrtest

import (
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"github.com/cbr-replicate/cbr-replicate/secret"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func newInternalIAM(t *testing.T) *IAM {
	t.Helper()
	i, err := NewIAM(IAMOptions{Users: []IAMUser{{Domain: "d", Name: "u", Password: secret.New("password"), Project: "eu-de"}}})
	require.NoError(t, err)
	return i
}

// storeBytes is what the remembered tokens cost, by iamTokenBytes.
func (i *IAM) storeBytes() int {
	i.mu.Lock()
	defer i.mu.Unlock()
	return len(i.ring) * iamTokenBytes
}

// heapAfterGC is the live heap, in bytes.
func heapAfterGC() int64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// statusWriter keeps an answer's status and discards its body.
type statusWriter struct {
	h      http.Header
	status int
}

func (w *statusWriter) Header() http.Header         { return w.h }
func (w *statusWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *statusWriter) WriteHeader(status int)      { w.status = status }

func TestIAM_ATokenKeepsNothingOfItsRequest(t *testing.T) {
	i := newInternalIAM(t)
	host := strings.Repeat("h", 60<<10) // as a client may send, under the fake Server's 64 KiB of headers
	const body = `{"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "u", "password": "password", "domain": {"name": "d"}}}},
		"scope": {"project": {"name": "eu-de", "domain": {"name": "d"}}}}}`
	const n = 500
	before := heapAfterGC()
	for range n {
		r := httptest.NewRequest(http.MethodPost, "/v3/auth/tokens", strings.NewReader(body))
		r.Host = host
		w := &statusWriter{h: http.Header{}}
		i.ServeHTTP(w, r)
		require.Equal(t, http.StatusCreated, w.status)
	}
	grown := heapAfterGC() - before
	t.Logf("%d sign-ins with a 60 KiB Host: the heap grew by %d bytes, %d a token", n, grown, grown/n)
	assert.Less(t, grown, int64(n*1024), "under 1 KiB a token, not its Host's 60 KiB")
	assert.Equal(t, n*iamTokenBytes, i.storeBytes())
	runtime.KeepAlive(i)
}

func TestIAM_TheTokenStoreIsBoundedInBytes(t *testing.T) {
	i := newInternalIAM(t)
	require.Equal(t, iamStoreBytes/iamTokenBytes, i.maxTokens)
	before := heapAfterGC()
	var first, last string
	n := 2*i.maxTokens + 10
	for k := range n {
		token, _ := i.issue(0, byPassword, 0)
		if k == 0 {
			first = token
		}
		last = token
	}
	grown := heapAfterGC() - before
	t.Logf("%d tokens issued, %d kept: the heap grew by %d bytes (bound %d)", n, i.maxTokens, grown, iamStoreBytes)
	assert.LessOrEqual(t, grown, int64(iamStoreBytes), "measured")
	assert.LessOrEqual(t, i.storeBytes(), iamStoreBytes, "counted")
	_, ok := i.Valid(first)
	assert.False(t, ok, "the oldest is forgotten")
	_, ok = i.Valid(last)
	assert.True(t, ok, "the newest is kept")
	assert.Equal(t, n, i.SignIns())
	runtime.KeepAlive(i)
}
