package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/cbr-replicate/cbr-replicate/validate"
)

// These tests call run in-process, for the helpers; the tests in the other
// files drive the built binary as a user would.

func TestRunInProcess(t *testing.T) {
	var stdout, stderr bytes.Buffer
	getenv := func(string) string { return "" }
	code := run([]string{"validate", "request"}, strings.NewReader(`{"replicate":{}}`), &stdout, &stderr, getenv)
	assert.Equal(t, exitInvalid, code)
	assert.Len(t, lines(stdout.String()), 4, stdout.String())
	assert.Empty(t, stderr.String())

	stdout.Reset()
	code = run([]string{"--version"}, nil, &stdout, &stderr, getenv)
	assert.Equal(t, exitOK, code)
	assert.Regexp(t, `^cbr-replicate \d+\.\d+\.\d+ \(go`, stdout.String())
}

func TestRedactingWriter(t *testing.T) {
	tests := []struct {
		name   string
		secret string
		in     string
		want   string
	}{
		{"token replaced wherever it appears", "s3cr3t-token", "a s3cr3t-token b s3cr3t-token", "a REDACTED b REDACTED"},
		{"text without the token passes unchanged", "s3cr3t-token", "nothing to hide", "nothing to hide"},
		{"token shorter than 8 characters is not redacted (it would mangle text)", "abc", "abc abc", "abc abc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			w := newRedactingWriter(&buf, tt.secret)
			n, err := w.Write([]byte(tt.in))
			require.NoError(t, err)
			assert.Equal(t, len(tt.in), n, "Write reports the bytes it was given")
			assert.Equal(t, tt.want, buf.String())
		})
	}
}

func TestBodySnippet(t *testing.T) {
	tests := []struct {
		name string
		body string
		want string
	}{
		{"empty body", "", "(empty)"},
		{"blank body", " \n\t", "(empty)"},
		{"HTML page on one line", "<html>\n<body>502</body>\r\n</html>", "<html> <body>502</body> </html>"},
		{"control characters become spaces", "a\x00b\x1bc", "a b c"},
		{"long body is cut at 200 bytes", strings.Repeat("x", 300), strings.Repeat("x", 200) + "..."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, bodySnippet([]byte(tt.body)))
		})
	}
}

func TestPrintViolations(t *testing.T) {
	var buf bytes.Buffer
	printViolations(&buf, []validate.Violation{
		{In: "body", Pointer: "/replicate/vault_id", Rule: "format", Message: "must be\na UUID"},
		{In: "body", Pointer: "", Rule: "json", Message: "malformed JSON"},
		{In: "header", Pointer: "/X-Auth-Token", Rule: "security", Message: "missing"},
		{In: "status", Rule: "status", Message: "status 202 is not documented"},
	})
	assert.Equal(t, ""+
		"/replicate/vault_id   format    must be a UUID\n"+
		"(body)                json      malformed JSON\n"+
		"header /X-Auth-Token  security  missing\n"+
		"(status)              status    status 202 is not documented\n", buf.String())
}

func TestJSONToYAML(t *testing.T) {
	in := `{"paths":{"/a":{"post":{"responses":{"200":{"description":"OK"}}}}},"openapi":"3.0.3","info":{"version":"2023-11-22","title":"t"},"x-flag":"true"}`
	out, err := jsonToYAML([]byte(in))
	require.NoError(t, err)
	assert.Equal(t, ""+
		"openapi: 3.0.3\n"+
		"info:\n"+
		"  version: \"2023-11-22\"\n"+
		"  title: t\n"+
		"paths:\n"+
		"  /a:\n"+
		"    post:\n"+
		"      responses:\n"+
		"        \"200\":\n"+
		"          description: OK\n"+
		"x-flag: \"true\"\n", string(out), "top-level keys in the usual order, others as given; strings stay strings")
	var back map[string]any
	require.NoError(t, yaml.Unmarshal(out, &back))
	assert.Equal(t, "true", back["x-flag"])
}
