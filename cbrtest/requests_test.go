package cbrtest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/cbrtest"
	"github.com/cbr-replicate/cbr-replicate/gen/cbr"
	"github.com/cbr-replicate/cbr-replicate/internal/redact"
)

func TestFake_RequestsRecordsAcceptedRequests(t *testing.T) {
	f := newFake(t)
	a := serve(t, f, newRequest(http.MethodPost, replicatePath, pageRequest(t),
		"Authorization", "Bearer secret-bearer", "User-Agent", "cbr-replicate-test/1"))
	require.Equal(t, http.StatusOK, a.status)

	reqs := f.Requests()
	require.Len(t, reqs, 1)
	got := reqs[0]
	assert.Equal(t, http.MethodPost, got.Method)
	assert.Equal(t, replicatePath, got.Path)
	assert.Equal(t, "CopyCheckpoint", got.OperationID)
	assert.Equal(t, pageProjectID, got.ProjectID())
	var body cbr.CheckpointReplicateReq
	require.NoError(t, got.Decode(&body))
	assert.Equal(t, cbr.CheckpointReplicateReq{Replicate: pageParam()}, body)
	assert.JSONEq(t, pageRequest(t), string(got.Raw))
	assert.Equal(t, a.header.Get("X-Request-Id"), got.RequestID)
	assert.Equal(t, http.StatusOK, got.Status)
	assert.Equal(t, "cbr-replicate-test/1", got.Header.Get("User-Agent"))
	assert.Equal(t, "application/json", got.Header.Get("Content-Type"))
}

func TestFake_RequestsRedactsCredentials(t *testing.T) {
	f := newFake(t)
	r := newRequest(http.MethodPost, replicatePath, pageRequest(t),
		"Authorization", "Bearer secret-bearer", "Proxy-Authorization", "Basic secret-proxy")
	r.Header["x-auth-token"] = []string{"secret-lowercase"} // a hand-made request may skip canonical names
	serve(t, f, r)

	reqs := f.Requests()
	require.Len(t, reqs, 1)
	h := reqs[0].Header
	assert.Equal(t, []string{redact.Redacted}, h.Values("X-Auth-Token"))
	//lint:ignore SA1008 the request sent this header in lower case on purpose: it must be redacted too
	assert.Equal(t, []string{redact.Redacted}, h["x-auth-token"])
	assert.Equal(t, []string{redact.Redacted}, h.Values("Authorization"))
	assert.Equal(t, []string{redact.Redacted}, h.Values("Proxy-Authorization"))
	dump := fmt.Sprintf("%+v %v", reqs, reqs)
	for _, secret := range []string{testToken, "secret-bearer", "secret-proxy", "secret-lowercase"} {
		assert.NotContains(t, dump, secret)
	}
	// The request the handler saw keeps its token: redaction is on the copy.
	assert.Equal(t, testToken, r.Header.Get("X-Auth-Token"))
}

func TestFake_RequestsReturnsCopies(t *testing.T) {
	f := newFake(t)
	serve(t, f, newRequest(http.MethodPost, replicatePath, pageRequest(t)))

	first := f.Requests()
	first[0].Header.Set("User-Agent", "changed")
	first[0].Raw[0] = 'X'

	again := f.Requests()[0]
	assert.NotEqual(t, "changed", again.Header.Get("User-Agent"))
	assert.Equal(t, byte('{'), again.Raw[0])
}

func TestFake_RequestsRecordsOnlyAccepted(t *testing.T) {
	f := newFake(t, cbrtest.WithToken(testToken))
	requests := []*http.Request{
		newRequest(http.MethodPost, replicatePath, pageRequest(t)),                                               // accepted, 200
		newRequest(http.MethodPost, replicatePath, pageRequest(t), "Prefer", "code=404"),                         // accepted, 404
		newRequest(http.MethodPost, replicatePath, `{}`),                                                         // invalid
		newRequest(http.MethodPost, replicatePath, pageRequest(t), "X-Auth-Token", "-"),                          // no token
		newRequest(http.MethodPost, replicatePath, pageRequest(t), "X-Auth-Token", "-", "X-Auth-Token", "other"), // wrong token
		newRequest(http.MethodGet, replicatePath, ""),                                                            // wrong method
		newRequest(http.MethodPost, "/v3/x", pageRequest(t)),                                                     // unknown path
		newRequest(http.MethodPost, replicatePath, pageRequest(t), "Prefer", "code=abc"),                         // bad Prefer
		newRequest(http.MethodPost, replicatePath, strings.Repeat(" ", int(cbrtest.MaxBodyBytes)+1)),             // too large
	}
	for _, r := range requests {
		serve(t, f, r)
	}
	reqs := f.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, http.StatusOK, reqs[0].Status)
	assert.Equal(t, http.StatusNotFound, reqs[1].Status)
	assert.Equal(t, len(requests), f.Received())
}

func TestFake_WithMaxRequests(t *testing.T) {
	tests := []struct {
		name string
		max  int
		want []string // destination projects kept, oldest first
	}{
		{name: "keeps the most recent", max: 2, want: []string{"r3", "r4"}},
		{name: "zero keeps none", max: 0, want: []string{}},
		{name: "a bound over the count keeps all", max: 10, want: []string{"r1", "r2", "r3", "r4"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, cbrtest.WithMaxRequests(tt.max))
			for i := 1; i <= 4; i++ {
				p := pageParam()
				p.DestinationProjectId = fmt.Sprintf("r%d", i)
				body, err := json.Marshal(cbr.CheckpointReplicateReq{Replicate: p})
				require.NoError(t, err)
				require.Equal(t, http.StatusOK, serve(t, f, newRequest(http.MethodPost, replicatePath, string(body))).status)
			}
			got := []string{}
			for _, r := range f.Requests() {
				var body cbr.CheckpointReplicateReq
				require.NoError(t, r.Decode(&body))
				got = append(got, body.Replicate.DestinationProjectId)
			}
			assert.Equal(t, tt.want, got)
			assert.Equal(t, 4, f.Received())
		})
	}
}

func TestServer_Requests(t *testing.T) {
	s := newServer(t)
	defer s.Close()
	client, err := cbr.NewClientWithResponses(s.URL, cbr.WithHTTPClient(s.Client()))
	require.NoError(t, err)
	resp, err := client.CopyCheckpointWithResponse(t.Context(), pageProjectID,
		cbr.CheckpointReplicateReq{Replicate: pageParam()}, withToken(testToken))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode())

	reqs := s.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, redact.Redacted, reqs[0].Header.Get("X-Auth-Token"))
	assert.Equal(t, pageProjectID, reqs[0].ProjectID())
	assert.Equal(t, resp.HTTPResponse.Header.Get("X-Request-Id"), reqs[0].RequestID)
	assert.Equal(t, s.Fake.Requests(), reqs)
}
