package contract

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSpecLoadsAndValidatesWithExamples(t *testing.T) {
	doc := loadSpec(t, specYAML(t))
	assert.Equal(t, "3.0.3", doc.OpenAPI)
}

func TestEmbeddedSpecEqualsSpecFile(t *testing.T) {
	file, err := json.Marshal(loadSpec(t, specYAML(t)))
	require.NoError(t, err)
	embedded, err := json.Marshal(embeddedSpec(t))
	require.NoError(t, err)

	assert.JSONEq(t, string(file), string(embedded),
		"gen/cbr embeds a stale spec: run `go generate ./...` from the repository root")
}

func TestSpecMatchesFacts(t *testing.T) {
	facts := readFacts(t)
	for name, doc := range specs(t) {
		t.Run(name, func(t *testing.T) {
			assert.Empty(t, mismatchStrings(CheckFacts(facts, doc)))
		})
	}
}

func TestSpecMatchesPage(t *testing.T) {
	page := readPage(t)
	t.Run("spec file", func(t *testing.T) {
		assert.Empty(t, mismatchStrings(CheckPage(page, loadSpec(t, specYAML(t)))))
	})
	t.Run("embedded spec", func(t *testing.T) {
		assert.Empty(t, mismatchStrings(CheckPage(page, embeddedSpec(t))))
	})
}

