package contract

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParsePageReadsTitleAndSections(t *testing.T) {
	page := readPage(t, htmlPage)

	assert.Equal(t, "Replicating a Restore Point", page.Title)
	assert.Equal(t, []string{"This API is used to replicate a restore point. In compare to console, it is vault replication and this API replicates all backups from source vault to destination vault."},
		page.Sections["Function"])
	assert.Equal(t, []string{"POST /v3/{project_id}/checkpoints/replicate"}, page.Sections["URI"],
		"paragraphs inside tables are not section text")
	assert.Equal(t, []string{"See Error Codes."}, page.Sections["Error Codes"])
}

func TestParsePageReadsEveryTable(t *testing.T) {
	page := readPage(t, htmlPage)

	type summary struct {
		Name, ID, Section string
		Status            int
		Header            []string
		Rows              []string
	}
	var got []summary
	for _, tb := range page.Tables {
		s := summary{Name: tb.Name(), ID: tb.ID, Section: tb.Section, Status: tb.Status, Header: tb.Header}
		for _, r := range tb.Rows {
			s.Rows = append(s.Rows, rowName(tb, r))
		}
		got = append(got, s)
	}
	four := []string{"Parameter", "Mandatory", "Type", "Description"}
	three := []string{"Parameter", "Type", "Description"}
	want := []summary{
		{"Table 1 Path Parameters", "CopyCheckpoint__table1990211452352", "URI", 0, four, []string{"project_id"}},
		{"Table 2 Request header parameters", "CopyCheckpoint__HeaderParameter", "Request Parameters", 0, four, []string{"X-Auth-Token"}},
		{"Table 3 Request body parameters", "CopyCheckpoint__request_CheckpointReplicateReq", "Request Parameters", 0, four, []string{"replicate"}},
		{"Table 4 CheckpointReplicateParam", "CopyCheckpoint__request_CheckpointReplicateParam", "Request Parameters", 0, four,
			[]string{"auto_trigger", "destination_project_id", "destination_region", "destination_vault_id", "enable_acceleration", "vault_id"}},
		{"Table 5 Response body parameters", "CopyCheckpoint__response_CheckpointReplicateResp", "Response Parameters", 200, three, []string{"replication"}},
		{"Table 6 CheckpointReplicateRespBody", "CopyCheckpoint__response_CheckpointReplicateRespBody", "Response Parameters", 200, three,
			[]string{"backups", "destination_project_id", "destination_region", "destination_vault_id", "project_id", "provider_id", "source_region", "vault_id"}},
		{"Table 7 CheckpointReplicateRespbackups", "CopyCheckpoint__response_CheckpointReplicateRespbackups", "Response Parameters", 200, three,
			[]string{"backup_id", "replication_record_id"}},
		{"Status Codes table", "CopyCheckpoint__status_code", "Status Codes", 0, []string{"Status Code", "Description"}, []string{"200"}},
	}
	assert.Equal(t, want, got)
}

func TestParsePageNormalisesCells(t *testing.T) {
	page := readPage(t, htmlPage)
	byNumber := map[int]Table{}
	for _, tb := range page.Tables {
		byNumber[tb.Number] = tb
	}

	cell := func(table int, row, column string) Cell {
		t.Helper()
		tb := byNumber[table]
		for _, r := range tb.Rows {
			if rowName(tb, r) == row {
				c, ok := tb.Cell(r, column)
				require.True(t, ok, "column %q", column)
				return c
			}
		}
		t.Fatalf("Table %d has no row %q", table, row)
		return Cell{}
	}

	assert.Equal(t, []string{"ID of the replication destination region", "Minimum: 0", "Maximum: 255"},
		cell(4, "destination_region", "Description").Lines, "one line per paragraph")
	assert.Equal(t, "User token The token can be obtained by calling the IAM API used to obtain a user token. The value of X-Subject-Token in the response header is the user token.",
		cell(2, "X-Auth-Token", "Description").Text(), "inline markup is flattened")
	assert.Empty(t, cell(5, "replication", "Description").Lines, "a cell of &nbsp; is empty")
	assert.Equal(t, "Array of CheckpointReplicateRespbackups objects", cell(6, "backups", "Type").Text())
	assert.Equal(t, "CheckpointReplicateParam object", cell(3, "replicate", "Type").Text())
}

