package cbrtest_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/cbrtest"
	"github.com/cbr-replicate/cbr-replicate/openapi"
	"github.com/cbr-replicate/cbr-replicate/validate"
)

const capabilitiesPath = "/v3/" + pageProjectID + "/replication-capabilities"

// example is the documented example of op's answer with status.
func example(t *testing.T, op string, status int, name string) string {
	t.Helper()
	o, ok := openapi.Lookup(op)
	require.True(t, ok, op)
	ex, err := o.Example(status, name)
	require.NoError(t, err)
	return string(ex.Body)
}

func TestFake_CapabilitiesAreTheRegionsOfTheWorld(t *testing.T) {
	f := newFake(t)
	a := serve(t, f, newRequest(http.MethodGet, capabilitiesPath, ""))
	require.Equal(t, http.StatusOK, a.status, "%s", a.body)
	assert.JSONEq(t, `{"regions":[{"name":"eu-de","replication_destinations":["eu-nl","region2"]}]}`, string(a.body))

	reqs := f.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "ShowReplicationCapabilities", reqs[0].OperationID)
	assert.Equal(t, pageProjectID, reqs[0].ProjectID())
	assert.Empty(t, reqs[0].Raw, "a GET has no body")
}

func TestFake_AuthenticationGuardsEveryOperation(t *testing.T) {
	f := newFake(t, cbrtest.WithToken(testToken))
	a := serve(t, f, newRequest(http.MethodGet, capabilitiesPath, "", "X-Auth-Token", "-", "X-Auth-Token", "another"))
	assert.Equal(t, http.StatusForbidden, a.status)
	assert.Equal(t, "BackupService.8600", cbrError(t, a.body).ErrorCode)
	a = serve(t, f, newRequest(http.MethodGet, capabilitiesPath, "", "X-Auth-Token", "-"))
	assert.Equal(t, http.StatusForbidden, a.status, "no token at all")
	assert.Empty(t, f.Requests())
}

func TestFake_PreferAndForcedStatusWorkForEveryOperation(t *testing.T) {
	a := serve(t, newFake(t), newRequest(http.MethodGet, capabilitiesPath, "", "Prefer", "code=404"))
	assert.Equal(t, http.StatusNotFound, a.status)
	assert.JSONEq(t, example(t, "ShowReplicationCapabilities", 404, ""), string(a.body))

	a = serve(t, newFake(t, cbrtest.WithResponse(http.StatusInternalServerError)), newRequest(http.MethodGet, capabilitiesPath, ""))
	assert.Equal(t, http.StatusInternalServerError, a.status)
}

func TestFake_WithHandlerOverridesAnOperation(t *testing.T) {
	var seen validate.Route
	f := newFake(t, cbrtest.WithHandler("ShowReplicationCapabilities", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen, _ = validate.RouteOf(r.Context())
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"regions":[{"name":"eu-nl","replication_destinations":["eu-de"]}]}`))
	})))
	a := serve(t, f, newRequest(http.MethodGet, capabilitiesPath, ""))
	assert.Equal(t, http.StatusOK, a.status)
	assert.Contains(t, string(a.body), "eu-nl")
	assert.Equal(t, pageProjectID, seen.PathParams["project_id"])

	_, err := cbrtest.New(cbrtest.WithHandler("Nope", http.NotFoundHandler()))
	assert.ErrorContains(t, err, `WithHandler("Nope"): the spec has no such operation`)
}