// TestCheckPageCatchesDrift edits the spec's text in one place and expects
// the checker to name the table and the row of the difference.
func TestCheckPageCatchesDrift(t *testing.T) {
	tests := []struct {
		name     string
		old, new string
		want     []string
	}{
		{
			name: "limit changed",
			old:  "maxLength: 255", new: "maxLength: 254",
			want: []string{"Table 4 CheckpointReplicateParam, row destination_region: maxLength: spec 254, page 255"},
		},
		{
			name: "limit dropped",
			old:  "          maxLength: 255\n", new: "",
			want: []string{"Table 4 CheckpointReplicateParam, row destination_region: maxLength: spec none, page 255"},
		},
		{
			name: "property of a row removed",
			old: `        provider_id:
          type: string
          description: >-
            Backup provider ID, which specifies whether the backup object is a
            server or disk
          x-go-type-skip-optional-pointer: true
`,
			new:  "",
			want: []string{"Table 6 CheckpointReplicateRespBody, row provider_id: property: spec none, page present"},
		},
		{
			name: "property that no row names added",
			old: `          description: Replication record ID
          x-go-type-skip-optional-pointer: true
`,
			new: `          description: Replication record ID
          x-go-type-skip-optional-pointer: true
        status:
          type: string
          description: Replication status
`,
			want: []string{"Table 7 CheckpointReplicateRespbackups, row status: property: spec present, page none"},
		},
		{
			name: "mandatory flag flipped",
			old:  "        - destination_vault_id\n        - vault_id\n", new: "        - destination_vault_id\n",
			want: []string{"Table 4 CheckpointReplicateParam, row vault_id: mandatory: spec No, page Yes"},
		},
		{
			name: "optional property made mandatory",
			old:  "      required:\n        - destination_project_id\n", new: "      required:\n        - auto_trigger\n        - destination_project_id\n",
			want: []string{"Table 4 CheckpointReplicateParam, row auto_trigger: mandatory: spec Yes, page No"},
		},
		{
			name: "type changed",
			old:  "        enable_acceleration:\n          type: boolean\n", new: "        enable_acceleration:\n          type: string\n",
			want: []string{"Table 4 CheckpointReplicateParam, row enable_acceleration: type: spec String, page Boolean"},
		},
		{
			name: "description changed",
			old:  "description: Replication record ID", new: "description: Record ID",
			want: []string{`Table 7 CheckpointReplicateRespbackups, row replication_record_id: description: spec "Record ID", page "Replication record ID"`},
		},
		{
			name: "description of a referenced schema changed",
			old:  "description: Parameters in the request body of performing a replication", new: "description: Replication parameters",
			want: []string{`Table 3 Request body parameters, row replicate: description: spec "Replication parameters", page "Parameters in the request body of performing a replication"`},
		},
		{
			name: "path parameter made optional",
			old:  "          in: path\n          required: true\n", new: "          in: path\n          required: false\n",
			want: []string{"Table 1 Path Parameters, row project_id: mandatory: spec No, page Yes"},
		},
		{
			name: "header of the token scheme renamed",
			old:  "      name: X-Auth-Token\n", new: "      name: X-Token\n",
			want: []string{
				"Table 2 Request header parameters, row X-Auth-Token: parameter: spec none, page header",
				"Table 2 Request header parameters, row XAuthToken: security scheme: spec present, page none",
			},
		},
		{
			name: "query parameter that no row names added",
			old:  "          schema:\n            type: string\n      requestBody:", new: "          schema:\n            type: string\n        - name: dry_run\n          in: query\n          schema:\n            type: boolean\n      requestBody:",
			want: []string{"query parameters (no table), row dry_run: parameter: spec query, page none"},
		},
		{
			name: "token made optional",
			old:  "      security:\n        - XAuthToken: []\n", new: "      security:\n        - XAuthToken: []\n        - {}\n",
			want: []string{"Table 2 Request header parameters, row X-Auth-Token: mandatory: spec No, page Yes"},
		},
		{
			name: "success status the page does not list",
			old:  "        \"400\":\n", new: "        \"201\":\n          description: Created\n        \"400\":\n",
			want: []string{"Status Codes table, row 201: response: spec present, page none"},
		},
		{
			name: "array items no longer the table's schema",
			old:  "          items:\n            $ref: \"#/components/schemas/CheckpointReplicateRespbackups\"\n", new: "          items:\n            type: string\n",
			want: []string{
				"Table 6 CheckpointReplicateRespBody, row backups: type: spec Array of strings, page Array of CheckpointReplicateRespbackups objects",
				"Table 7 CheckpointReplicateRespbackups: schema CheckpointReplicateRespbackups in the response body: spec none, page present",
			},
		},
		{
			name: "response body inline instead of the table's schema",
			old: `              schema:
                $ref: "#/components/schemas/CheckpointReplicateResp"
`,
			new: `              schema:
                type: object
                properties:
                  replication:
                    $ref: "#/components/schemas/CheckpointReplicateRespBody"
`,
			want: []string{
				"response 200 application/json: inline object schema: spec present, page none",
				"Table 5 Response body parameters: schema CheckpointReplicateResp in the response body: spec none, page present",
			},
		},
		{
			name: "status description changed",
			old:  "        \"200\":\n          description: OK\n", new: "        \"200\":\n          description: Accepted\n",
			want: []string{`Status Codes table, row 200: description: spec "Accepted", page "OK"`},
		},
		{
			name: "summary differs from the page title",
			old:  "      summary: Replicating a Restore Point\n", new: "      summary: Replicate\n",
			want: []string{`operation: summary (page title): spec "Replicate", page "Replicating a Restore Point"`},
		},
		{
			name: "path differs from the URI section",
			old:  "  /v3/{project_id}/checkpoints/replicate:", new: "  /v3/{project_id}/checkpoints/copy:",
			want: []string{
				"operation: URI: spec POST /v3/{project_id}/checkpoints/copy, page none",
				"operation: URI: spec none, page POST /v3/{project_id}/checkpoints/replicate",
			},
		},
		{
			name: "format uuid dropped from a (UUID) row",
			old:  "          format: uuid\n", new: "",
			want: []string{"Table 4 CheckpointReplicateParam, row vault_id: format: spec none, page uuid"},
		},
		{
			name: "format uuid on a row whose description does not end with (UUID)",
			old:  "          description: ID of the vault in the replication destination region\n        enable_acceleration:",
			new:  "          format: uuid\n          description: ID of the vault in the replication destination region\n        enable_acceleration:",
			want: []string{"Table 4 CheckpointReplicateParam, row destination_vault_id: format: spec uuid, page none"},
		},
		{
			name: "default the description states dropped",
			old:  "          default: false\n", new: "",
			want: []string{"Table 4 CheckpointReplicateParam, row auto_trigger: default: spec none, page false"},
		},
		{
			name: "default the description states changed",
			old:  "          default: false\n", new: "          default: true\n",
			want: []string{"Table 4 CheckpointReplicateParam, row auto_trigger: default: spec true, page false"},
		},
		{
			name: "default on a row whose description states none",
			old:  "        enable_acceleration:\n          type: boolean\n", new: "        enable_acceleration:\n          type: boolean\n          default: true\n",
			want: []string{"Table 4 CheckpointReplicateParam, row enable_acceleration: default: spec true, page none"},
		},
		{
			name: "request schema opened",
			old:  "      # The table lists every field: an unknown key is an error, not ignored.\n      additionalProperties: false\n", new: "",
			want: []string{"Table 3 Request body parameters: additionalProperties: spec none, page false (a request table lists every field)"},
		},
		{
			name: "error body closed",
			old:  "          description: Error message.\n          x-go-type-skip-optional-pointer: true\n",
			new:  "          description: Error message.\n          x-go-type-skip-optional-pointer: true\n      additionalProperties: false\n",
			want: []string{"schema CBRError: additionalProperties: spec false, page none or true (a response stays open)"},
		},
		{
			name: "error body requires error_code",
			old:  "      description: Error body of the CBR API.\n", new: "      description: Error body of the CBR API.\n      required:\n        - error_code\n",
			want: []string{"schema CBRError: required: spec error_code, page none (no response field is mandatory)"},
		},
		{
			name: "response schema of a table closed",
			old:  "          description: Replication record ID\n          x-go-type-skip-optional-pointer: true\n",
			new:  "          description: Replication record ID\n          x-go-type-skip-optional-pointer: true\n      additionalProperties: false\n",
			want: []string{"Table 7 CheckpointReplicateRespbackups: additionalProperties: spec false, page none or true (a response stays open)"},
		},
		{
			name: "quoted error message changed",
			old:  "error_msg: Destination vault does not exist.", new: "error_msg: The destination vault does not exist.",
			want: []string{`cbr-facts.md Error responses, row Example: example under response 400: spec {"error_code":"BackupService.6120","error_msg":"The destination vault does not exist."}, facts {"error_code": "BackupService.6120", "error_msg": "Destination vault does not exist."}`},
		},
		{
			name: "code of a status replaced by one the facts do not list",
			old:  "error_code: BackupService.6105", new: "error_code: BackupService.6106",
			want: []string{
				"cbr-facts.md Error codes, row BackupService.6106: example under response 404: spec present, facts none",
				"cbr-facts.md Error codes, row BackupService.6105: example under response 404: spec none, facts present",
			},
		},
		{
			name: "400 code listed under 500",
			old:  "            UnknownError:\n              summary: unknown error on the service side\n              value:\n                error_code: BackupService.9910\n                error_msg: Unknown error.\n            DestinationRegionNotSupported:",
			new:  "            UnknownError:\n              summary: unknown error on the service side\n              value:\n                error_code: BackupService.9910\n                error_msg: Unknown error.\n            AlreadyReplicating:\n              summary: the vault is already being replicated\n              value:\n                error_code: BackupService.6130\n                error_msg: The vault is already being replicated.\n            DestinationRegionNotSupported:",
			want: []string{"cbr-facts.md Error codes, row BackupService.6130: example under response 500: spec present, facts none (listed under 400)"},
		},
		{
			name: "error code whose summary is not the facts' meaning",
			old:  "summary: the destination vault has reached its maximum capacity\n",
			new:  "summary: the destination vault is full\n",
			want: []string{"cbr-facts.md Error codes, row BackupService.6129: summary of example DestinationVaultFull under response 400: spec the destination vault is full, facts the destination vault has reached its maximum capacity ..."},
		},
		{
			name: "error code with two different summaries",
			old:  "              summary: unknown error on the service side\n              value:\n                error_code: BackupService.9910\n                error_msg: Unknown error.\n  examples:",
			new:  "              summary: unknown error on the service side, again\n              value:\n                error_code: BackupService.9910\n                error_msg: Unknown error.\n  examples:",
			want: []string{"cbr-facts.md Error codes, row BackupService.9910: summary of example UnknownError under response 5XX: spec unknown error on the service side, again, facts unknown error on the service side"},
		},
		{
			name: "400 code moved to 500",
			old:  "              summary: the destination project does not support replication\n              value:\n                error_code: BackupService.1011\n",
			new:  "              summary: the destination region does not support replication\n              value:\n                error_code: BackupService.1005\n",
			want: []string{
				"cbr-facts.md Error codes, row BackupService.1005: example under response 400: spec present, facts none (listed under 500)",
				"cbr-facts.md Error codes, row BackupService.1011: example under response 400: spec none, facts present",
			},
		},
		{
			name: "5XX example with a code the facts do not list",
			old:  "503 and 504 of the\n        reference's status-code appendix.\n      content:\n        application/json:\n          schema:\n            $ref: \"#/components/schemas/CBRError\"\n          examples:\n            UnknownError:\n              summary: unknown error on the service side\n              value:\n                error_code: BackupService.9910",
			new:  "503 and 504 of the\n        reference's status-code appendix.\n      content:\n        application/json:\n          schema:\n            $ref: \"#/components/schemas/CBRError\"\n          examples:\n            UnknownError:\n              summary: unknown error on the service side\n              value:\n                error_code: BackupService.9911",
			want: []string{"cbr-facts.md Error codes, row BackupService.9911: example under response 5XX: spec present, facts none"},
		},
		{
			name: "response of a status the facts list codes for removed",
			old:  "        \"404\":\n          $ref: \"#/components/responses/NotFound\"\n", new: "",
			want: []string{"cbr-facts.md Error codes: response 404: spec none, facts present"},
		},
		{
			name: "region of an endpoint dropped from the enum",
			old:  "          - eu-nl\n", new: "",
			want: []string{"cbr-facts.md Endpoints, row https://cbr.eu-nl.otc.t-systems.com: servers[0] URL: spec none, facts present"},
		},
		{
			name: "region without an endpoint added to the enum",
			old:  "          - eu-nl\n", new: "          - eu-nl\n          - eu-ch2\n",
			want: []string{"cbr-facts.md Endpoints, row https://cbr.eu-ch2.otc.t-systems.com: servers[0] URL: spec present, facts none"},
		},
		{
			name: "servers dropped",
			old:  "servers:\n  - url: https://cbr.{region}.otc.t-systems.com\n    description: Open Telekom Cloud CBR endpoint of a region.\n    variables:\n      region:\n        description: Region ID.\n        default: eu-de\n        enum:\n          - eu-de\n          - eu-nl\n",
			new:  "",
			want: []string{"cbr-facts.md Endpoints: servers[0]: spec none, facts https://cbr.eu-de.otc.t-systems.com https://cbr.eu-nl.otc.t-systems.com"},
		},
		{
			name: "default region is not the first endpoint",
			old:  "        default: eu-de\n", new: "        default: eu-nl\n",
			want: []string{"cbr-facts.md Endpoints: servers[0] URL by default: spec https://cbr.eu-nl.otc.t-systems.com, facts https://cbr.eu-de.otc.t-systems.com"},
		},
	}
	page, facts := readPage(t), readFacts(t)
	check := func(t *testing.T, text string) []string {
		t.Helper()
		// Loaded, not validated: a drifted spec may be invalid OpenAPI too.
		doc, err := openapi3.NewLoader().LoadFromData([]byte(text))
		require.NoError(t, err)
		return mismatchStrings(append(CheckPage(page, doc), CheckFacts(facts, doc)...))
	}
	spec := specYAML(t)
	// What the spec as it is already gets wrong is TestSpecMatchesPage's and
	// TestSpecMatchesFacts's to report: each case here expects only what its
	// own edit adds, so one real drift reads as one failure, not one per case.
	before := check(t, spec)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, 1, strings.Count(spec, tt.old), "the edit must hit the spec exactly once")

			assert.Equal(t, tt.want, added(before, check(t, strings.Replace(spec, tt.old, tt.new, 1))))
		})
	}
}

