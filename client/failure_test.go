package client_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/client"
)

// blockingServer's handler signals arrived and then waits until the test
// ends (release) or the client goes away.
func blockingServer(t *testing.T) (*server, <-chan struct{}) {
	t.Helper()
	arrived := make(chan struct{}, 16)
	release := make(chan struct{})
	srv := newServer(t, func(_ http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	t.Cleanup(func() { close(release) }) // runs before srv.Close (LIFO)
	return srv, arrived
}

func TestReplicateClientTimeoutWrapsDeadlineExceeded(t *testing.T) {
	srv, _ := blockingServer(t)
	// Long enough for the request to reach the server on a loaded machine
	// under -race: the test asserts that it did.
	c := newClient(t, srv.URL, withHTTPClient(&http.Client{Timeout: 300 * time.Millisecond}))

	_, err := c.Replicate(context.Background(), pageParam(t))
	require.ErrorIs(t, err, context.DeadlineExceeded)
	var ne net.Error
	require.ErrorAs(t, err, &ne)
	assert.True(t, ne.Timeout())
	assert.Contains(t, err.Error(), "may have reached CBR", "the request was written: the replication may have started")
	assert.Equal(t, int64(1), srv.count.Load(), "a timeout is not retried")
}

func TestReplicateContextDeadlineWrapsDeadlineExceeded(t *testing.T) {
	srv, _ := blockingServer(t)
	c := newClient(t, srv.URL)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()

	_, err := c.Replicate(ctx, pageParam(t))
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, int64(1), srv.count.Load())
}

func TestReplicateCancelledContextWrapsCanceled(t *testing.T) {
	srv, arrived := blockingServer(t)
	c := newClient(t, srv.URL)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-arrived
		cancel()
	}()

	_, err := c.Replicate(ctx, pageParam(t))
	require.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, err.Error(), "may have reached CBR")
	assert.Equal(t, int64(1), srv.count.Load())
}

func TestReplicateContextCancelledBeforeTheCallSendsNothing(t *testing.T) {
	srv := newServer(t, answerPage(t))
	c := newClient(t, srv.URL)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	_, err := c.Replicate(ctx, pageParam(t))
	require.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, err.Error(), "nothing was sent")
	assert.Zero(t, srv.count.Load())
}

func TestReplicateIsNeverRetried(t *testing.T) {
	pageBody := pageResponseBody(t)
	// hijackAndClose reads the request and drops the connection without an
	// answer, or after a partial one.
	hijackAndClose := func(partial string) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			conn, buf, err := http.NewResponseController(w).Hijack()
			if err != nil {
				panic(err)
			}
			if partial != "" {
				_, _ = buf.WriteString(partial)
				_ = buf.Flush()
			}
			_ = conn.Close()
		}
	}
	partial200 := "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"replication\":{"

	for _, tc := range []struct {
		name   string
		answer func(n int64) http.HandlerFunc // n counts requests from 1
		calls  int                            // Replicate calls in sequence
		want   int64                          // requests the server gets
		check  func(t *testing.T, err error)  // on the last call's error
	}{
		{
			name: "503 Service Unavailable gets exactly one request",
			answer: func(int64) http.HandlerFunc {
				return answerJSON(503, []byte(`{"error_code":"BackupService.9910","error_msg":"busy"}`))
			},
			calls: 1, want: 1,
			check: func(t *testing.T, err error) { assert.Equal(t, 503, client.StatusCode(err)) },
		},
		{
			name:   "500 with an unknown error gets exactly one request",
			answer: func(int64) http.HandlerFunc { return answerJSON(500, []byte(`{"error_code":"BackupService.9910"}`)) },
			calls:  1, want: 1,
			check: func(t *testing.T, err error) { assert.True(t, client.IsCode(err, "9910")) },
		},
		{
			name:   "connection closed before an answer gets exactly one request",
			answer: func(int64) http.HandlerFunc { return hijackAndClose("") },
			calls:  1, want: 1,
			check: func(t *testing.T, err error) { assert.Contains(t, err.Error(), "may have reached CBR") },
		},
		{
			name:   "connection closed mid-answer gets exactly one request",
			answer: func(int64) http.HandlerFunc { return hijackAndClose(partial200) },
			calls:  1, want: 1,
			check: func(t *testing.T, err error) {
				// A broken connection, like a timeout, is a transport
				// failure, not an answer that failed to decode.
				var de *client.DecodeError
				assert.False(t, errors.As(err, &de))
				assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
				assert.Contains(t, err.Error(), "may have started")
			},
		},
		{
			// net/http's Transport replays a replayable request when a reused
			// keep-alive connection dies like this; a POST must not be.
			name: "reused keep-alive connection closed before an answer is not replayed",
			answer: func(n int64) http.HandlerFunc {
				if n == 1 {
					return answerJSON(200, pageBody)
				}
				return hijackAndClose("")
			},
			calls: 2, want: 2,
			check: func(t *testing.T, err error) { assert.Contains(t, err.Error(), "may have reached CBR") },
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var srv *server
			srv = newServer(t, func(w http.ResponseWriter, r *http.Request) {
				tc.answer(srv.count.Load())(w, r)
			})
			c := newClient(t, srv.URL)
			var err error
			for range tc.calls {
				_, err = c.Replicate(context.Background(), pageParam(t))
			}
			require.Error(t, err)
			tc.check(t, err)
			assert.Equal(t, tc.want, srv.count.Load())
		})
	}
}

