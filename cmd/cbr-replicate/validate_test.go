package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/internal/limit"
)

// violationLine is one parsed text line: "pointer  rule  message".
type violationLine struct{ pointer, rule, message string }

// parseViolations splits the text output of a violation list.
func parseViolations(t *testing.T, out string) []violationLine {
	t.Helper()
	var vs []violationLine
	for _, l := range lines(out) {
		fields := strings.SplitN(l, "  ", 2)
		require.Len(t, fields, 2, "line %q is not 'pointer  rule  message'", l)
		rest := strings.TrimLeft(fields[1], " ")
		rm := strings.SplitN(rest, "  ", 2)
		require.Len(t, rm, 2, "line %q is not 'pointer  rule  message'", l)
		vs = append(vs, violationLine{pointer: fields[0], rule: rm[0], message: strings.TrimLeft(rm[1], " ")})
	}
	return vs
}

// hasViolation reports whether vs holds pointer and rule.
func hasViolation(vs []violationLine, pointer, rule string) bool {
	for _, v := range vs {
		if v.pointer == pointer && v.rule == rule {
			return true
		}
	}
	return false
}

// jsonResult is the --output json document of validate.
type jsonResult struct {
	Valid      bool `json:"valid"`
	Violations []struct {
		In      string `json:"in"`
		Pointer string `json:"pointer"`
		Rule    string `json:"rule"`
		Message string `json:"message"`
	} `json:"violations"`
}

// pageRequestWith returns the page's example request with the "replicate"
// object changed by edit.
func pageRequestWith(t *testing.T, edit func(m map[string]any)) string {
	t.Helper()
	var body map[string]any
	require.NoError(t, json.Unmarshal(readTestdata(t, "page-request.json"), &body))
	edit(body["replicate"].(map[string]any))
	b, err := json.Marshal(body)
	require.NoError(t, err)
	return string(b)
}

