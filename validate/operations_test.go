package validate_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/openapi"
	"github.com/cbr-replicate/cbr-replicate/validate"
)

const capabilities = "ShowReplicationCapabilities"

// get returns an authenticated GET of target.
func get(target string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, target, nil)
	r.Header.Set("X-Auth-Token", token)
	return r
}

func TestRouteFindsTheOperationOfEveryRequest(t *testing.T) {
	v := newValidator(t)
	route, err := v.Route(get("/v3/p1/replication-capabilities"))
	require.NoError(t, err)
	assert.Equal(t, validate.Route{OperationID: capabilities, PathParams: map[string]string{"project_id": "p1"}}, route)
	route, err = v.Route(newRequest(t, opPath, nil))
	require.NoError(t, err)
	assert.Equal(t, copyCheckpoint, route.OperationID)

	_, err = v.Route(get(opPath))
	assert.Equal(t, []at{{"method", "", "method"}}, violationsOf(t, err), "the path of a POST, with GET")
	assert.ErrorContains(t, err, "method GET is not allowed for "+opPath+"; allowed: POST")
	_, err = v.Route(get("/v3/p1/nothing"))
	assert.Equal(t, []at{{"path", "", "route"}}, violationsOf(t, err))

	// Request routes too, so that a caller that validates routes once.
	route, err = v.Request(get("/v3/p1/replication-capabilities"))
	require.NoError(t, err)
	assert.Equal(t, capabilities, route.OperationID)
}

func TestRouteRefusesDotSegmentsAndATrailingSlash(t *testing.T) {
	v := newValidator(t)
	for _, target := range []string{
		"/v3/../replication-capabilities",
		"/v3/./replication-capabilities",
		"/v3/p1/vaults/..",
		"/v3/p1/replication-capabilities/",
	} {
		t.Run(target, func(t *testing.T) {
			_, err := v.Route(get(target))
			assert.Equal(t, []at{{"path", "", "route"}}, violationsOf(t, err))
		})
	}
}

func TestRequestOfAnOperationWithoutBody(t *testing.T) {
	v := newValidator(t)
	tests := []struct {
		name string
		req  *http.Request
		want []at
	}{
		{"a GET with a token and no body is valid", get("/v3/p1/replication-capabilities"), nil},
		{"a GET without a token breaks the security requirement", httptest.NewRequest(http.MethodGet, "/v3/p1/replication-capabilities", nil),
			[]at{{"header", "/X-Auth-Token", "security"}}},
		{"a GET with a body: the operation takes none",
			func() *http.Request {
				r := httptest.NewRequest(http.MethodGet, "/v3/p1/replication-capabilities", strings.NewReader(`{}`))
				r.Header.Set("X-Auth-Token", token)
				return r
			}(), []at{{"body", "", "body"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, violationsOf(t, requestErr(v, tc.req)))
		})
	}
}

func TestBareBodiesNameTheirOperation(t *testing.T) {
	v := newValidator(t)
	err := v.RequestBody("Nope", []byte(`{}`))
	assert.Equal(t, []at{{"operation", "", "operation"}}, violationsOf(t, err))
	assert.ErrorContains(t, err, `no operation "Nope"; the spec's operations are `+strings.Join(openapi.IDs(), ", "))
	assert.Equal(t, []at{{"body", "", "body"}}, violationsOf(t, v.RequestBody(capabilities, []byte(`{}`))), "a GET takes no body")

	op, _ := openapi.Lookup(capabilities)
	ex, err := op.Example(200, "")
	require.NoError(t, err)
	assert.NoError(t, v.ResponseBody(capabilities, 200, ex.Body), "the page's example")
	assert.Equal(t, []at{{"body", "/regions", "type"}}, violationsOf(t, v.ResponseBody(capabilities, 200, []byte(`{"regions":{}}`))))
	assert.Equal(t, []at{{"body", "/regions/1/replication_destinations/0", "type"}},
		violationsOf(t, v.ResponseBody(capabilities, 200, []byte(`{"regions":[{"name":"eu-de"},{"replication_destinations":[1]}]}`))))
	err = v.ResponseBody(capabilities, 202, ex.Body)
	assert.ErrorContains(t, err, "status 202 is not documented for "+capabilities)
}

func TestMiddlewareHandsOnTheRoute(t *testing.T) {
	v := newValidator(t)
	var got validate.Route
	h := v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ = validate.RouteOf(r.Context())
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, get("/v3/p1/replication-capabilities"))
	assert.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, capabilities, got.OperationID)
	assert.Equal(t, "p1", got.PathParams["project_id"])

	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, get(opPath))
	assert.Equal(t, http.StatusMethodNotAllowed, rec.Code)
	assert.Equal(t, "POST", rec.Header().Get("Allow"))
}

func TestParametersAreCheckedWhole(t *testing.T) {
	v := newValidator(t)
	for _, tc := range []struct {
		name, target string
		want         []at
	}{
		{"one value of each query parameter, as the page types it, is valid",
			"/v3/p1/backups?vault_id=v&limit=10&status=available&dec=true&name=%C3%A9", nil},
		{"a query parameter of one value given twice, the second not a number",
			"/v3/p1/backups?limit=1&limit=abc", []at{{"query", "/limit", "type"}}},
		{"a query parameter of one value given twice, each a documented value",
			"/v3/p1/backups?status=available&status=error", []at{{"query", "/status", "type"}}},
		{"a query parameter given 1000 times is one violation",
			"/v3/p1/backups?" + strings.Repeat("vault_id=v&", 1000), []at{{"query", "/vault_id", "type"}}},
		{"a query value that is not UTF-8", "/v3/p1/backups?name=%FF%FE", []at{{"query", "/name", "type"}}},
		{"a path parameter that is not UTF-8", "/v3/p1/vaults/%FF", []at{{"path", "/vault_id", "type"}}},
		{"a parameter the page does not document is left alone", "/v3/p1/backups?x=1&x=%FF", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, violationsOf(t, requestErr(v, get(tc.target))))
		})
	}
}
