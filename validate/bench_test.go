package validate_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/cbr-replicate/cbr-replicate/gen/cbr"
	"github.com/cbr-replicate/cbr-replicate/validate"
)

// The benchmarks share one file so that the ratios can be read from one run:
//
//	go test -run '^$' -bench . -benchmem ./validate/
//
// BenchmarkDecodeOnly is the baseline: encoding/json decoding the page's
// example request and 200 response into the generated types.

func BenchmarkDecodeOnly(b *testing.B) {
	req, resp := readTestdata(b, "request.json"), readTestdata(b, "response.json")
	b.ReportAllocs()
	for b.Loop() {
		var q cbr.CheckpointReplicateReq
		if err := json.Unmarshal(req, &q); err != nil {
			b.Fatal(err)
		}
		var p cbr.CheckpointReplicateResp
		if err := json.Unmarshal(resp, &p); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRequestBody(b *testing.B) {
	v := newValidator(b)
	req := readTestdata(b, "request.json")
	b.ReportAllocs()
	for b.Loop() {
		if err := v.RequestBody(copyCheckpoint, req); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkResponseBody(b *testing.B) {
	v := newValidator(b)
	resp := readTestdata(b, "response.json")
	b.ReportAllocs()
	for b.Loop() {
		if err := v.ResponseBody(copyCheckpoint, 200, resp); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRequestAndResponseBody is the figure the target applies to:
// request + response validation together, to compare with DecodeOnly.
func BenchmarkRequestAndResponseBody(b *testing.B) {
	v := newValidator(b)
	req, resp := readTestdata(b, "request.json"), readTestdata(b, "response.json")
	b.ReportAllocs()
	for b.Loop() {
		if err := v.RequestBody(copyCheckpoint, req); err != nil {
			b.Fatal(err)
		}
		if err := v.ResponseBody(copyCheckpoint, 200, resp); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRequest validates a whole *http.Request: route, token, path
// parameter, Content-Type and body.
func BenchmarkRequest(b *testing.B) {
	v := newValidator(b)
	body := readTestdata(b, "request.json")
	r := newRequest(b, opPath, body)
	rd := bytes.NewReader(body)
	b.ReportAllocs()
	for b.Loop() {
		rd.Reset(body)
		r.Body = readCloser{rd}
		if _, err := v.Request(r); err != nil {
			b.Fatal(err)
		}
	}
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

// hostileUnknownKeys is a request body of about 1 MiB (limit.Request) with
// n unknown keys under "replicate".
func hostileUnknownKeys(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"replicate":{`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"k%d":0`, i)
	}
	b.WriteString(`}}`)
	return b.Bytes()
}

// BenchmarkRequestBodyHostile validates a 1 MiB body of ~96k unknown keys
// under "replicate": the keys are reported while decoding, at most
// MaxViolations of them, so memory stays bounded and time grows linearly.
// The sub-benchmarks of a quarter and half as many keys show the growth.
func BenchmarkRequestBodyHostile(b *testing.B) {
	v := newValidator(b)
	for _, n := range []int{24000, 48000, 96000} {
		body := hostileUnknownKeys(n)
		if len(body) > 1<<20 {
			b.Fatalf("body of %d bytes is over 1 MiB", len(body))
		}
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				var verr *validate.Error
				if !errors.As(v.RequestBody(copyCheckpoint, body), &verr) || len(verr.Violations) != validate.MaxViolations+1 {
					b.Fatal("the hostile body is not rejected with a capped list")
				}
			}
		})
	}
}
