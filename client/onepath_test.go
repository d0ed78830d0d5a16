package client_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/client"
	"github.com/cbr-replicate/cbr-replicate/gen/cbr"
	"github.com/cbr-replicate/cbr-replicate/internal/limit"
	"github.com/cbr-replicate/cbr-replicate/validate"
)

func TestNewRequestCarriesTheValidatedBytesAndDoSendsThem(t *testing.T) {
	srv := newServer(t, answerPage(t))
	c := newClient(t, srv.URL)

	req, err := c.NewReplicateRequest(context.Background(), pageParam(t))
	require.NoError(t, err)
	assert.Equal(t, http.MethodPost, req.Method)
	assert.Equal(t, srv.URL+pageReplicatePath, req.URL.String())
	assert.Equal(t, testToken, req.Header.Get("X-Auth-Token"))
	assert.Equal(t, "application/json", req.Header.Get("Content-Type"))
	assert.Nil(t, req.GetBody, "the body cannot be rewound and replayed")
	assert.Zero(t, srv.count.Load(), "NewRequest sends nothing")
	req.Header.Set("X-Trace", "t-1") // a caller may add headers

	out, err := c.Do(context.Background(), req, nil)
	require.NoError(t, err)
	require.NotNil(t, out)
	got := srv.requests()
	require.Len(t, got, 1)
	assert.Equal(t, "t-1", got[0].Header.Get("X-Trace"))
	assert.Equal(t, int64(len(got[0].Body)), req.ContentLength, "the bytes that were validated are the bytes sent")
	assert.JSONEq(t, string(pageRequestBody(t)), string(got[0].Body))
}

func TestNewRequestRefusesAnInvalidRequest(t *testing.T) {
	c := newClient(t, "http://127.0.0.1:1")
	p := pageParam(t)
	p.VaultId = "vault-1"
	req, err := c.NewReplicateRequest(context.Background(), p)
	assert.Nil(t, req)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "/replicate/vault_id")
	assert.Contains(t, err.Error(), "nothing was sent")
}

func TestDoRefusesARequestItCannotSend(t *testing.T) {
	c := newClient(t, "http://127.0.0.1:1")
	_, err := c.Do(context.Background(), nil, nil)
	require.Error(t, err)
	_, err = c.Do(context.Background(), &http.Request{}, nil)
	require.Error(t, err)
	var zero client.Client
	_, err = zero.Do(context.Background(), &http.Request{}, nil)
	assert.ErrorContains(t, err, "not built with New")
}

// endless is a body that never ends, as a hostile server's.
type endless struct{ prefix []byte }

func (e *endless) Read(p []byte) (int, error) {
	n := copy(p, e.prefix)
	e.prefix = e.prefix[n:]
	for i := n; i < len(p); i++ {
		p[i] = ' '
	}
	return len(p), nil
}

func TestAnAnswerOver16MiBIsReadBounded(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		opts   []func(*client.Options)
	}{
		{"200 over 16 MiB", http.StatusOK, nil},
		{"200 over 16 MiB with response validation", http.StatusOK, []func(*client.Options){withResponseValidation}},
		{"400 over 16 MiB with response validation", http.StatusBadRequest, []func(*client.Options){withResponseValidation}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t, func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tc.status)
				_, _ = io.Copy(w, io.LimitReader(&endless{prefix: []byte(`{"replication": {"vault_id": "`)}, 64<<20))
			})
			c := newClient(t, srv.URL, tc.opts...)
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := c.Replicate(context.Background(), pageParam(t))
			runtime.ReadMemStats(&after)
			require.Error(t, err)
			if tc.status == http.StatusOK {
				var de *client.DecodeError
				require.ErrorAs(t, err, &de)
				assert.Contains(t, err.Error(), "larger than 16777216 bytes")
				assert.LessOrEqual(t, len(de.Body), int(limit.ErrorBody))
			} else {
				var apiErr *client.APIError
				require.ErrorAs(t, err, &apiErr)
			}
			// Reading the whole body would allocate at least its 64 MiB;
			// reading up to the bound costs about twice the bound (the
			// buffer grows by doubling), more under the race detector.
			assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(64<<20),
				"allocation follows the 16 MiB bound, not the 64 MiB body")
		})
	}
}

func TestATimeoutWhileTheBodyIsReadIsATimeout(t *testing.T) {
	release := make(chan struct{})
	srv := newServer(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, `{"replication": {`)
		w.(http.Flusher).Flush()
		<-release
	})
	defer close(release)
	c := newClient(t, srv.URL)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := c.Replicate(ctx, pageParam(t))
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded, "the same as a timeout before the headers")
	var de *client.DecodeError
	assert.False(t, errors.As(err, &de), "not an answer that failed to decode")
	assert.Contains(t, err.Error(), "may have started")
}

func TestAnswerKeysMatchCaseSensitively(t *testing.T) {
	srv := newServer(t, answerJSON(http.StatusOK,
		[]byte(`{"replication": {"VAULT_ID": "not-this", "Vault_id": "nor-this", "vault_id": "3b5816b5-f29c-4172-9d9a-76c719a659ce"}}`)))
	c := newClient(t, srv.URL)
	out, err := c.Replicate(context.Background(), pageParam(t))
	require.NoError(t, err)
	assert.Equal(t, "3b5816b5-f29c-4172-9d9a-76c719a659ce", out.VaultId, "a key that differs only in case never binds")

	srv = newServer(t, answerJSON(http.StatusOK, []byte(`{"replication": {"VAULT_ID": "not-this"}}`)))
	c = newClient(t, srv.URL)
	out, err = c.Replicate(context.Background(), pageParam(t))
	require.NoError(t, err)
	assert.Empty(t, out.VaultId)
}

func TestNewRequestRefusesInvalidUTF8InsteadOfReplacingIt(t *testing.T) {
	srv := newServer(t, answerPage(t))
	c := newClient(t, srv.URL)
	p := pageParam(t)
	p.DestinationRegion = "eu\xffnl"
	_, err := c.Replicate(context.Background(), p)
	var verr *validate.Error
	require.ErrorAs(t, err, &verr)
	assert.True(t, verr.Has("/replicate/destination_region", validate.RuleJSON), "%v", err)
	assert.Contains(t, err.Error(), "nothing was sent")

	_, err = c.ShowVault(context.Background(), "vault\xff")
	require.ErrorAs(t, err, &verr, "a path parameter")
	assert.True(t, verr.Has("/vault_id", validate.RuleType), "%v", err)
	name := "backup\xff"
	_, err = c.ListBackups(context.Background(), &cbr.ListBackupsParams{Name: &name})
	require.ErrorAs(t, err, &verr, "a query parameter")
	assert.True(t, verr.Has("/name", validate.RuleType), "%v", err)
	assert.Zero(t, srv.count.Load())
}
