package client_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/client"
	"github.com/cbr-replicate/cbr-replicate/gen/cbr"
)

// testToken is the secret that must never show up in any printed value.
const testToken = "MIIZ-secret-token-do-not-print-4242"

// pageProjectID is the project ID of the page's example request URL.
const pageProjectID = "f841e01fd2b14e7fa41b6ae7aa6b0594"

// pageReplicatePath is the page's example request path.
const pageReplicatePath = "/v3/" + pageProjectID + "/checkpoints/replicate"

// specExample returns the value of the embedded spec's example name (the
// page's examples, copied into the spec verbatim) as JSON.
func specExample(t testing.TB, name string) []byte {
	t.Helper()
	doc, err := cbr.GetSpec()
	require.NoError(t, err)
	ex := doc.Components.Examples[name]
	require.NotNil(t, ex, "the spec has no example %s", name)
	b, err := json.Marshal(ex.Value.Value)
	require.NoError(t, err)
	return b
}

// pageRequestBody is the page's "Example Requests: Replicating backups".
func pageRequestBody(t testing.TB) []byte {
	return specExample(t, "ReplicatingBackupsRequest")
}

// pageResponseBody is the page's "Example Responses: Status code: 200".
func pageResponseBody(t testing.TB) []byte {
	return specExample(t, "ReplicatingBackupsResponse")
}

// pageParam is the page's example request as the Go value Replicate takes.
func pageParam(t testing.TB) cbr.CheckpointReplicateParam {
	t.Helper()
	var req cbr.CheckpointReplicateReq
	require.NoError(t, json.Unmarshal(pageRequestBody(t), &req))
	return req.Replicate
}

// recorded is one request as the test server received it.
type recorded struct {
	Method string
	Path   string
	Header http.Header
	Body   []byte
}

// server is an httptest.Server that counts and records requests and answers
// with handler.
type server struct {
	*httptest.Server
	count atomic.Int64
	mu    sync.Mutex
	reqs  []recorded
}

// newServer starts a loopback server that records each request, then calls
// answer to write the answer.
func newServer(t testing.TB, answer http.HandlerFunc) *server {
	t.Helper()
	s := &server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.count.Add(1)
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.reqs = append(s.reqs, recorded{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body})
		s.mu.Unlock()
		answer(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *server) requests() []recorded {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]recorded(nil), s.reqs...)
}

// answerJSON answers every request with status and body as JSON.
func answerJSON(status int, body []byte, header ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}
}

// answerPage answers with the page's example response.
func answerPage(t testing.TB) http.HandlerFunc {
	return answerJSON(http.StatusOK, pageResponseBody(t))
}

// newClient builds a Client for url with the page's project ID and
// testToken; mods adjust the options.
func newClient(t testing.TB, url string, mods ...func(*client.Options)) *client.Client {
	t.Helper()
	opts := client.Options{
		Endpoint:  url,
		ProjectID: pageProjectID,
		Token:     client.StaticToken(testToken),
	}
	for _, m := range mods {
		m(&opts)
	}
	c, err := client.New(opts)
	require.NoError(t, err)
	return c
}

func withResponseValidation(o *client.Options) { o.ValidateResponses = true }

func withoutRequestValidation(o *client.Options) { o.SkipRequestValidation = true }

func withHTTPClient(hc *http.Client) func(*client.Options) {
	return func(o *client.Options) { o.HTTPClient = hc }
}

func withToken(ts client.TokenSource) func(*client.Options) {
	return func(o *client.Options) { o.Token = ts }
}