func TestValidateRequest(t *testing.T) {
	t.Parallel()
	type want struct{ pointer, rule string }
	tests := []struct {
		name string
		body string
		want []want // nil: valid
	}{
		{"page example request is valid", string(readTestdata(t, "page-request.json")), nil},
		{"only the four required fields is valid", `{"replicate":{"vault_id":"` + pageVaultID + `","destination_project_id":"p","destination_region":"r","destination_vault_id":"v"}}`, nil},
		{"vault_id missing", pageRequestWith(t, func(m map[string]any) { delete(m, "vault_id") }),
			[]want{{"/replicate/vault_id", "required"}}},
		{"destination_project_id missing", pageRequestWith(t, func(m map[string]any) { delete(m, "destination_project_id") }),
			[]want{{"/replicate/destination_project_id", "required"}}},
		{"destination_region missing", pageRequestWith(t, func(m map[string]any) { delete(m, "destination_region") }),
			[]want{{"/replicate/destination_region", "required"}}},
		{"destination_vault_id missing", pageRequestWith(t, func(m map[string]any) { delete(m, "destination_vault_id") }),
			[]want{{"/replicate/destination_vault_id", "required"}}},
		{"all four required fields missing, reported at once", `{"replicate":{}}`,
			[]want{{"/replicate/destination_project_id", "required"}, {"/replicate/destination_region", "required"}, {"/replicate/destination_vault_id", "required"}, {"/replicate/vault_id", "required"}}},
		{"destination_region of 255 characters is valid", pageRequestWith(t, func(m map[string]any) { m["destination_region"] = strings.Repeat("r", 255) }), nil},
		{"destination_region longer than 255 characters", pageRequestWith(t, func(m map[string]any) { m["destination_region"] = strings.Repeat("r", 256) }),
			[]want{{"/replicate/destination_region", "maxLength"}}},
		{"vault_id not a UUID", pageRequestWith(t, func(m map[string]any) { m["vault_id"] = "vault-1" }),
			[]want{{"/replicate/vault_id", "format"}}},
		{"auto_trigger a string instead of a boolean", pageRequestWith(t, func(m map[string]any) { m["auto_trigger"] = "yes" }),
			[]want{{"/replicate/auto_trigger", "type"}}},
		{"enable_acceleration a number instead of a boolean", pageRequestWith(t, func(m map[string]any) { m["enable_acceleration"] = 1 }),
			[]want{{"/replicate/enable_acceleration", "type"}}},
		{"destination_region a number instead of a string", pageRequestWith(t, func(m map[string]any) { m["destination_region"] = 2 }),
			[]want{{"/replicate/destination_region", "type"}}},
		{"misspelt key vault_idd", pageRequestWith(t, func(m map[string]any) { m["vault_idd"] = m["vault_id"]; delete(m, "vault_id") }),
			[]want{{"/replicate/vault_idd", "additionalProperties"}, {"/replicate/vault_id", "required"}}},
		{"wrong body shape checkpoint.replicate", `{"checkpoint":` + string(readTestdata(t, "page-request.json")) + `}`,
			[]want{{"/checkpoint", "additionalProperties"}, {"/replicate", "required"}}},
		{"several violations at once", `{"replicate":{"vault_id":"x","destination_region":` + `"` + strings.Repeat("r", 256) + `","destination_vault_id":"v","auto_trigger":"no"}}`,
			[]want{{"/replicate/vault_id", "format"}, {"/replicate/destination_region", "maxLength"}, {"/replicate/destination_project_id", "required"}, {"/replicate/auto_trigger", "type"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := execute(t, invocation{args: []string{"validate", "request"}, stdin: strings.NewReader(tt.body)})
			assert.Empty(t, res.stderr)
			if tt.want == nil {
				assert.Equal(t, exitOK, res.code)
				assert.Equal(t, "valid\n", res.stdout)
				return
			}
			assert.Equal(t, exitInvalid, res.code)
			got := parseViolations(t, res.stdout)
			for _, w := range tt.want {
				assert.True(t, hasViolation(got, w.pointer, w.rule), "want %s %s in:\n%s", w.pointer, w.rule, res.stdout)
			}
		})
	}
}

func TestValidateRequestNotJSON(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]string{
		"body not JSON":          `replicate: yes`,
		"empty body":             ``,
		"trailing data":          `{"replicate":{}} {}`,
		"body a JSON array":      `[]`,
		"truncated JSON":         `{"replicate":{"vault_id":`,
		"duplicate key vault_id": `{"replicate":{"vault_id":"` + pageVaultID + `","vault_id":"x","destination_project_id":"p","destination_region":"r","destination_vault_id":"v"}}`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			res := execute(t, invocation{args: []string{"validate", "request", "--output", "json"}, stdin: strings.NewReader(body)})
			assert.Equal(t, exitInvalid, res.code, "stdout: %s stderr: %s", res.stdout, res.stderr)
			var got jsonResult
			require.NoError(t, json.Unmarshal([]byte(res.stdout), &got), res.stdout)
			assert.False(t, got.Valid)
			assert.NotEmpty(t, got.Violations)
		})
	}
}

func TestValidateInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	valid := filepath.Join(dir, "valid.json")
	require.NoError(t, os.WriteFile(valid, readTestdata(t, "page-request.json"), 0o600))
	big := filepath.Join(dir, "big.json")
	require.NoError(t, os.WriteFile(big, bytes.Repeat([]byte(" "), int(limit.Input)+1), 0o600))

	t.Run("FILE argument", func(t *testing.T) {
		t.Parallel()
		res := runArgs(t, "validate", "request", valid)
		assert.Equal(t, exitOK, res.code, res.stderr)
		assert.Equal(t, "valid\n", res.stdout)
	})
	t.Run("flags after the FILE argument", func(t *testing.T) {
		t.Parallel()
		res := runArgs(t, "validate", "request", valid, "--output=json")
		assert.Equal(t, exitOK, res.code, res.stderr)
		assert.JSONEq(t, `{"valid":true,"violations":[]}`, res.stdout)
	})
	t.Run("dash reads standard input", func(t *testing.T) {
		t.Parallel()
		res := execute(t, invocation{args: []string{"validate", "request", "-"}, stdin: bytes.NewReader(readTestdata(t, "page-request.json"))})
		assert.Equal(t, exitOK, res.code, res.stderr)
	})
	t.Run("quiet prints nothing and keeps the exit code", func(t *testing.T) {
		t.Parallel()
		res := execute(t, invocation{args: []string{"validate", "request", "-q"}, stdin: strings.NewReader(`{}`)})
		assert.Equal(t, exitInvalid, res.code)
		assert.Empty(t, res.stdout)
		assert.Empty(t, res.stderr)
	})
	t.Run("missing file is an I/O error", func(t *testing.T) {
		t.Parallel()
		res := runArgs(t, "validate", "request", filepath.Join(dir, "nope.json"))
		assert.Equal(t, exitUsage, res.code)
		assert.Contains(t, res.stderr, "nope.json")
		assert.Empty(t, res.stdout)
	})
	t.Run("a directory's files are each checked, an unreadable one named", func(t *testing.T) {
		t.Parallel()
		res := runArgs(t, "validate", "request", dir)
		assert.Equal(t, exitUsage, res.code, "an I/O error wins over the valid file")
		assert.Equal(t, big+"  error  input "+big+" is larger than 10 MiB\n"+valid+"  valid\n", res.stdout)
		assert.Equal(t, "cbr-replicate validate: input "+big+" is larger than 10 MiB\n", res.stderr)
	})
	t.Run("input of exactly 10 MiB is read whole", func(t *testing.T) {
		t.Parallel()
		body, err := readNamed(bytes.NewReader(bytes.Repeat([]byte(" "), int(limit.Input))), "input", "-", limit.Input)
		require.NoError(t, err)
		assert.Len(t, body, int(limit.Input))
	})
	t.Run("input over 10 MiB is refused", func(t *testing.T) {
		t.Parallel()
		body := []byte(`{"replicate":{}}`)
		body = append(body, bytes.Repeat([]byte(" "), int(limit.Input)+1-len(body))...)
		res := execute(t, invocation{args: []string{"validate", "request"}, stdin: bytes.NewReader(body)})
		assert.Equal(t, exitUsage, res.code)
		assert.Contains(t, res.stderr, "larger than 10 MiB")
		assert.Empty(t, res.stdout)
	})
	t.Run("file over 10 MiB is refused", func(t *testing.T) {
		t.Parallel()
		res := runArgs(t, "validate", "request", big)
		assert.Equal(t, exitUsage, res.code)
		assert.Contains(t, res.stderr, "big.json is larger than 10 MiB")
	})
}

func TestValidateUsage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		args       []string
		wantStderr string
	}{
		{"no kind", []string{"validate"}, "request or response"},
		{"unknown kind", []string{"validate", "body"}, `not "body"`},
		{"--status with a request", []string{"validate", "request", "--status", "200"}, "--status applies to response"},
		{"--status not an HTTP status", []string{"validate", "response", "--status", "99"}, "not an HTTP status"},
		{"--status not a number", []string{"validate", "response", "--status", "ok"}, "--status"},
		{"an operation the spec lacks", []string{"validate", "request", "--operation", "Nope"}, `--operation "Nope" is not an operation of the spec: `},
		{"unknown --output", []string{"validate", "request", "--output", "yaml"}, "must be text or json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := runArgs(t, tt.args...)
			assert.Equal(t, exitUsage, res.code)
			assert.Contains(t, res.stderr, tt.wantStderr)
			assert.Empty(t, res.stdout)
		})
	}
}

