package sdkreferee

import (
	"net/http"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/signer"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/request"

	"github.com/cbr-replicate/cbr-replicate/aksk"
)

// The two signers on the page's request, side by side, as a baseline for
// aksk's BenchmarkSign: go test -run '^$' -bench . -benchmem

func BenchmarkSignPageRequest(b *testing.B) {
	b.Run("sdk", func(b *testing.B) {
		req := request.NewHttpRequestBuilder().WithEndpoint(testEndpoint).WithMethod(http.MethodPost).
			WithPath("/v3/"+testProjectID+"/checkpoints/replicate").
			AddHeaderParam("User-Agent", sdkUserAgent).
			AddHeaderParam(aksk.HeaderDate, testTime.Format(aksk.DateLayout)).
			AddHeaderParam(aksk.HeaderProjectID, testProjectID).
			AddHeaderParam("Content-Type", "application/json;charset=UTF-8").
			WithBody("", pageBody).Build()
		b.ReportAllocs()
		for b.Loop() {
			if _, err := signer.Sign(req, testAK, testSK); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("aksk", func(b *testing.B) {
		body := []byte(pageBody)
		req, err := http.NewRequest(http.MethodPost, testEndpoint+"/v3/"+testProjectID+"/checkpoints/replicate", nil)
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("User-Agent", sdkUserAgent)
		req.Header.Set("Content-Type", "application/json;charset=UTF-8")
		creds := aksk.NewCredentials(testAK, testSK, "")
		b.ReportAllocs()
		for b.Loop() {
			if err := aksk.Sign(req, body, creds, testProjectID, testTime); err != nil {
				b.Fatal(err)
			}
		}
	})
}