func TestParsePageReadsExamples(t *testing.T) {
	page := readPage(t, htmlPage)
	require.Len(t, page.Examples, 2)

	req := pageExample(t, page, "Example Requests")
	assert.Equal(t, "Replicating backups", req.Label)
	assert.Zero(t, req.Status)
	method, path, body, err := req.Request()
	require.NoError(t, err)
	assert.Equal(t, "POST", method)
	assert.Equal(t, "/v3/f841e01fd2b14e7fa41b6ae7aa6b0594/checkpoints/replicate", path)
	assert.True(t, json.Valid(body))
	assert.Contains(t, string(body), `"vault_id" : "3b5816b5-f29c-4172-9d9a-76c719a659ce"`, "the block's text is kept unchanged")

	resp := pageExample(t, page, "Example Responses")
	assert.Equal(t, 200, resp.Status)
	assert.Equal(t, "OK", resp.Label)
	assert.True(t, json.Valid([]byte(resp.Text)))
}

func TestParsePageOnSmallPages(t *testing.T) {
	t.Run("page without a title is an error", func(t *testing.T) {
		_, err := ParsePage(strings.NewReader(`<p>no title</p>`))
		require.ErrorContains(t, err, "no <h1> title")
	})
	t.Run("header row of th cells without thead", func(t *testing.T) {
		page, err := ParsePage(strings.NewReader(`<h1>T</h1><table id="x"><caption>Table 9 Things</caption>
			<tr><th>Parameter</th><th>Type</th></tr><tr><td>a</td><td>String<br>more</td></tr></table>`))
		require.NoError(t, err)
		require.Len(t, page.Tables, 1)
		tb := page.Tables[0]
		assert.Equal(t, "Table 9 Things", tb.Name())
		assert.Equal(t, []string{"Parameter", "Type"}, tb.Header)
		require.Len(t, tb.Rows, 1)
		c, ok := tb.Cell(tb.Rows[0], "type")
		require.True(t, ok, "column titles match case-insensitively")
		assert.Equal(t, []string{"String", "more"}, c.Lines)
		_, ok = tb.Cell(tb.Rows[0], "Mandatory")
		assert.False(t, ok)
	})
	t.Run("list items of a cell are lines of their own", func(t *testing.T) {
		page, err := ParsePage(strings.NewReader(`<h1>T</h1><table><tr><th>Description</th></tr>
			<tr><td><p>Vault status</p><p>Enumeration values:</p><ul><li><strong>available</strong></li><li>lock</li></ul></td></tr></table>`))
		require.NoError(t, err)
		require.Len(t, page.Tables, 1)
		assert.Equal(t, []string{"Vault status", "Enumeration values:", "available", "lock"}, page.Tables[0].Rows[0].Cells[0].Lines)
	})
	t.Run("table without a caption is named after its section", func(t *testing.T) {
		page, err := ParsePage(strings.NewReader(`<h1>T</h1><div class="section"><h4 class="sectiontitle">Status Codes</h4>
			<table><thead><tr><th>Status Code</th></tr></thead><tbody><tr><td>200</td></tr></tbody></table></div>`))
		require.NoError(t, err)
		require.Len(t, page.Tables, 1)
		assert.Equal(t, "Status Codes table", page.Tables[0].Name())
	})
}

func TestExampleRequest(t *testing.T) {
	tests := []struct {
		name, text, method, path, body, err string
	}{
		{name: "placeholder host is dropped", text: "POST https://{endpoint}/v3/p/x\n{\"a\": 1}", method: "POST", path: "/v3/p/x", body: `{"a": 1}`},
		{name: "bare path", text: "GET /v3/p/x", method: "GET", path: "/v3/p/x"},
		{name: "first line without URL", text: "POST\n{}", err: "is not \"METHOD URL\""},
		{name: "URL without path", text: "POST https://host\n{}", err: "has no path"},
		{name: "relative target", text: "POST v3/x\n{}", err: "is not a path"},
		{name: "body that is not JSON", text: "POST /v3/x\n{oops", err: "body is not JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method, path, body, err := Example{Text: tt.text}.Request()
			if tt.err != "" {
				require.ErrorContains(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.method, method)
			assert.Equal(t, tt.path, path)
			assert.Equal(t, tt.body, string(body))
		})
	}
}