func TestValidateResponse(t *testing.T) {
	t.Parallel()
	page := string(readTestdata(t, "page-response-200.json"))
	tests := []struct {
		name        string
		args        []string
		body        string
		wantCode    int
		wantPointer string
		wantRule    string
	}{
		{"page example response is valid for 200 (the default status)", nil, page, exitOK, "", ""},
		{"page example response is valid with --status 200", []string{"--status", "200"}, page, exitOK, "", ""},
		{"status 202 is not documented", []string{"--status", "202"}, page, exitInvalid, "", "status"},
		{"CBR error body is valid for 400", []string{"--status=400"}, `{"error_code":"BackupService.6120","error_msg":"Destination vault does not exist."}`, exitOK, "", ""},
		{"backups not an array", nil, `{"replication":{"backups":{}}}`, exitInvalid, "/replication/backups", "type"},
		{"backup_id not a string", nil, `{"replication":{"backups":[{"backup_id":7}]}}`, exitInvalid, "/replication/backups/0/backup_id", "type"},
		{"error_code not a string", []string{"--status", "404"}, `{"error_code":6105}`, exitInvalid, "/error_code", "type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			args := append([]string{"validate", "response", "--output", "json"}, tt.args...)
			res := execute(t, invocation{args: args, stdin: strings.NewReader(tt.body)})
			assert.Equal(t, tt.wantCode, res.code, "stdout: %s stderr: %s", res.stdout, res.stderr)
			assert.Empty(t, res.stderr)
			var got jsonResult
			require.NoError(t, json.Unmarshal([]byte(res.stdout), &got), res.stdout)
			require.NotNil(t, got.Violations, "violations is always an array")
			if tt.wantCode == exitOK {
				assert.True(t, got.Valid)
				assert.Empty(t, got.Violations)
				assert.Contains(t, res.stdout, `"violations": []`)
				return
			}
			assert.False(t, got.Valid)
			found := false
			for _, v := range got.Violations {
				assert.NotEmpty(t, v.In)
				assert.NotEmpty(t, v.Message)
				if v.Pointer == tt.wantPointer && v.Rule == tt.wantRule {
					found = true
				}
			}
			assert.True(t, found, "want %q %q in %s", tt.wantPointer, tt.wantRule, res.stdout)
		})
	}
}

func TestValidateTextAndJSONAgree(t *testing.T) {
	t.Parallel()
	body := `{"checkpoint":{"replicate":{}}}`
	text := execute(t, invocation{args: []string{"validate", "request"}, stdin: strings.NewReader(body)})
	js := execute(t, invocation{args: []string{"validate", "request", "-o", "json"}, stdin: strings.NewReader(body)})
	require.Equal(t, exitInvalid, text.code)
	require.Equal(t, exitInvalid, js.code)
	var got jsonResult
	require.NoError(t, json.Unmarshal([]byte(js.stdout), &got))
	textLines := parseViolations(t, text.stdout)
	require.Len(t, textLines, len(got.Violations))
	for i, v := range got.Violations {
		assert.Equal(t, "body", v.In)
		assert.Equal(t, v.Pointer, textLines[i].pointer)
		assert.Equal(t, v.Rule, textLines[i].rule)
		assert.Equal(t, v.Message, textLines[i].message)
	}
}

func TestValidateEscapesWhatTheInputHolds(t *testing.T) {
	t.Parallel()
	body := `{"replicate":{"vault_id":"` + pageVaultID + `","destination_project_id":"p","destination_region":"r",` +
		`"destination_vault_id":"v","x\u001b[2J":1,"y` + "\u009b" + `":"\u001b]0;t\u0007"}}`

	t.Run("text output escapes pointer and message", func(t *testing.T) {
		t.Parallel()
		res := execute(t, invocation{args: []string{"validate", "request"}, stdin: strings.NewReader(body)})
		assert.Equal(t, exitInvalid, res.code, res.stderr)
		assertNoRawControl(t, res.stdout)
		assert.Contains(t, res.stdout, `/replicate/x\x1b[2J`)
		assert.Contains(t, res.stdout, `/replicate/y\u009b`)
	})

	t.Run("json output stays JSON with the pointer intact", func(t *testing.T) {
		t.Parallel()
		res := execute(t, invocation{args: []string{"validate", "request", "-o", "json"}, stdin: strings.NewReader(body)})
		assert.Equal(t, exitInvalid, res.code, res.stderr)
		var got jsonResult
		require.NoError(t, json.Unmarshal([]byte(res.stdout), &got), res.stdout)
		var pointers []string
		for _, v := range got.Violations {
			pointers = append(pointers, v.Pointer)
		}
		assert.Contains(t, pointers, "/replicate/x\u001b[2J")
		assert.NotContains(t, res.stdout, "\u001b", "the encoder escapes ESC")
	})
}

