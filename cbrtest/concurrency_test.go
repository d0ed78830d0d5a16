package cbrtest_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/cbrtest"
	"github.com/cbr-replicate/cbr-replicate/internal/redact"
)

// TestServer_ConcurrentClients drives one server from many goroutines with a
// mix of accepted, forced and rejected requests, under -race, and checks every
// answer and the request log afterwards.
func TestServer_ConcurrentClients(t *testing.T) {
	const (
		goroutines = 32
		perG       = 24
	)
	s := newServer(t, cbrtest.WithToken(testToken))
	defer s.Close()
	body := pageRequest(t)

	kinds := []struct {
		body       string
		header     []string
		wantStatus int
		accepted   bool
	}{
		{body: body, wantStatus: http.StatusOK, accepted: true},
		{body: body, header: []string{"Prefer", "code=500"}, wantStatus: http.StatusInternalServerError, accepted: true},
		{body: `{"replicate":{}}`, wantStatus: http.StatusBadRequest},
		{body: body, header: []string{"X-Auth-Token", "wrong"}, wantStatus: http.StatusForbidden},
	}

	var wg sync.WaitGroup
	errs := make(chan error, goroutines*perG)
	for g := range goroutines {
		wg.Go(func() {
			for i := range perG {
				k := kinds[(g+i)%len(kinds)]
				req, err := http.NewRequest(http.MethodPost, s.URL+replicatePath, bytes.NewReader([]byte(k.body)))
				if err != nil {
					errs <- err
					return
				}
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-Auth-Token", testToken)
				for j := 0; j+1 < len(k.header); j += 2 {
					req.Header.Set(k.header[j], k.header[j+1])
				}
				resp, err := s.Client().Do(req)
				if err != nil {
					errs <- err
					return
				}
				got, err := io.ReadAll(resp.Body)
				_ = resp.Body.Close()
				if err != nil {
					errs <- err
					return
				}
				if resp.StatusCode != k.wantStatus {
					errs <- fmt.Errorf("status %d, want %d: %s", resp.StatusCode, k.wantStatus, got)
					continue
				}
				if err := answerProblem(answer{status: resp.StatusCode, header: resp.Header, body: got}); err != nil {
					errs <- err
				}
			}
		})
	}
	// Readers of the log run while requests are served.
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for range 4 {
		readers.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
					for _, r := range s.Requests() {
						if r.Header.Get("X-Auth-Token") != redact.Redacted {
							errs <- fmt.Errorf("token not redacted in the log")
							return
						}
					}
					_ = s.Fake.Received()
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	readers.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}

	total := goroutines * perG
	accepted := 0
	for g := range goroutines {
		for i := range perG {
			if kinds[(g+i)%len(kinds)].accepted {
				accepted++
			}
		}
	}
	reqs := s.Requests()
	require.Len(t, reqs, accepted)
	assert.Equal(t, total, s.Fake.Received())
	ids := map[string]bool{}
	for _, r := range reqs {
		assert.False(t, ids[r.RequestID], "X-Request-Id %s repeated", r.RequestID)
		ids[r.RequestID] = true
	}
}