// added returns the mismatches of after that before does not have, counting
// repeats.
func added[M comparable](before, after []M) []M {
	left := map[M]int{}
	for _, m := range before {
		left[m]++
	}
	var out []M
	for _, m := range after {
		if left[m] > 0 {
			left[m]--
			continue
		}
		out = append(out, m)
	}
	return out
}

func TestCheckPageReportsAllMismatchesAtOnce(t *testing.T) {
	page := readPage(t)
	spec := specYAML(t)
	before := CheckPage(page, loadSpec(t, spec))
	for _, edit := range [][2]string{
		{"maxLength: 255", "maxLength: 254"},
		{"description: Replication record ID", "description: Record ID"},
		{"        - destination_vault_id\n        - vault_id\n", "        - destination_vault_id\n"},
	} {
		require.Equal(t, 1, strings.Count(spec, edit[0]))
		spec = strings.Replace(spec, edit[0], edit[1], 1)
	}

	got := added(before, CheckPage(page, loadSpec(t, spec)))

	require.Len(t, got, 3, mismatchStrings(got))
	assert.Equal(t, Mismatch{Table: "Table 4 CheckpointReplicateParam", Row: "destination_region", Field: "maxLength", Spec: "254", Page: "255"}, got[0])
	assert.Equal(t, "vault_id", got[1].Row)
	assert.Equal(t, "Table 7 CheckpointReplicateRespbackups", got[2].Table)
}

