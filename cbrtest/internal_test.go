package cbrtest

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewServer_HardenedConfig(t *testing.T) {
	s, err := NewServer()
	require.NoError(t, err)
	defer s.Close()
	cfg := s.srv.Config
	assert.Equal(t, readHeaderTimeout, cfg.ReadHeaderTimeout)
	assert.Equal(t, readTimeout, cfg.ReadTimeout)
	assert.Equal(t, writeTimeout, cfg.WriteTimeout)
	assert.Equal(t, idleTimeout, cfg.IdleTimeout)
	assert.Equal(t, maxHeaderBytes, cfg.MaxHeaderBytes)
	assert.Regexp(t, `^http://127\.0\.0\.1:\d+$`, s.URL, "loopback only")
	assert.Equal(t, 100, s.transport.MaxIdleConnsPerHost)
}

func TestExamples_EveryDocumentedStatusHasOne(t *testing.T) {
	ex, err := specExamples()
	require.NoError(t, err)
	for _, status := range []int{200, 400, 401, 403, 404, 500} {
		assert.True(t, ex.documented(status), "status %d", status)
		body, err := ex.lookup(status, "")
		require.NoError(t, err, "status %d", status)
		assert.NotEmpty(t, body)
	}
}

func TestExamples_StatusDocumentedByItsRangeUsesTheRangesExample(t *testing.T) {
	ex, err := specExamples()
	require.NoError(t, err)
	tests := []struct {
		status int
		want   string
	}{
		{http.StatusMethodNotAllowed, `{"error_code":"BackupService.9900","error_msg":"Parameter verification failed."}`},
		{http.StatusBadGateway, `{"error_code":"BackupService.9910","error_msg":"Unknown error."}`},
	}
	for _, tt := range tests {
		assert.True(t, ex.documented(tt.status), "status %d", tt.status)
		body, err := ex.lookup(tt.status, "")
		require.NoError(t, err)
		assert.JSONEq(t, tt.want, string(body))
	}
}

func TestExamples_UndocumentedStatusIsAnError(t *testing.T) {
	ex, err := specExamples()
	require.NoError(t, err)
	for _, status := range []int{http.StatusCreated, http.StatusAccepted, http.StatusFound} {
		assert.False(t, ex.documented(status), "status %d", status)
		_, err := ex.lookup(status, "")
		assert.ErrorContains(t, err, "is not documented by the spec; documented: 200, 400, 401, 403, 404, 4XX, 500, 5XX")
	}
}

func TestParsePrefer(t *testing.T) {
	tests := []struct {
		name    string
		fields  []string
		want    preference
		wantErr string
	}{
		{name: "code alone", fields: []string{"code=404"}, want: preference{status: 404}},
		{name: "code and example, comma", fields: []string{"code=400, example=X"}, want: preference{status: 400, example: "X"}},
		{name: "code and example, semicolon", fields: []string{"code=400;example=X"}, want: preference{status: 400, example: "X"}},
		{name: "quoted example with escapes", fields: []string{`example="a\"b, c"`}, want: preference{example: `a"b, c`}},
		{name: "unknown preference with parameters", fields: []string{"handling=lenient; x=1, wait=5"}, want: preference{}},
		{name: "first occurrence wins across fields", fields: []string{"code=401", "code=500"}, want: preference{status: 401}},
		{name: "empty header field", fields: []string{""}, want: preference{}},
		{name: "tab as whitespace", fields: []string{"code\t=\t404"}, want: preference{status: 404}},
		{name: "control character in quoted value", fields: []string{"example=\"a\x01\""}, wantErr: "control character"},
		{name: "non-token character", fields: []string{"code=4@4"}, wantErr: "unexpected \"@\""},
		{name: "non-ASCII name", fields: []string{"cödé=404"}, wantErr: `unexpected "\xc3" at offset 1`},
		{name: "separator where a name is expected", fields: []string{"=404"}, wantErr: "a preference name is expected"},
		{name: "backslash at the end of a quoted value", fields: []string{`example="a\`}, wantErr: "unterminated"},
		{name: "negative code", fields: []string{"code=-40"}, wantErr: "three-digit"},
		{name: "signed code", fields: []string{"code=+40"}, wantErr: "three-digit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parsePrefer(tt.fields)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}