func TestReplicateTokenSourceFailuresSendNothing(t *testing.T) {
	errIAM := errors.New("IAM unreachable")
	for _, tc := range []struct {
		name    string
		ts      client.TokenSource
		wantIs  error
		wantMsg string
	}{
		{name: "token source error is wrapped", ts: client.TokenFunc(func(context.Context) (string, error) { return "", errIAM }),
			wantIs: errIAM, wantMsg: "getting the token"},
		{name: "empty token", ts: client.TokenFunc(func(context.Context) (string, error) { return "", nil }),
			wantIs: client.ErrEmptyToken, wantMsg: "empty token"},
		{name: "token with a trailing newline", ts: client.TokenFunc(func(context.Context) (string, error) { return testToken + "\n", nil }),
			wantMsg: "control character"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t, answerPage(t))
			c := newClient(t, srv.URL, withToken(tc.ts))
			_, err := c.Replicate(context.Background(), pageParam(t))
			require.Error(t, err)
			if tc.wantIs != nil {
				assert.ErrorIs(t, err, tc.wantIs)
			}
			assert.Contains(t, err.Error(), tc.wantMsg)
			assert.NotContains(t, err.Error(), testToken)
			assert.Zero(t, srv.count.Load())
		})
	}
}

func TestReplicateTokenIsFetchedPerCall(t *testing.T) {
	var n atomic.Int64
	srv := newServer(t, answerPage(t))
	c := newClient(t, srv.URL, withToken(client.TokenFunc(func(ctx context.Context) (string, error) {
		require.NotNil(t, ctx)
		return "tok-" + strings.Repeat("x", int(n.Add(1))), nil
	})))
	for range 3 {
		_, err := c.Replicate(context.Background(), pageParam(t))
		require.NoError(t, err)
	}
	var got []string
	for _, r := range srv.requests() {
		got = append(got, r.Header.Get("X-Auth-Token"))
	}
	assert.Equal(t, []string{"tok-x", "tok-xx", "tok-xxx"}, got)
}

func TestReplicateNilContextIsAnError(t *testing.T) {
	srv := newServer(t, answerPage(t))
	c := newClient(t, srv.URL)
	var ctx context.Context // nil: a caller's bug must be an error, not a panic
	_, err := c.Replicate(ctx, pageParam(t))
	require.Error(t, err)
	assert.Zero(t, srv.count.Load())
}

func TestReplicateOnAClientNotBuiltWithNewIsAnError(t *testing.T) {
	var nilClient *client.Client
	_, err := nilClient.Replicate(context.Background(), pageParam(t))
	require.Error(t, err)
	_, err = new(client.Client).Replicate(context.Background(), pageParam(t))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not built with New")
}
