package auth

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/internal/limit"
)

func TestSignIn_AnswerOverTheBound(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Subject-Token", "MIIsecret-token-in-answer")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"token": {"x": "%s", "expires_at": "2099-01-01T00:00:00.000000Z", "project": {"id": "p1", "name": "eu-de"}}}`, strings.Repeat("a", 2048))
	}))
	t.Cleanup(srv.Close)
	s, err := NewSession(Config{AuthURL: srv.URL + "/v3", Username: "u", Password: "a-password", DomainName: "d", ProjectName: "eu-de"})
	require.NoError(t, err)
	bt, ok := s.client.Transport.(boundedTransport)
	require.True(t, ok, "every answer goes through the bound")
	assert.Equal(t, limit.Answer, bt.n)

	bt.n = 1024 // the same answer against a small bound
	s.client.Transport = bt
	_, err = s.Token(context.Background())
	var sie *SignInError
	require.ErrorAs(t, err, &sie)
	n, tooLarge := limit.TooLarge(err)
	assert.True(t, tooLarge, "%v", err)
	assert.Equal(t, int64(1024), n)
	assert.False(t, sie.Refused)
}