func TestValidateManyFilesInOneProcess(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	bad := filepath.Join(dir, "bad.json")
	require.NoError(t, os.WriteFile(good, readTestdata(t, "page-request.json"), 0o600))
	require.NoError(t, os.WriteFile(bad, []byte(`{"replicate":{}}`), 0o600))

	res := runArgs(t, "validate", "request", good, bad)
	assert.Equal(t, exitInvalid, res.code, "one invalid body makes the run invalid")
	assert.Equal(t, good+"  valid\n"+bad+"  invalid  4 violations: /replicate/destination_project_id required property is required; "+
		"/replicate/destination_region required property is required; /replicate/destination_vault_id required property is required; "+
		"/replicate/vault_id required property is required\n", res.stdout)
	assert.Empty(t, res.stderr)

	res = runArgs(t, "validate", "request", "--output", "json", good, bad)
	var out struct {
		Valid bool `json:"valid"`
		Files []struct {
			File       string            `json:"file"`
			Valid      bool              `json:"valid"`
			Violations []json.RawMessage `json:"violations"`
		} `json:"files"`
	}
	require.NoError(t, json.Unmarshal([]byte(res.stdout), &out), res.stdout)
	assert.False(t, out.Valid)
	require.Len(t, out.Files, 2)
	assert.True(t, out.Files[0].Valid)
	assert.Empty(t, out.Files[0].Violations)
	assert.Len(t, out.Files[1].Violations, 4)
}

func TestValidateAnotherOperation(t *testing.T) {
	t.Parallel()
	res := execute(t, invocation{args: []string{"validate", "response", "--operation", "ShowReplicationCapabilities"},
		stdin: strings.NewReader(`{"regions":[{"name":"eu-de","replication_destinations":["eu-nl"]}]}`)})
	assert.Equal(t, exitOK, res.code, res.stderr)
	assert.Equal(t, "valid\n", res.stdout)
	res = execute(t, invocation{args: []string{"validate", "request", "--operation", "ShowReplicationCapabilities"}, stdin: strings.NewReader(`{}`)})
	assert.Equal(t, exitInvalid, res.code)
	assert.Contains(t, res.stdout, "ShowReplicationCapabilities takes no request body")
}

// readerFunc is an io.Reader of a function.
type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

func TestValidateWritesEachFilesResultBeforeReadingTheNext(t *testing.T) {
	// Holding every result until the end cost 5 GB (text) and 17 GB (json)
	// for 100,000 invalid files: one result is held at a time.
	t.Parallel()
	first := filepath.Join(t.TempDir(), "a.json")
	require.NoError(t, os.WriteFile(first, []byte(`{"replicate":{}}`), 0o600))
	for _, output := range []string{"text", "json"} {
		t.Run(output, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			read := false
			stdin := readerFunc(func([]byte) (int, error) {
				if !read {
					assert.Contains(t, out.String(), first, "the first file's result is written before the next file is read")
				}
				read = true
				return 0, io.EOF
			})
			code := run(context.Background(), []string{"validate", "request", "--output", output, first, "-"},
				streams{in: stdin, out: &out, errOut: io.Discard, getenv: getenv(nil)})
			assert.Equal(t, exitInvalid, code)
			assert.True(t, read)
			if output == "json" {
				var got struct {
					Valid *bool `json:"valid"`
					Files []struct {
						File string `json:"file"`
					} `json:"files"`
				}
				require.NoError(t, json.Unmarshal(out.Bytes(), &got), out.String())
				require.NotNil(t, got.Valid)
				assert.False(t, *got.Valid)
				require.Len(t, got.Files, 2)
				assert.Equal(t, "-", got.Files[1].File)
			}
		})
	}
}

func TestValidateNamesADirectoryItCannotReadAndChecksTheOtherFiles(t *testing.T) {
	// A path longer than the system's PATH_MAX cannot be opened, root or not.
	t.Parallel()
	dir := t.TempDir()
	root, err := os.OpenRoot(dir)
	require.NoError(t, err)
	defer root.Close()
	deep := strings.Repeat(strings.Repeat("d", 200)+"/", 25)
	require.NoError(t, root.MkdirAll(deep, 0o700))
	valid := filepath.Join(dir, "valid.json")
	require.NoError(t, os.WriteFile(valid, readTestdata(t, "page-request.json"), 0o600))

	res := runArgs(t, "validate", "request", dir)
	assert.Equal(t, exitUsage, res.code)
	assert.Contains(t, res.stdout, valid+"  valid\n", "the readable file is still checked")
	assert.Contains(t, res.stdout, "  error  ")
	assert.Contains(t, res.stderr, "file name too long")
}
