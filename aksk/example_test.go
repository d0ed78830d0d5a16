package aksk_test

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/cbr-replicate/cbr-replicate/aksk"
)

// Sign adds X-Sdk-Date, X-Project-Id and the SDK-HMAC-SHA256 Authorization
// over exactly the body that is sent; Verify is what a gateway (the fake)
// does with it. In a client, aksk.NewSigner gives the replicate.Options
// Signer that does the same on every request.
func ExampleSign() {
	keys := aksk.NewCredentials("HPUAEXAMPLEACCESSKEY", "exampleSecretKey0123456789abcdefEXAMPLE1", "")
	body := []byte(`{"replicate":{"vault_id":"3b5816b5-f29c-4172-9d9a-76c719a659ce"}}`)
	req, _ := http.NewRequest(http.MethodPost,
		"https://cbr.eu-de.otc.t-systems.com/v3/f841e01fd2b14e7fa41b6ae7aa6b0594/checkpoints/replicate", bytes.NewReader(body))
	at := time.Date(2024, 5, 17, 8, 30, 0, 0, time.UTC)
	if err := aksk.Sign(req, body, keys, "f841e01fd2b14e7fa41b6ae7aa6b0594", at); err != nil {
		fmt.Println(err)
		return
	}
	auth := req.Header.Get("Authorization")
	fmt.Println(req.Header.Get("X-Sdk-Date"))
	fmt.Println(auth[:strings.Index(auth, ", Signature=")])

	lookup := func(ak string) (aksk.Credentials, bool) { return keys, ak == keys.AccessKey }
	fmt.Println(aksk.Verify(req, body, lookup, at.Add(time.Minute), aksk.DefaultSkew))
	fmt.Printf("%+v\n", keys) // the secret key is never printed
	// Output:
	// 20240517T083000Z
	// SDK-HMAC-SHA256 Access=HPUAEXAMPLEACCESSKEY, SignedHeaders=x-project-id;x-sdk-date
	// <nil>
	// {AccessKey:HPUAEXAMPLEACCESSKEY SecretKey:[REDACTED] SecurityToken:}
}
