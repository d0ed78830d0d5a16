package cbrtest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/cbrtest"
)

func TestServer_CloseStopsServing(t *testing.T) {
	s := newServer(t)
	require.True(t, strings.HasPrefix(s.URL, "http://127.0.0.1:"), s.URL)
	resp, err := s.Client().Post(s.URL+"/", "application/json", strings.NewReader(`{}`))
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)

	s.Close()
	s.Close() // idempotent, as httptest.Server.Close
	_, err = s.Client().Post(s.URL+"/", "application/json", strings.NewReader(`{}`))
	assert.Error(t, err, "the server is closed")
}

func TestServer_SeparateServersDoNotShareState(t *testing.T) {
	a, b := newServer(t), newServer(t, cbrtest.WithResponse(http.StatusInternalServerError))
	defer a.Close()
	defer b.Close()
	require.NotEqual(t, a.URL, b.URL)
	for _, s := range []*cbrtest.Server{a, b} {
		r := newRequest(http.MethodPost, s.URL+replicatePath, pageRequest(t))
		r.RequestURI = ""
		resp, err := s.Client().Do(r)
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
	}
	require.Len(t, a.Requests(), 1)
	require.Len(t, b.Requests(), 1)
	assert.Equal(t, http.StatusOK, a.Requests()[0].Status)
	assert.Equal(t, http.StatusInternalServerError, b.Requests()[0].Status)
}
