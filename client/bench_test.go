package client_test

import (
	"context"
	"testing"

	"github.com/cbr-replicate/cbr-replicate/client"
)

// BenchmarkReplicate measures one call against a loopback server; the
// "no validation" case is the baseline the validating ones compare with.
func BenchmarkReplicate(b *testing.B) {
	for _, bc := range []struct {
		name string
		mods []func(*client.Options)
	}{
		{name: "no validation (baseline)", mods: []func(*client.Options){withoutRequestValidation}},
		{name: "request validation (default)"},
		{name: "request and response validation", mods: []func(*client.Options){withResponseValidation}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			srv := newServer(b, answerPage(b))
			c := newClient(b, srv.URL, bc.mods...)
			p := pageParam(b)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Replicate(ctx, p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
