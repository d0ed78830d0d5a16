package client_test

import (
	"context"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/client"
)

// newHTTP2Server starts a TLS server speaking HTTP/2; its Client trusts it.
func newHTTP2Server(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if r.ProtoMajor != 2 {
			http.Error(w, "want HTTP/2", http.StatusHTTPVersionNotSupported)
			return
		}
		h(w, r)
	}))
	srv.EnableHTTP2 = true
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestReplicateOverHTTP2(t *testing.T) {
	srv, n := newHTTP2Server(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if string(body) == "" || r.Header.Get("X-Auth-Token") != testToken {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		answerPage(t)(w, r)
	})
	c := newClient(t, srv.URL, withHTTPClient(srv.Client()), withResponseValidation)

	got, err := c.Replicate(context.Background(), pageParam(t))
	require.NoError(t, err)
	assert.Len(t, got.Backups, 3)
	assert.Equal(t, int64(1), n.Load())
}

func TestReplicateOverHTTP2StreamResetMidAnswerIsNotRetried(t *testing.T) {
	srv, n := newHTTP2Server(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, `{"replication":{`)
		http.NewResponseController(w).Flush()
		panic(http.ErrAbortHandler) // resets the stream
	})
	c := newClient(t, srv.URL, withHTTPClient(srv.Client()))

	_, err := c.Replicate(context.Background(), pageParam(t))
	var de *client.DecodeError
	require.Error(t, err)
	assert.False(t, errors.As(err, &de), "a reset stream is a transport failure, not an undecodable answer")
	assert.Contains(t, err.Error(), "may have started")
	assert.Equal(t, int64(1), n.Load())
}
