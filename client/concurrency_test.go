package client_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/client"
)

func TestReplicateOneClientManyGoroutinesWithARefreshingToken(t *testing.T) {
	const goroutines, calls = 8, 4 // enough for the race detector to see them meet
	var issued atomic.Int64
	var mu sync.Mutex
	current := "tok-0"
	// The token source refreshes every 5th call, like an expiring IAM token.
	ts := client.TokenFunc(func(ctx context.Context) (string, error) {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		n := issued.Add(1)
		mu.Lock()
		defer mu.Unlock()
		if n%5 == 0 {
			current = fmt.Sprintf("tok-%d", n)
		}
		return current, nil
	})
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Auth-Token") == "" {
			answerJSON(http.StatusForbidden, []byte(`{"error_code":"BackupService.8600","error_msg":"Not authenticated."}`))(w, r)
			return
		}
		answerPage(t)(w, r)
	})
	c := newClient(t, srv.URL, withToken(ts), withResponseValidation)

	var wg sync.WaitGroup
	errs := make(chan error, goroutines*calls)
	for range goroutines {
		wg.Go(func() {
			for range calls {
				got, err := c.Replicate(context.Background(), pageParam(t))
				if err == nil && len(got.Backups) != 3 {
					err = fmt.Errorf("got %d backups", len(got.Backups))
				}
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, int64(goroutines*calls), srv.count.Load(), "one request per call")
	assert.Equal(t, int64(goroutines*calls), issued.Load(), "one token per call")
	tokens := map[string]bool{}
	for _, r := range srv.requests() {
		tokens[r.Header.Get("X-Auth-Token")] = true
	}
	assert.Greater(t, len(tokens), 1, "refreshed tokens reach the server")
}
