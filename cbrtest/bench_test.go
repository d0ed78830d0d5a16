package cbrtest_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/cbr-replicate/cbr-replicate/gen/cbr"
)

// Run with: go test -run '^$' -bench . -benchmem ./cbrtest/
//
// BenchmarkFake and BenchmarkBareHandler send the page's example request
// with the generated client over loopback from parallel goroutines; the
// bare handler answers with the page's 200 example and no work at all, the
// baseline for what the fake costs. Both clients share one Transport setup
// that keeps enough idle connections per host for every goroutine, so the
// figures measure the servers, not connection set-up.

// benchClient returns a generated client for url whose Transport keeps up
// to 256 idle connections to it.
func benchClient(b *testing.B, url string) *cbr.ClientWithResponses {
	b.Helper()
	tr := &http.Transport{
		Proxy:               nil,
		MaxIdleConns:        256,
		MaxIdleConnsPerHost: 256,
		IdleConnTimeout:     time.Minute,
	}
	b.Cleanup(tr.CloseIdleConnections)
	client, err := cbr.NewClientWithResponses(url,
		cbr.WithHTTPClient(&http.Client{Transport: tr}),
		cbr.WithRequestEditorFn(withToken(testToken)))
	if err != nil {
		b.Fatal(err)
	}
	return client
}

// runReplicate sends b.N replicate calls from parallel goroutines and
// expects 200 to each.
func runReplicate(b *testing.B, client *cbr.ClientWithResponses) {
	b.Helper()
	body := cbr.CheckpointReplicateReq{Replicate: pageParam()}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	cpu0, cpuOK := processCPU()
	defer func() {
		// CPU time of client and server together per call: steadier than
		// ns/op on a machine shared with other work.
		if cpu1, ok := processCPU(); ok && cpuOK {
			b.ReportMetric(float64(cpu1-cpu0)/float64(b.N), "cpu-ns/op")
		}
	}()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := client.CopyCheckpointWithResponse(ctx, pageProjectID, body)
			if err != nil {
				b.Error(err)
				return
			}
			if resp.StatusCode() != http.StatusOK || resp.JSON200 == nil {
				b.Errorf("status %d: %s", resp.StatusCode(), resp.Body)
				return
			}
		}
	})
}

// BenchmarkFake measures the fake as NewServer runs it by default: every
// request validated, answered with fresh ids and recorded.
func BenchmarkFake(b *testing.B) {
	s := newServer(b)
	runReplicate(b, benchClient(b, s.URL))
}

// BenchmarkBareHandler is the baseline: a bare net/http handler that reads
// the body and answers with the page's static 200 example.
func BenchmarkBareHandler(b *testing.B) {
	page := []byte(pageResponse(b))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(page)
	}))
	defer srv.Close()
	runReplicate(b, benchClient(b, srv.URL))
}
