package contract

import (
	"encoding/json"
	"slices"
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
			got := mismatchStrings(CheckFacts(facts, doc))
			assert.Empty(t, got, "one mismatch a line:\n%s", strings.Join(got, "\n"))
		})
	}
}

func TestSpecMatchesPages(t *testing.T) {
	pages := readPages(t)
	for name, doc := range specs(t) {
		t.Run(name, func(t *testing.T) {
			got := mismatchStrings(CheckPages(pages, doc))
			assert.Empty(t, got, "one mismatch a line:\n%s", strings.Join(got, "\n"))
		})
	}
}

// TestCheckPageCatchesDrift edits the spec's text in one place and expects
// the checker to name the table and the row of the difference.
func TestCheckPageCatchesDrift(t *testing.T) {
	tests := []struct {
		name     string
		old, new string
		want     []string
	}{
		// CopyCheckpoint: both of its pages see every edit of a row they share.
		{
			name: "limit changed",
			old:  "          maxLength: 255\n          description: ID of the replication destination region", new: "          maxLength: 254\n          description: ID of the replication destination region",
			want: []string{
				"CopyCheckpoint.html: Table 4 CheckpointReplicateParam, row destination_region: maxLength: spec 254, page 255",
				"replicating_a_restore_point.rst: Table 4 CheckpointReplicateParam, row destination_region: maxLength: spec 254, page 255",
			},
		},
		{
			name: "limit dropped",
			old:  "          maxLength: 255\n          description: ID of the replication destination region", new: "          description: ID of the replication destination region",
			want: []string{
				"CopyCheckpoint.html: Table 4 CheckpointReplicateParam, row destination_region: maxLength: spec none, page 255",
				"replicating_a_restore_point.rst: Table 4 CheckpointReplicateParam, row destination_region: maxLength: spec none, page 255",
			},
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
			new: "",
			want: []string{
				"CopyCheckpoint.html: Table 6 CheckpointReplicateRespBody, row provider_id: property: spec none, page present",
				"replicating_a_restore_point.rst: Table 6 CheckpointReplicateRespBody, row provider_id: property: spec none, page present",
			},
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
			want: []string{
				"CopyCheckpoint.html: Table 7 CheckpointReplicateRespbackups, row status: property: spec present, page none",
				"replicating_a_restore_point.rst: Table 7 CheckpointReplicateRespbackups, row status: property: spec present, page none",
			},
		},
		{
			name: "mandatory flag flipped",
			old:  "        - destination_vault_id\n        - vault_id\n", new: "        - destination_vault_id\n",
			want: []string{
				"CopyCheckpoint.html: Table 4 CheckpointReplicateParam, row vault_id: mandatory: spec No, page Yes",
				"replicating_a_restore_point.rst: Table 4 CheckpointReplicateParam, row vault_id: mandatory: spec No, page Yes",
			},
		},
		{
			name: "optional property made mandatory",
			old:  "      required:\n        - destination_project_id\n", new: "      required:\n        - auto_trigger\n        - destination_project_id\n",
			want: []string{
				"CopyCheckpoint.html: Table 4 CheckpointReplicateParam, row auto_trigger: mandatory: spec Yes, page No",
				"replicating_a_restore_point.rst: Table 4 CheckpointReplicateParam, row auto_trigger: mandatory: spec Yes, page No",
			},
		},
		{
			name: "type of a row only the old page lists changed",
			old:  "        enable_acceleration:\n          type: boolean\n", new: "        enable_acceleration:\n          type: string\n",
			want: []string{
				"CopyCheckpoint.html: Table 4 CheckpointReplicateParam, row enable_acceleration: type: spec String, page Boolean",
			},
		},
		{
			name: "description changed",
			old:  "description: Replication record ID", new: "description: Record ID",
			want: []string{
				"CopyCheckpoint.html: Table 7 CheckpointReplicateRespbackups, row replication_record_id: description: spec \"Record ID\", page \"Replication record ID\"",
				"replicating_a_restore_point.rst: Table 7 CheckpointReplicateRespbackups, row replication_record_id: description: spec \"Record ID\", page \"Replication record ID\"",
			},
		},
		{
			name: "description of a referenced schema changed",
			old:  "description: Parameters in the request body of performing a replication", new: "description: Replication parameters",
			want: []string{
				"CopyCheckpoint.html: Table 3 Request body parameters, row replicate: description: spec \"Replication parameters\", page \"Parameters in the request body of performing a replication\"",
				"replicating_a_restore_point.rst: Table 3 Request body parameters, row replicate: description: spec \"Replication parameters\", page \"Parameters in the request body of performing a replication\"",
			},
		},
		{
			name: "path parameter every page shares made optional",
			old:  "      in: path\n      required: true\n", new: "      in: path\n      required: false\n",
			want: []string{
				"CopyCheckpoint.html: Table 1 Path Parameters, row project_id: mandatory: spec No, page Yes",
				"replicating_a_restore_point.rst: Table 1 Path Parameters, row project_id: mandatory: spec No, page Yes",
				"querying_the_replication_capability.rst: Table 1 Path Parameters, row project_id: mandatory: spec No, page Yes",
				"querying_a_specified_vault.rst: Table 1 Path Parameters, row project_id: mandatory: spec No, page Yes",
				"querying_all_backups.rst: Table 1 Path Parameters, row project_id: mandatory: spec No, page Yes",
			},
		},
		{
			name: "header of the token scheme renamed",
			old:  "      name: X-Auth-Token\n", new: "      name: X-Token\n",
			want: []string{
				"CopyCheckpoint.html: Table 2 Request header parameters, row X-Auth-Token: parameter: spec none, page header",
				"CopyCheckpoint.html: Table 2 Request header parameters, row XAuthToken: security scheme: spec present, page none",
				"replicating_a_restore_point.rst: Table 2 Request header parameters, row X-Auth-Token: parameter: spec none, page header",
				"replicating_a_restore_point.rst: Table 2 Request header parameters, row XAuthToken: security scheme: spec present, page none",
				"querying_the_replication_capability.rst: Table 2 Request header parameters, row X-Auth-Token: parameter: spec none, page header",
				"querying_the_replication_capability.rst: Table 2 Request header parameters, row XAuthToken: security scheme: spec present, page none",
				"querying_a_specified_vault.rst: Table 2 Request header parameters, row X-Auth-Token: parameter: spec none, page header",
				"querying_a_specified_vault.rst: Table 2 Request header parameters, row XAuthToken: security scheme: spec present, page none",
				"querying_all_backups.rst: Table 3 Request header parameters, row X-Auth-Token: parameter: spec none, page header",
				"querying_all_backups.rst: Table 3 Request header parameters, row XAuthToken: security scheme: spec present, page none",
			},
		},
		{
			name: "query parameter that no row names added",
			old:  "        - $ref: \"#/components/parameters/ProjectId\"\n      requestBody:", new: "        - $ref: \"#/components/parameters/ProjectId\"\n        - name: dry_run\n          in: query\n          schema:\n            type: boolean\n      requestBody:",
			want: []string{
				"CopyCheckpoint.html: query parameters (no table), row dry_run: parameter: spec query, page none",
				"replicating_a_restore_point.rst: query parameters (no table), row dry_run: parameter: spec query, page none",
			},
		},
		{
			name: "token made optional",
			old:  "      security:\n        - XAuthToken: []\n      parameters:\n        - $ref: \"#/components/parameters/ProjectId\"\n      requestBody:", new: "      security:\n        - XAuthToken: []\n        - {}\n      parameters:\n        - $ref: \"#/components/parameters/ProjectId\"\n      requestBody:",
			want: []string{
				"CopyCheckpoint.html: Table 2 Request header parameters, row X-Auth-Token: mandatory: spec No, page Yes",
				"replicating_a_restore_point.rst: Table 2 Request header parameters, row X-Auth-Token: mandatory: spec No, page Yes",
			},
		},
		{
			name: "success status the page does not list",
			old:  "        # Error responses: the page says only", new: "        \"201\":\n          description: Created\n        # Error responses: the page says only",
			want: []string{
				"CopyCheckpoint.html: Status Codes table, row 201: response: spec present, page none",
				"replicating_a_restore_point.rst: Status Codes table, row 201: response: spec present, page none",
			},
		},
		{
			name: "array items no longer the table's schema",
			old:  "          items:\n            $ref: \"#/components/schemas/CheckpointReplicateRespbackups\"\n", new: "          items:\n            type: string\n",
			want: []string{
				"CopyCheckpoint.html: Table 6 CheckpointReplicateRespBody, row backups: type: spec Array of strings, page Array of CheckpointReplicateRespbackups objects",
				"replicating_a_restore_point.rst: Table 6 CheckpointReplicateRespBody, row backups: type: spec Array of strings, page Array of CheckpointReplicateRespbackups objects",
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
				"CopyCheckpoint.html: Table 5 Response body parameters: schema: spec none, page CheckpointReplicateResp",
			},
		},
		{
			name: "status description changed",
			old:  "          description: OK\n          content:\n            application/json:\n              schema:\n                $ref: \"#/components/schemas/CheckpointReplicateResp\"", new: "          description: Accepted\n          content:\n            application/json:\n              schema:\n                $ref: \"#/components/schemas/CheckpointReplicateResp\"",
			want: []string{
				"CopyCheckpoint.html: Status Codes table, row 200: description: spec \"Accepted\", page \"OK\"",
				"replicating_a_restore_point.rst: Status Codes table, row 200: description: spec \"Accepted\", page \"OK\"",
			},
		},
		{
			name: "summary differs from the page title",
			old:  "      summary: Replicating a Restore Point\n", new: "      summary: Replicate\n",
			want: []string{
				"CopyCheckpoint.html: operation: summary (page title): spec \"Replicate\", page \"Replicating a Restore Point\"",
				"replicating_a_restore_point.rst: operation: summary (page title): spec \"Replicate\", page \"Replicating a Restore Point\"",
			},
		},
		{
			name: "path differs from the URI section",
			old:  "  /v3/{project_id}/checkpoints/replicate:", new: "  /v3/{project_id}/checkpoints/copy:",
			want: []string{
				"CopyCheckpoint.html: operation: URI: spec none, page POST /v3/{project_id}/checkpoints/replicate",
				"replicating_a_restore_point.rst: operation: URI: spec none, page POST /v3/{project_id}/checkpoints/replicate",
				"spec: operation CopyCheckpoint: page: spec POST /v3/{project_id}/checkpoints/copy, page none (not in Sources)",
			},
		},
		{
			name: "format uuid dropped from a (UUID) row",
			old:  "          format: uuid\n", new: "",
			want: []string{
				"CopyCheckpoint.html: Table 4 CheckpointReplicateParam, row vault_id: format: spec none, page uuid",
				"replicating_a_restore_point.rst: Table 4 CheckpointReplicateParam, row vault_id: format: spec none, page uuid",
			},
		},
		{
			name: "format uuid on a row whose description does not end with (UUID)",
			old:  "          description: ID of the vault in the replication destination region\n        # On CopyCheckpoint.html",
			new:  "          format: uuid\n          description: ID of the vault in the replication destination region\n        # On CopyCheckpoint.html",
			want: []string{
				"CopyCheckpoint.html: Table 4 CheckpointReplicateParam, row destination_vault_id: format: spec uuid, page none",
				"replicating_a_restore_point.rst: Table 4 CheckpointReplicateParam, row destination_vault_id: format: spec uuid, page none",
			},
		},
		{
			name: "default the description states dropped",
			old:  "          default: false\n          description: >-\n            Whether to automatically", new: "          description: >-\n            Whether to automatically",
			want: []string{
				"CopyCheckpoint.html: Table 4 CheckpointReplicateParam, row auto_trigger: default: spec none, page false",
				"replicating_a_restore_point.rst: Table 4 CheckpointReplicateParam, row auto_trigger: default: spec none, page false",
			},
		},
		{
			name: "default the description states changed",
			old:  "          default: false\n          description: >-\n            Whether to automatically", new: "          default: true\n          description: >-\n            Whether to automatically",
			want: []string{
				"CopyCheckpoint.html: Table 4 CheckpointReplicateParam, row auto_trigger: default: spec true, page false",
				"replicating_a_restore_point.rst: Table 4 CheckpointReplicateParam, row auto_trigger: default: spec true, page false",
			},
		},
		{
			name: "default on a row whose description states none",
			old:  "        enable_acceleration:\n          type: boolean\n", new: "        enable_acceleration:\n          type: boolean\n          default: true\n",
			want: []string{
				"CopyCheckpoint.html: Table 4 CheckpointReplicateParam, row enable_acceleration: default: spec true, page none",
			},
		},
		{
			name: "request schema opened",
			old:  "      # The table lists every field: an unknown key is an error, not ignored.\n      additionalProperties: false\n", new: "",
			want: []string{
				"CopyCheckpoint.html: Table 3 Request body parameters: additionalProperties: spec none, page false (a request table lists every field)",
				"replicating_a_restore_point.rst: Table 3 Request body parameters: additionalProperties: spec none, page false (a request table lists every field)",
			},
		},
		{
			name: "error body closed",
			old:  "          description: Error message.\n          x-go-type-skip-optional-pointer: true\n",
			new:  "          description: Error message.\n          x-go-type-skip-optional-pointer: true\n      additionalProperties: false\n",
			want: []string{
				"CopyCheckpoint.html: schema CBRError: additionalProperties: spec false, page none or true (a response stays open)",
				"replicating_a_restore_point.rst: schema CBRError: additionalProperties: spec false, page none or true (a response stays open)",
				"querying_the_replication_capability.rst: schema CBRError: additionalProperties: spec false, page none or true (a response stays open)",
				"querying_a_specified_vault.rst: schema CBRError: additionalProperties: spec false, page none or true (a response stays open)",
				"querying_all_backups.rst: schema CBRError: additionalProperties: spec false, page none or true (a response stays open)",
			},
		},
		{
			name: "error body requires error_code",
			old:  "      description: Error body of the CBR API.\n", new: "      description: Error body of the CBR API.\n      required:\n        - error_code\n",
			want: []string{
				"CopyCheckpoint.html: schema CBRError: required: spec error_code, page none (no response field is mandatory)",
				"replicating_a_restore_point.rst: schema CBRError: required: spec error_code, page none (no response field is mandatory)",
				"querying_the_replication_capability.rst: schema CBRError: required: spec error_code, page none (no response field is mandatory)",
				"querying_a_specified_vault.rst: schema CBRError: required: spec error_code, page none (no response field is mandatory)",
				"querying_all_backups.rst: schema CBRError: required: spec error_code, page none (no response field is mandatory)",
			},
		},
		{
			name: "response schema of a table closed",
			old:  "          description: Replication record ID\n          x-go-type-skip-optional-pointer: true\n",
			new:  "          description: Replication record ID\n          x-go-type-skip-optional-pointer: true\n      additionalProperties: false\n",
			want: []string{
				"CopyCheckpoint.html: Table 7 CheckpointReplicateRespbackups: additionalProperties: spec false, page none or true (a response stays open)",
				"replicating_a_restore_point.rst: Table 7 CheckpointReplicateRespbackups: additionalProperties: spec false, page none or true (a response stays open)",
			},
		},
		// The deprecated property: today's page no longer lists it.
		{
			name: "deprecated property no longer deprecated",
			old:  "          deprecated: true\n", new: "",
			want: []string{
				"CopyCheckpoint.html: Table 4 CheckpointReplicateParam, row enable_acceleration: description: spec \"Whether to enable the acceleration function to shorten the time spent on cross-region replication. Today's page (2025-05-12) withdrew this field on 2024-09-06: the service may ignore or refuse it.\", page \"Whether to enable the acceleration function to shorten the time spent on cross-region replication.\"",
				"replicating_a_restore_point.rst: Table 4 CheckpointReplicateParam, row enable_acceleration: property: spec present, page none",
			},
		},
		{
			name: "deprecated property without its reason",
			old:  "          x-deprecated-reason: >-\n            Today's page (2025-05-12) withdrew this field on 2024-09-06: the\n            service may ignore or refuse it.\n", new: "",
			want: []string{
				"CopyCheckpoint.html: Table 4 CheckpointReplicateParam, row enable_acceleration: description of a deprecated property: spec \"Whether to enable the acceleration function to shorten the time spent on cross-region replication. Today's page (2025-05-12) withdrew this field on 2024-09-06: the service may ignore or refuse it.\", page the page's, then its x-deprecated-reason",
			},
		},
		{
			name: "deprecated description without the reason",
			old:  "            spent on cross-region replication. Today's page (2025-05-12)\n            withdrew this field on 2024-09-06: the service may ignore or refuse\n            it.\n", new: "            spent on cross-region replication.\n",
			want: []string{
				"CopyCheckpoint.html: Table 4 CheckpointReplicateParam, row enable_acceleration: description of a deprecated property: spec \"Whether to enable the acceleration function to shorten the time spent on cross-region replication.\", page the page's, then its x-deprecated-reason",
			},
		},
		{
			name: "deprecated property that no page lists",
			old:  "        vault_id:\n          type: string\n          # The page says \"Vault ID (UUID)\".",
			new:  "        legacy:\n          type: boolean\n          deprecated: true\n          x-deprecated-reason: Gone.\n          description: Legacy. Gone.\n        vault_id:\n          type: string\n          # The page says \"Vault ID (UUID)\".",
			want: []string{
				"CopyCheckpoint.html: Table 4 CheckpointReplicateParam, row legacy: property: spec present (deprecated), page none (on no page of the operation)",
				"replicating_a_restore_point.rst: Table 4 CheckpointReplicateParam, row legacy: property: spec present (deprecated), page none (on no page of the operation)",
			},
		},
		// The other operations.
		{
			name: "enum value the page does not list",
			old:  "            - frozen\n            - deleting\n            - error\n", new: "            - frozen\n            - deleting\n            - error\n            - unknown\n",
			want: []string{
				"querying_a_specified_vault.rst: Table 5 Billing, row status: enum: spec available lock frozen deleting error unknown, page available lock frozen deleting error",
			},
		},
		{
			name: "enum dropped from a query parameter",
			old:  "            enum:\n              - pending\n              - accepted\n              - rejected\n", new: "",
			want: []string{
				"querying_all_backups.rst: Table 2 Query Parameters, row member_status: enum: spec none, page pending accepted rejected",
			},
		},
		{
			name: "default of a query parameter dropped",
			old:  "            default: private\n", new: "",
			want: []string{
				"querying_all_backups.rst: Table 2 Query Parameters, row own_type: default: spec none, page private",
			},
		},
		{
			name: "unit of a description changed",
			old:  "          description: Used capacity, in MB.", new: "          description: Used capacity, in GB.",
			want: []string{
				"querying_a_specified_vault.rst: Table 5 Billing, row used: description: spec \"Used capacity, in GB.\", page \"Used capacity, in MB.\"",
			},
		},
		{
			name: "minimum the description words as a positive integer dropped",
			old:  "            # \"The value must be a positive integer.\"\n            minimum: 1\n", new: "",
			want: []string{
				"querying_all_backups.rst: Table 2 Query Parameters, row limit: minimum: spec none, page 1",
			},
		},
		{
			name: "maximum length the description words changed",
			old:  "          maxLength: 36\n", new: "          maxLength: 35\n",
			want: []string{
				"querying_a_specified_vault.rst: Table 8 Tag, row key: maxLength: spec 35, page 36",
			},
		},
		{
			name: "date-time format dropped",
			old:  "            type: string\n            # The description's \"%YYYY-%mm-%ddT%HH:%MM:%SSZ format\".\n            format: date-time\n", new: "            type: string\n",
			want: []string{
				"querying_all_backups.rst: Table 2 Query Parameters, row end_time: format: spec none, page date-time",
			},
		},
		{
			name: "minimum of an integer in a response table changed",
			old:  "          minimum: 0\n          default: 0\n", new: "          minimum: 1\n          default: 0\n",
			want: []string{
				"querying_all_backups.rst: Table 4 Response body parameters, row offset: minimum: spec 1, page 0",
			},
		},
		{
			name: "property of a table a row of its own names removed",
			old:  "        children:\n          type: array\n          description: Backup list\n          items:\n            $ref: \"#/components/schemas/BackupResp\"\n          x-go-type-skip-optional-pointer: true\n", new: "",
			want: []string{
				"querying_all_backups.rst: Table 5 BackupResp, row children: property: spec none, page present",
			},
		},
		{
			name: "status the Status Codes table lists removed",
			old:  "        \"404\":\n          $ref: \"#/components/responses/NotFound\"\n        \"500\":\n          $ref: \"#/components/responses/QueryInternalServerError\"", new: "        \"500\":\n          $ref: \"#/components/responses/QueryInternalServerError\"",
			want: []string{
				"querying_a_specified_vault.rst: Status Codes table, row 404: response: spec none, page present",
			},
		},
		{
			name: "operationId that Sources does not give the page",
			old:  "      operationId: ShowVault\n", new: "      operationId: GetVault\n",
			want: []string{
				"querying_a_specified_vault.rst: operation: operationId: spec GetVault, page ShowVault (Sources)",
			},
		},
		{
			name: "operation without a page",
			old:  "  /v3/{project_id}/vaults/{vault_id}:\n", new: "  /v3/{project_id}/vaults:\n    get:\n      operationId: ListVaults\n      summary: Querying the Vault List\n      description: List.\n      responses:\n        \"200\":\n          description: OK\n  /v3/{project_id}/vaults/{vault_id}:\n",
			want: []string{
				"spec: operation ListVaults: page: spec GET /v3/{project_id}/vaults, page none (not in Sources)",
			},
		},
		// cbr-facts.md and the error-code appendix.
		{
			name: "quoted error message changed",
			old:  "error_msg: The destination vault does not exist.", new: "error_msg: Destination vault does not exist.",
			want: []string{
				"error_codes.rst: Error Codes table, row BackupService.6120: error_msg of example DestinationVaultNotFound: spec \"Destination vault does not exist.\", page \"The destination vault does not exist.\"",
				"cbr-facts.md: Error responses, row Example: example under response 400: spec {\"error_code\":\"BackupService.6120\",\"error_msg\":\"Destination vault does not exist.\"}, facts {\"error_code\": \"BackupService.6120\", \"error_msg\": \"The destination vault does not exist.\"}",
			},
		},
		{
			name: "error message the appendix spells otherwise",
			old:  "error_msg: The vault is being replicated.", new: "error_msg: The vault is already being replicated.",
			want: []string{
				"error_codes.rst: Error Codes table, row BackupService.6130: error_msg of example AlreadyReplicating: spec \"The vault is already being replicated.\", page \"The vault is being replicated.\"",
			},
		},
		{
			name: "code of a status replaced by one the facts do not list",
			old:  "error_code: BackupService.6105", new: "error_code: BackupService.6106",
			want: []string{
				"cbr-facts.md: Error codes, row BackupService.6106: example under CopyCheckpoint response 404: spec present, facts none",
				"error_codes.rst: Error Codes table, row BackupService.6106: example VaultNotFound under CopyCheckpoint response 404: spec present, page none (listed under 400)",
				"cbr-facts.md: Error codes, row BackupService.6105: example under CopyCheckpoint response 404: spec none, facts present",
				"cbr-facts.md: Error codes, row BackupService.6106: example under ShowVault response 404: spec present, facts none",
				"error_codes.rst: Error Codes table, row BackupService.6106: example VaultNotFound under ShowVault response 404: spec present, page none (listed under 400)",
			},
		},
		{
			name: "400 code listed under 500",
			old:  "            UnknownError:\n              $ref: \"#/components/examples/UnknownError\"\n            DestinationRegionNotSupported:",
			new:  "            UnknownError:\n              $ref: \"#/components/examples/UnknownError\"\n            AlreadyReplicating:\n              $ref: \"#/components/examples/AlreadyReplicating\"\n            DestinationRegionNotSupported:",
			want: []string{
				"cbr-facts.md: Error codes, row BackupService.6130: example under CopyCheckpoint response 500: spec present, facts none (listed under 400)",
				"error_codes.rst: Error Codes table, row BackupService.6130: example AlreadyReplicating under CopyCheckpoint response 500: spec present, page none (listed under 400)",
			},
		},
		{
			name: "error code whose summary is not the facts' meaning",
			old:  "summary: the destination vault has reached its maximum capacity\n",
			new:  "summary: the destination vault is full\n",
			want: []string{
				"cbr-facts.md: Error codes, row BackupService.6129: summary of example DestinationVaultFull under CopyCheckpoint response 400: spec the destination vault is full, facts the destination vault has reached its maximum capacity ...",
			},
		},
		{
			name: "error code with two different summaries",
			old:  "            UnknownError:\n              $ref: \"#/components/examples/UnknownError\"\n  examples:",
			new:  "            UnknownError:\n              summary: unknown error on the service side, again\n              value:\n                error_code: BackupService.9910\n                error_msg: Unknown error.\n  examples:",
			want: []string{
				"cbr-facts.md: Error codes, row BackupService.9910: summary of example UnknownError under ShowReplicationCapabilities response 5XX: spec unknown error on the service side, again, facts unknown error on the service side",
				"cbr-facts.md: Error codes, row BackupService.9910: summary of example UnknownError under CopyCheckpoint response 5XX: spec unknown error on the service side, again, facts unknown error on the service side",
				"cbr-facts.md: Error codes, row BackupService.9910: summary of example UnknownError under ListBackups response 5XX: spec unknown error on the service side, again, facts unknown error on the service side",
				"cbr-facts.md: Error codes, row BackupService.9910: summary of example UnknownError under ShowVault response 5XX: spec unknown error on the service side, again, facts unknown error on the service side",
			},
		},
		{
			name: "400 code moved to 500",
			old:  "            DestinationProjectNotSupported:\n              $ref: \"#/components/examples/DestinationProjectNotSupported\"\n", new: "",
			want: []string{
				"cbr-facts.md: Error codes, row BackupService.1011: example under CopyCheckpoint response 400: spec none, facts present",
			},
		},
		{
			name: "5XX example with a code the facts do not list",
			old:  "            UnknownError:\n              $ref: \"#/components/examples/UnknownError\"\n  examples:",
			new:  "            UnknownError:\n              summary: unknown error on the service side\n              value:\n                error_code: BackupService.9911\n                error_msg: Unknown error.\n  examples:",
			want: []string{
				"cbr-facts.md: Error codes, row BackupService.9911: example under ShowReplicationCapabilities response 5XX: spec present, facts none",
				"error_codes.rst: Error Codes table, row BackupService.9911: example UnknownError under ShowReplicationCapabilities response 5XX: spec present, page none",
				"cbr-facts.md: Error codes, row BackupService.9911: example under CopyCheckpoint response 5XX: spec present, facts none",
				"error_codes.rst: Error Codes table, row BackupService.9911: example UnknownError under CopyCheckpoint response 5XX: spec present, page none",
				"cbr-facts.md: Error codes, row BackupService.9911: example under ListBackups response 5XX: spec present, facts none",
				"error_codes.rst: Error Codes table, row BackupService.9911: example UnknownError under ListBackups response 5XX: spec present, page none",
				"cbr-facts.md: Error codes, row BackupService.9911: example under ShowVault response 5XX: spec present, facts none",
				"error_codes.rst: Error Codes table, row BackupService.9911: example UnknownError under ShowVault response 5XX: spec present, page none",
			},
		},
		{
			name: "response of a status the facts list codes for removed",
			old:  "        \"404\":\n          $ref: \"#/components/responses/NotFound\"\n        \"500\":\n          $ref: \"#/components/responses/InternalServerError\"\n", new: "        \"500\":\n          $ref: \"#/components/responses/InternalServerError\"\n",
			want: []string{
				"cbr-facts.md: Error codes: CopyCheckpoint response 404: spec none, facts present",
			},
		},
		{
			name: "region of an endpoint dropped from the enum",
			old:  "          - eu-de\n          - eu-nl\n", new: "          - eu-de\n",
			want: []string{
				"cbr-facts.md: Endpoints, row https://cbr.eu-nl.otc.t-systems.com: servers[0] URL: spec none, facts present",
			},
		},
		{
			name: "region without an endpoint added to the enum",
			old:  "          - eu-de\n          - eu-nl\n", new: "          - eu-de\n          - eu-nl\n          - eu-ch2\n",
			want: []string{
				"cbr-facts.md: Endpoints, row https://cbr.eu-ch2.otc.t-systems.com: servers[0] URL: spec present, facts none",
			},
		},
		{
			name: "servers dropped",
			old:  "servers:\n  - url: https://cbr.{region}.otc.t-systems.com\n    description: Open Telekom Cloud CBR endpoint of a region.\n    variables:\n      region:\n        description: Region ID.\n        default: eu-de\n        enum:\n          - eu-de\n          - eu-nl\n",
			new:  "",
			want: []string{
				"cbr-facts.md: Endpoints: servers[0]: spec none, facts https://cbr.eu-de.otc.t-systems.com https://cbr.eu-nl.otc.t-systems.com",
			},
		},
		{
			name: "default region is not the first endpoint",
			old:  "        default: eu-de\n", new: "        default: eu-nl\n",
			want: []string{
				"cbr-facts.md: Endpoints: servers[0] URL by default: spec https://cbr.eu-nl.otc.t-systems.com, facts https://cbr.eu-de.otc.t-systems.com",
			},
		},
	}
	pages, facts := readPages(t), readFacts(t)
	check := func(t *testing.T, text string) []string {
		t.Helper()
		// Loaded, not validated: a drifted spec may be invalid OpenAPI too.
		doc, err := openapi3.NewLoader().LoadFromData([]byte(text))
		require.NoError(t, err)
		return mismatchStrings(append(CheckPages(pages, doc), CheckFacts(facts, doc)...))
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
	src, page := source(t, htmlPage), readPage(t, htmlPage)
	spec := specYAML(t)
	before := CheckPage(src, page, loadSpec(t, spec))
	for _, edit := range [][2]string{
		{"          maxLength: 255\n          description: ID of the replication destination region", "          maxLength: 254\n          description: ID of the replication destination region"},
		{"description: Replication record ID", "description: Record ID"},
		{"        - destination_vault_id\n        - vault_id\n", "        - destination_vault_id\n"},
	} {
		require.Equal(t, 1, strings.Count(spec, edit[0]))
		spec = strings.Replace(spec, edit[0], edit[1], 1)
	}

	got := added(before, CheckPage(src, page, loadSpec(t, spec)))

	require.Len(t, got, 3, mismatchStrings(got))
	assert.Equal(t, Mismatch{Source: htmlPage, Table: "Table 4 CheckpointReplicateParam", Row: "destination_region", Field: "maxLength", Spec: "254", Page: "255"}, got[0])
	assert.Equal(t, "vault_id", got[1].Row)
	assert.Equal(t, "Table 7 CheckpointReplicateRespbackups", got[2].Table)
}

// TestCheckPageWithPageDrift edits a parsed page in one place and expects
// only what that edit adds to whatever the spec as it is gets wrong.
func TestCheckPageWithPageDrift(t *testing.T) {
	doc := loadSpec(t, specYAML(t))
	before := CheckPages(readPages(t), doc)
	// check edits the page of file and proves the spec against every page.
	check := func(t *testing.T, file string, edit func(p *Page)) []string {
		t.Helper()
		pages := readPages(t)
		edit(pages[file])
		return mismatchStrings(added(before, CheckPages(pages, doc)))
	}
	// table returns the table of p numbered n.
	table := func(p *Page, n int) *Table {
		i := slices.IndexFunc(p.Tables, func(t Table) bool { return t.Number == n })
		require.GreaterOrEqual(t, i, 0, "Table %d", n)
		return &p.Tables[i]
	}
	dropRow := func(tb *Table, name string) {
		tb.Rows = slices.DeleteFunc(tb.Rows, func(r Row) bool { return rowName(*tb, r) == name })
	}
	tests := []struct {
		name string
		file string
		edit func(p *Page)
		want []string
	}{
		{
			name: "field a later page adds",
			file: rstPage,
			edit: func(p *Page) {
				tb := table(p, 4)
				tb.Rows = append(tb.Rows, Row{Cells: []Cell{{Lines: []string{"priority"}}, {Lines: []string{"No"}}, {Lines: []string{"Integer"}}, {Lines: []string{"Priority"}}}})
			},
			want: []string{"replicating_a_restore_point.rst: Table 4 CheckpointReplicateParam, row priority: property: spec none, page present"},
		},
		{
			name: "field a later page drops that the spec does not deprecate",
			file: rstPage,
			edit: func(p *Page) { dropRow(table(p, 4), "destination_vault_id") },
			want: []string{
				"replicating_a_restore_point.rst: Table 4 CheckpointReplicateParam, row destination_vault_id: property: spec present, page none",
				"replicating_a_restore_point.rst: Table 4 CheckpointReplicateParam, row destination_vault_id: mandatory: spec Yes, page none",
			},
		},
		{
			name: "deprecated field the old page drops too",
			file: htmlPage,
			edit: func(p *Page) { dropRow(table(p, 4), "enable_acceleration") },
			want: []string{
				"CopyCheckpoint.html: Table 4 CheckpointReplicateParam, row enable_acceleration: property: spec present (deprecated), page none (on no page of the operation)",
				"replicating_a_restore_point.rst: Table 4 CheckpointReplicateParam, row enable_acceleration: property: spec present (deprecated), page none (on no page of the operation)",
			},
		},
		{
			name: "row of a schema without a table in the spec",
			file: htmlPage,
			edit: func(p *Page) { table(p, 7).ID = "CopyCheckpoint__response_CheckpointReplicateBackup" },
			want: []string{"CopyCheckpoint.html: Table 7 CheckpointReplicateRespbackups: schema: spec CheckpointReplicateRespbackups, page CheckpointReplicateBackup"},
		},
		{
			name: "row naming a table the page does not have",
			file: "querying_the_replication_capability.rst",
			edit: func(p *Page) { table(p, 4).Caption = "Region" },
			want: []string{
				"querying_the_replication_capability.rst: Table 3 Response body parameters, row regions: table of the row's type: spec ProtectableReplicationCapabilitiesRespRegion, page none",
				"querying_the_replication_capability.rst: Table 4 Region: table: spec none (no row of a body table names it), page present",
			},
		},
		{
			name: "mandatory cell that is neither Yes nor No",
			file: htmlPage,
			edit: func(p *Page) {
				tb := table(p, 1)
				tb.Rows[0].Cells[tb.Column("Mandatory")] = Cell{Lines: []string{"Maybe"}}
			},
			want: []string{`CopyCheckpoint.html: Table 1 Path Parameters, row project_id: mandatory: spec none, page "Maybe" (neither Yes nor No)`},
		},
		{
			name: "default written in bold as Markdown does",
			file: htmlPage,
			edit: func(p *Page) {
				tb := table(p, 4)
				tb.Rows[0].Cells[tb.Column("Description")] = Cell{Lines: []string{"Whether to automatically trigger replication this time. The default value is **false**."}}
			},
			// The default is still false: only the description differs.
			want: []string{`CopyCheckpoint.html: Table 4 CheckpointReplicateParam, row auto_trigger: description: spec "Whether to automatically trigger replication this time. The default value is false, indicating the replication needs to be manually triggered.", page "Whether to automatically trigger replication this time. The default value is **false**."`},
		},
		{
			name: "description that loses its default sentence",
			file: htmlPage,
			edit: func(p *Page) {
				tb := table(p, 4)
				tb.Rows[0].Cells[tb.Column("Description")] = Cell{Lines: []string{"Whether to automatically trigger replication this time."}}
			},
			want: []string{
				`CopyCheckpoint.html: Table 4 CheckpointReplicateParam, row auto_trigger: description: spec "Whether to automatically trigger replication this time. The default value is false, indicating the replication needs to be manually triggered.", page "Whether to automatically trigger replication this time."`,
				"CopyCheckpoint.html: Table 4 CheckpointReplicateParam, row auto_trigger: default: spec false, page none",
			},
		},
		{
			name: "enumeration value a page adds",
			file: "querying_all_backups.rst",
			edit: func(p *Page) {
				tb := table(p, 2)
				i := slices.IndexFunc(tb.Rows, func(r Row) bool { return rowName(*tb, r) == "member_status" })
				desc := &tb.Rows[i].Cells[tb.Column("Description")]
				desc.Lines = append(slices.Clone(desc.Lines), "revoked")
			},
			want: []string{"querying_all_backups.rst: Table 2 Query Parameters, row member_status: enum: spec pending accepted rejected, page pending accepted rejected revoked"},
		},
		{
			name: "404 table that is no longer a copy of the 200 table",
			file: "querying_a_specified_vault.rst",
			edit: func(p *Page) { dropRow(table(p, 13), "frozen_scene") },
			want: []string{"querying_a_specified_vault.rst: Table 13 Billing: copy of a status 200 table (Sources): spec a copy, page another table"},
		},
		{
			name: "404 tables that Sources calls a copy gone",
			file: "querying_a_specified_vault.rst",
			edit: func(p *Page) { p.Tables = slices.DeleteFunc(p.Tables, func(t Table) bool { return t.Status == 404 }) },
			want: []string{"querying_a_specified_vault.rst: status 404 tables: count (Sources: a copy of the status 200 tables): spec 8, page 0"},
		},
		{
			name: "page without a URI section",
			file: htmlPage,
			edit: func(p *Page) { delete(p.Sections, "URI") },
			// A page that cannot be compared lists nothing, so the old
			// page no longer vouches for the deprecated field either.
			want: []string{
				"CopyCheckpoint.html: operation: URI: spec none, page none",
				"replicating_a_restore_point.rst: Table 4 CheckpointReplicateParam, row enable_acceleration: property: spec present (deprecated), page none (on no page of the operation)",
			},
		},
		{
			name: "page whose URI names an operation the spec lacks",
			file: "querying_all_backups.rst",
			edit: func(p *Page) { p.Sections["URI"] = []string{"GET /v3/{project_id}/backups/{backup_id}"} },
			want: []string{
				"querying_all_backups.rst: operation: URI: spec none, page GET /v3/{project_id}/backups/{backup_id}",
				"spec: operation ListBackups: page: spec GET /v3/{project_id}/backups, page none (not in Sources)",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, check(t, tt.file, tt.edit))
		})
	}
}

