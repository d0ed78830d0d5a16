package cbrtest_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/cbrtest"
)

// ownStatuses are the statuses the fake answers with when nothing is forced;
// 415 is validate.Middleware's answer to a Content-Encoding it does not read,
// 500 the world's BackupService.1005 (a destination region it does not
// replicate to).
var ownStatuses = map[int]bool{200: true, 400: true, 403: true, 404: true, 405: true, 413: true, 415: true, 500: true}

// FuzzHandler feeds the fake arbitrary methods, paths, headers ("Name: value"
// lines) and bodies. It must never panic, and every answer must be JSON with
// an X-Request-Id, valid against the spec for its status; the status must be
// one the fake produces on its own unless a Prefer header forced another; the
// token must never come back. The fake accepts only testToken (WithToken).
func FuzzHandler(f *testing.F) {
	page := []byte(pageRequest(f))
	const token = "X-Auth-Token: " + testToken + "\nContent-Type: application/json"
	f.Add("POST", replicatePath, token, page)
	f.Add("POST", replicatePath, token+"\nPrefer: code=404", page)
	f.Add("POST", replicatePath, token+"\nPrefer: code=400, example=DestinationVaultNotFound", page)
	f.Add("POST", replicatePath, token+"\nPrefer: code=502", page)
	f.Add("POST", replicatePath, token+"\nPrefer: code=\"40", page)
	f.Add("POST", replicatePath, token+"\nPrefer: example=Nope", page)
	f.Add("POST", replicatePath, "Content-Type: application/json", page)
	f.Add("POST", replicatePath, token, []byte(`{"replicate":{}}`))
	f.Add("POST", replicatePath, token, []byte(`{"replicate":{"vault_id":"x","VAULT_ID":"y","destination_region":5}}`))
	f.Add("POST", replicatePath, token, []byte(`{"replicate":{"vault_id":"3b5816b5-f29c-4172-9d9a-76c719a659ce","vault_id":"x"}}`))
	f.Add("POST", replicatePath, token, []byte(`{"checkpoint":{"replicate":{}}}`))
	f.Add("POST", replicatePath, token, []byte(`[1,2,`))
	f.Add("POST", replicatePath, token, []byte{})
	f.Add("POST", replicatePath, "X-Auth-Token: t\nContent-Type: text/plain", page)
	f.Add("GET", replicatePath, token, []byte{})
	f.Add("HEAD", replicatePath, token, []byte{})
	f.Add("OPTIONS", "*", token, []byte{})
	f.Add("POST", "/v3//checkpoints/replicate", token, page)
	f.Add("POST", "/v3/a%2Fb/checkpoints/replicate", token, page)
	f.Add("POST", "/v3/p/checkpoints/replicate?x=1&x=2", token, page)
	f.Add("POST", "/v3/p/./checkpoints/replicate", token, page)
	f.Add("POST", "/", token, page)
	// The world: other regions at their prefix, the other operations.
	f.Add("POST", "/region2"+replicatePath, token, page)
	f.Add("POST", "/mars"+replicatePath, token, page)
	f.Add("GET", "/eu-nl/v3/p/replication-capabilities", token, []byte{})
	f.Add("GET", "/region2/v3/p/vaults/0ca3eb86-8800-46da-9c37-9d657a825274", token, []byte{})
	f.Add("GET", "/v3/p/vaults/x", token, []byte{})
	f.Add("GET", "/v3/p/backups?vault_id=3b5816b5-f29c-4172-9d9a-76c719a659ce&limit=2&offset=1&status=available", token, []byte{})
	f.Add("GET", "/v3/p/backups?limit=0&offset=-1", token, []byte{})
	f.Add("GET", "/v3/p/backups?limit=1&limit=abc&status=available&status=error", token, []byte{})
	f.Add("GET", "/v3/p/backups?name=%FF%FE", token, []byte{})
	f.Add("GET", "/v3/p/vaults/%FF", token, []byte{})
	// Hostile shapes: a wrong token with an invalid body, a Content-Encoding
	// the fake does not read, a body over the limit, a lone surrogate.
	f.Add("POST", replicatePath, "X-Auth-Token: wrong\nContent-Type: application/json", []byte(`{"replicate":{"vault_id":"x"}}`))
	f.Add("POST", replicatePath, token+"\nContent-Encoding: gzip", page)
	f.Add("POST", replicatePath, token+"\nContent-Encoding: gzip", gzipped(f, page))
	f.Add("POST", replicatePath, token, append(bytes.Clone(page[:len(page)-1]),
		append(bytes.Repeat([]byte(" "), int(cbrtest.MaxBodyBytes)), '}')...))
	f.Add("POST", replicatePath, token, []byte(`{"replicate":{"destination_project_id":"p","destination_region":"\ud800",`+
		`"destination_vault_id":"v","vault_id":"3b5816b5-f29c-4172-9d9a-76c719a659ce"}}`))

	fake := newFake(f, cbrtest.WithMaxRequests(16), cbrtest.WithToken(testToken))
	f.Fuzz(func(t *testing.T, method, target, headers string, body []byte) {
		if !isToken(method) {
			t.Skip("net/http rejects the method before any handler")
		}
		u, err := url.ParseRequestURI(target)
		if err != nil {
			t.Skip("net/http rejects the target before any handler")
		}
		r := &http.Request{
			Method:     method,
			URL:        u,
			RequestURI: target,
			Proto:      "HTTP/1.1",
			ProtoMajor: 1,
			ProtoMinor: 1,
			Header:     http.Header{},
			Host:       "cbr.eu-de.otc.t-systems.com",
			Body:       io.NopCloser(bytes.NewReader(body)),
		}
		r.ContentLength = int64(len(body))
		for line := range strings.SplitSeq(headers, "\n") {
			name, value, ok := strings.Cut(line, ":")
			if !ok || !isToken(name) || !validHeaderValue(value) {
				continue
			}
			r.Header.Add(name, strings.TrimSpace(value))
		}
		r.Header.Del("Content-Length")
		r.Header.Del("Transfer-Encoding")
		r = r.WithContext(t.Context())
		op := operationOf(r)

		rec := httptest.NewRecorder()
		fake.ServeHTTP(rec, r)
		resp := rec.Result()
		got, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		_, forced := r.Header["Prefer"]
		if !ownStatuses[resp.StatusCode] && !forced {
			t.Fatalf("status %d without a Prefer header: %s", resp.StatusCode, got)
		}
		if err := answerProblem(answer{status: resp.StatusCode, header: resp.Header, body: got, op: op}); err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(got, []byte("secret-user-token")) && !bytes.Contains(body, []byte("secret-user-token")) &&
			!strings.Contains(target, "secret-user-token") {
			t.Fatalf("the token came back: %s", got)
		}
	})
}

// gzipped returns data compressed with gzip.
func gzipped(tb testing.TB, data []byte) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, err := zw.Write(data)
	require.NoError(tb, err)
	require.NoError(tb, zw.Close())
	return buf.Bytes()
}

// isToken reports whether s is a non-empty RFC 7230 token, as a method or a
// header name must be.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}

// validHeaderValue reports whether net/http would accept v as a header value.
func validHeaderValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}