// TestCheckPageWithPageDrift edits the parsed page in one place and expects
// only what that edit adds to whatever the spec as it is gets wrong.
func TestCheckPageWithPageDrift(t *testing.T) {
	doc := loadSpec(t, specYAML(t))
	before := CheckPage(readPage(t), doc)
	check := func(page *Page) []string { return mismatchStrings(added(before, CheckPage(page, doc))) }
	t.Run("row of a schema without a table in the spec", func(t *testing.T) {
		page := readPage(t)
		for i, tb := range page.Tables {
			if tb.Number == 7 {
				page.Tables[i].ID = "CopyCheckpoint__response_CheckpointReplicateBackup"
			}
		}
		assert.Equal(t, []string{
			"Table 7 CheckpointReplicateRespbackups: schema: spec none, page CheckpointReplicateBackup",
			"Table 6 CheckpointReplicateRespBody property backups: schema CheckpointReplicateRespbackups: spec present, page none",
			"Table 7 CheckpointReplicateRespbackups: schema CheckpointReplicateBackup in the response body: spec none, page present",
		}, check(page))
	})
	t.Run("mandatory cell that is neither Yes nor No", func(t *testing.T) {
		page := readPage(t)
		for _, tb := range page.Tables {
			if tb.Number == 1 {
				tb.Rows[0].Cells[tb.Column("Mandatory")] = Cell{Lines: []string{"Maybe"}}
			}
		}
		assert.Equal(t, []string{`Table 1 Path Parameters, row project_id: mandatory: spec none, page "Maybe" (neither Yes nor No)`},
			check(page))
	})
	t.Run("default written in bold as Markdown does", func(t *testing.T) {
		page := readPage(t)
		for _, tb := range page.Tables {
			if tb.Number == 4 {
				desc := tb.Column("Description")
				tb.Rows[0].Cells[desc] = Cell{Lines: []string{"Whether to automatically trigger replication this time. The default value is **false**."}}
			}
		}
		assert.Equal(t, []string{`Table 4 CheckpointReplicateParam, row auto_trigger: description: spec "Whether to automatically trigger replication this time. The default value is false, indicating the replication needs to be manually triggered.", page "Whether to automatically trigger replication this time. The default value is **false**."`},
			check(page), "the default is still false: only the description differs")
	})
	t.Run("description that loses its default sentence", func(t *testing.T) {
		page := readPage(t)
		for _, tb := range page.Tables {
			if tb.Number == 4 {
				tb.Rows[0].Cells[tb.Column("Description")] = Cell{Lines: []string{"Whether to automatically trigger replication this time."}}
			}
		}
		got := check(page)
		require.Len(t, got, 2, got)
		assert.Equal(t, "Table 4 CheckpointReplicateParam, row auto_trigger: default: spec false, page none", got[0])
	})
	t.Run("page without a URI section", func(t *testing.T) {
		page := readPage(t)
		delete(page.Sections, "URI")
		assert.Equal(t, []string{"operation: URI: spec none, page none"}, check(page))
	})
}

func mismatchStrings(ms []Mismatch) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.String())
	}
	return out
}