// TestTodaysPageNamesItsOneDifference proves the spec against both
// revisions of CopyCheckpoint's page: the old one agrees with it
// throughout, today's differs in one row, enable_acceleration, which the
// spec keeps deprecated; proven against both, the spec has no mismatch.
func TestTodaysPageNamesItsOneDifference(t *testing.T) {
	doc := loadSpec(t, specYAML(t))
	pages := readPages(t)

	assert.Empty(t, mismatchStrings(CheckPage(source(t, htmlPage), pages[htmlPage], doc)))
	assert.Equal(t, []string{
		"replicating_a_restore_point.rst: Table 4 CheckpointReplicateParam, row enable_acceleration: property: spec present (deprecated), page none",
	}, mismatchStrings(CheckPage(source(t, rstPage), pages[rstPage], doc)))
	assert.Empty(t, mismatchStrings(CheckPages(pages, doc)))

	// The examples differ by the same field: today's request example is the
	// old one without "enable_acceleration": false; the answers are equal.
	oldReq, newReq := requestBody(t, pages[htmlPage]), requestBody(t, pages[rstPage])
	assert.Equal(t, false, oldReq["replicate"].(map[string]any)["enable_acceleration"])
	delete(oldReq["replicate"].(map[string]any), "enable_acceleration")
	assert.Equal(t, oldReq, newReq)
	assert.JSONEq(t, pageExample(t, pages[htmlPage], "Example Responses").Text, pageExample(t, pages[rstPage], "Example Responses").Text)
}

// requestBody decodes the body of the page's only request example.
func requestBody(t *testing.T, page *Page) map[string]any {
	t.Helper()
	_, _, body, err := pageExample(t, page, "Example Requests").Request()
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(body, &m))
	return m
}

func mismatchStrings(ms []Mismatch) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.String())
	}
	return out
}
