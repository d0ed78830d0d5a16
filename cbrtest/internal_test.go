package cbrtest

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewServer_HardenedConfig(t *testing.T) {
	s, err := NewServer()
	require.NoError(t, err)
	defer s.Close()
	cfg := s.srv.Config
	assert.Equal(t, 10*time.Second, cfg.ReadHeaderTimeout)
	assert.Equal(t, 30*time.Second, cfg.ReadTimeout)
	assert.Equal(t, 30*time.Second, cfg.WriteTimeout)
	assert.Equal(t, idleTimeout, cfg.IdleTimeout)
	assert.Equal(t, 64<<10, cfg.MaxHeaderBytes)
	assert.Regexp(t, `^http://127\.0\.0\.1:\d+$`, s.URL, "loopback only")
	assert.Equal(t, 100, s.client.Transport.(*http.Transport).MaxIdleConnsPerHost)
}

func TestPreferReadsCodeAndExampleAsPrismDoes(t *testing.T) {
	tests := []struct {
		name, header string
		status       int
		example      string
		wantErr      string
	}{
		{name: "code alone", header: "code=404", status: 404},
		{name: "code and example, comma", header: "code=400, example=X", status: 400, example: "X"},
		{name: "code and example, semicolon", header: "code=400;example=X", status: 400, example: "X"},
		{name: "a quoted example", header: `example="X"`, example: "X"},
		{name: "names are case-insensitive", header: "Code=404", status: 404},
		{name: "other preferences are ignored", header: "handling=lenient; wait=5, respond-async", status: 0},
		{name: "the first code counts", header: "code=401,code=500", status: 401},
		{name: "an empty header", header: ""},
		{name: "a code that is not three digits", header: "code=4044", wantErr: "three-digit"},
		{name: "a negative code", header: "code=-40", wantErr: "outside 200-599"},
		{name: "a status without a body", header: "code=204", wantErr: "cannot carry a body"},
		{name: "an example without a name", header: "example=", wantErr: "needs a name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, example, err := preference(tt.header)
			if tt.wantErr != "" {
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.status, status)
			assert.Equal(t, tt.example, example)
		})
	}
}
