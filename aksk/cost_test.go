package aksk_test

import (
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/aksk"
)

// hostileSize is the size of each hostile request: 64 KiB all told.
const hostileSize = 64 << 10

// hostile is a request of about hostileSize bytes, with a known AK and a
// bogus signature, shaped to make a verifier work.
type hostile struct {
	name   string
	build  func() (*http.Request, []byte)
	reason aksk.Reason
}

// bogusRequest is the page's request with testAK, a signature of zeros
// over signed (SignedHeaders' value) and the X-Sdk-Date of testTime.
func bogusRequest(signed string) *http.Request {
	r, err := http.NewRequest(http.MethodPost, testEndpoint+"/v3/"+testProjectID+"/checkpoints/replicate", nil)
	if err != nil {
		panic(err)
	}
	r.Header.Set("X-Sdk-Date", "20240517T083000Z")
	r.Header.Set("Authorization", "SDK-HMAC-SHA256 Access="+testAK+", SignedHeaders="+signed+", Signature="+strings.Repeat("0", 64))
	return r
}

// nameList is "name;name;..." of n names.
func nameList(name string, n int) string {
	return strings.TrimSuffix(strings.Repeat(name+";", n), ";")
}

var hostiles = []hostile{
	{"one 32 KiB header named 16,000 times", func() (*http.Request, []byte) {
		r := bogusRequest(nameList("x", hostileSize/4))
		r.Header.Set("X", strings.Repeat("v", hostileSize/2))
		return r, nil
	}, aksk.ReasonSignedHeadersRepeated},
	{"one header of 5,000 values named 3,000 times", func() (*http.Request, []byte) {
		r := bogusRequest(nameList("x", 3000))
		for i := range 5000 {
			r.Header.Add("X", fmt.Sprint(i%10))
		}
		return r, nil
	}, aksk.ReasonSignedHeadersRepeated},
	{"SignedHeaders naming x-sdk-date 5,000 times", func() (*http.Request, []byte) {
		return bogusRequest(nameList("x-sdk-date", 5000)), nil
	}, aksk.ReasonSignedHeadersRepeated},
	{"1,500 headers, all signed", func() (*http.Request, []byte) {
		r := bogusRequest("")
		names := make([]string, 0, 1501)
		for i := range 1500 {
			name := fmt.Sprintf("x-h%04d", i)
			r.Header.Set(name, "0123456789abcdef")
			names = append(names, name)
		}
		setSignedHeaders(r, strings.Join(append(names, "x-sdk-date"), ";"))
		return r, nil
	}, aksk.ReasonTooManySignedHeaders},
	{"one 60 KiB header, signed once", func() (*http.Request, []byte) {
		r := bogusRequest("x;x-sdk-date")
		r.Header.Set("X", strings.Repeat("v", 60<<10))
		return r, nil
	}, aksk.ReasonBadSignature},
	{"one header of 7,000 unsorted values, signed once", func() (*http.Request, []byte) {
		r := bogusRequest("x;x-sdk-date")
		for i := range 7000 {
			r.Header.Add("X", fmt.Sprint(9999-i))
		}
		return r, nil
	}, aksk.ReasonBadSignature},
	{"63 headers of 1 KiB, all signed", func() (*http.Request, []byte) {
		r := bogusRequest("")
		names := make([]string, 0, 64)
		for i := range aksk.MaxSignedHeaders - 1 {
			name := fmt.Sprintf("x-h%02d", i)
			r.Header.Set(name, strings.Repeat("v", 1000))
			names = append(names, name)
		}
		setSignedHeaders(r, strings.Join(append(names, "x-sdk-date"), ";"))
		return r, nil
	}, aksk.ReasonBadSignature},
	{"3,000 names that differ only in case", func() (*http.Request, []byte) {
		r := bogusRequest("x-a;x-sdk-date")
		for i := range 3000 {
			name := []byte(fmt.Sprintf("x-a%012b", i))
			for j, c := range name[3:] {
				if c == '1' {
					name[3+j] = 'A'
				} else {
					name[3+j] = 'a'
				}
			}
			r.Header[string(name[:3])+string(name[3:])] = []string{"v"}
		}
		return r, nil
	}, aksk.ReasonSignedHeaderMissing},
	{"a 64 KiB query of 4,600 values", func() (*http.Request, []byte) {
		r := bogusRequest("x-sdk-date")
		r.URL.RawQuery = strings.TrimSuffix(strings.Repeat("a=b%20bbbbbbb&", hostileSize/14), "&")
		return r, nil
	}, aksk.ReasonBadSignature},
	{"a 64 KiB body", func() (*http.Request, []byte) {
		return bogusRequest("x-sdk-date"), []byte(strings.Repeat("{", hostileSize))
	}, aksk.ReasonBadSignature},
}

// requestSize is the size of r and body on the wire, roughly: request
// line, header lines and body.
func requestSize(r *http.Request, body []byte) int {
	n := len(r.Method) + len(r.URL.String()) + len(body)
	for name, values := range r.Header {
		for _, v := range values {
			n += len(name) + len(v) + 4
		}
	}
	return n
}

// TestVerifyRefusalCostsWhatTheRequestCosts verifies hostile requests of
// 64 KiB: each is refused with the reason its shape deserves; what Verify
// allocates stays within a small multiple of the request's size (the
// query costs the most: url.ParseQuery holds each value as a string in a
// slice, about 5 times its size for short values); and so does its work,
// the bytes of canonical request it hashes (an escaped byte takes 3).
func TestVerifyRefusalCostsWhatTheRequestCosts(t *testing.T) {
	for _, h := range hostiles {
		t.Run(h.name, func(t *testing.T) {
			req, body := h.build()
			size := requestSize(req, body)
			require.LessOrEqual(t, size, hostileSize+hostileSize/8, "the request is about 64 KiB")

			var verr *aksk.VerifyError
			require.ErrorAs(t, aksk.Verify(req, body, lookup, testTime, 0), &verr)
			assert.Equal(t, h.reason, verr.Reason, "%s", verr)

			const runs = 5
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for range runs {
				_ = aksk.Verify(req, body, lookup, testTime, 0)
			}
			runtime.ReadMemStats(&after)
			perRun := (after.TotalAlloc - before.TotalAlloc) / runs
			hashed := aksk.HashedBytes(req, body)
			t.Logf("%d bytes of request, %d bytes allocated, %d bytes hashed", size, perRun, hashed)
			assert.LessOrEqual(t, perRun, uint64(6*size+32<<10), "allocation within a small multiple of the request's size")
			assert.LessOrEqual(t, hashed, 3*size+1<<10, "work within a small multiple of the request's size")
		})
	}
}

// BenchmarkVerifyHostile times the refusals of the hostile requests:
// go test -run '^$' -bench VerifyHostile -benchmem ./aksk/
func BenchmarkVerifyHostile(b *testing.B) {
	for _, h := range hostiles {
		b.Run(h.name, func(b *testing.B) {
			req, body := h.build()
			b.SetBytes(int64(requestSize(req, body)))
			b.ReportAllocs()
			for b.Loop() {
				if aksk.Verify(req, body, lookup, testTime, 0) == nil {
					b.Fatal("a bogus signature accepted")
				}
			}
		})
	}
}
