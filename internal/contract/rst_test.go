package contract

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestParseRSTReadsTheSamePageAsParsePage reads CopyCheckpoint's page in
// both forms: the HTML of 2023-11-22 and today's reStructuredText give the
// same Page, but for the table ids (the HTML's ids, the .rst labels), the
// row today's page deleted, and how a cell's text falls into paragraphs
// (the HTML has X-Auth-Token's description in one, the .rst in two).
func TestParseRSTReadsTheSamePageAsParsePage(t *testing.T) {
	html, rst := readPage(t, htmlPage), readPage(t, rstPage)
	for _, p := range []*Page{html, rst} {
		for i := range p.Tables {
			p.Tables[i].ID = ""
		}
		header := p.Tables[1] // Table 2 Request header parameters: X-Auth-Token
		token := &header.Rows[0].Cells[header.Column("Description")]
		token.Lines = []string{token.Text()}
		for i := range p.Examples {
			p.Examples[i].Text = "" // the JSON, compared in TestTodaysPageNamesItsOneDifference
		}
	}
	t4 := &html.Tables[3]
	require.Equal(t, "Table 4 CheckpointReplicateParam", t4.Name())
	t4.Rows = slices.DeleteFunc(t4.Rows, func(r Row) bool { return rowName(*t4, r) == "enable_acceleration" })

	assert.Equal(t, html, rst)
}

// TestParseRSTReadsEveryTable checks each table of each .rst page in
// testdata: its name, label, section, status and header, and its rows by
// the names of their first cell (row counts as on the pages).
func TestParseRSTReadsEveryTable(t *testing.T) {
	four := []string{"Parameter", "Mandatory", "Type", "Description"}
	three := []string{"Parameter", "Type", "Description"}
	status := []string{"Status Code", "Description"}
	type table struct {
		Name, ID, Section string
		Status            int
		Header            []string
		Rows              int
	}
	vaultTables := func(first, status int, suffix string) []table {
		return []table{
			{"Table " + strconv.Itoa(first) + " Response body parameters", "", "Response Parameters", status, three, 1},
			{"Table " + strconv.Itoa(first+1) + " Vault", "showvault__response_vault" + suffix, "Response Parameters", status, three, 14},
			{"Table " + strconv.Itoa(first+2) + " Billing", "showvault__response_billing" + suffix, "Response Parameters", status, three, 14},
			{"Table " + strconv.Itoa(first+3) + " ResourceResp", "showvault__response_resourceresp" + suffix, "Response Parameters", status, three, 8},
			{"Table " + strconv.Itoa(first+4) + " ResourceExtraInfo", "showvault__response_resourceextrainfo" + suffix, "Response Parameters", status, three, 1},
			{"Table " + strconv.Itoa(first+5) + " Tag", "showvault__response_tag" + suffix, "Response Parameters", status, three, 2},
			{"Table " + strconv.Itoa(first+6) + " VaultBindRules", "showvault__response_vaultbindrules" + suffix, "Response Parameters", status, three, 1},
			{"Table " + strconv.Itoa(first+7) + " BindRulesTags", "showvault__response_bindrulestags" + suffix, "Response Parameters", status, three, 2},
		}
	}
	want := map[string][]table{
		rstPage: {
			{"Table 1 Path Parameters", "", "URI", 0, four, 1},
			{"Table 2 Request header parameters", "", "Request Parameters", 0, four, 1},
			{"Table 3 Request body parameters", "", "Request Parameters", 0, four, 1},
			{"Table 4 CheckpointReplicateParam", "copycheckpoint__request_checkpointreplicateparam", "Request Parameters", 0, four, 5},
			{"Table 5 Response body parameters", "", "Response Parameters", 200, three, 1},
			{"Table 6 CheckpointReplicateRespBody", "copycheckpoint__response_checkpointreplicaterespbody", "Response Parameters", 200, three, 8},
			{"Table 7 CheckpointReplicateRespbackups", "copycheckpoint__response_checkpointreplicaterespbackups", "Response Parameters", 200, three, 2},
			{"Status Codes table", "", "Status Codes", 0, status, 1},
		},
		"querying_the_replication_capability.rst": {
			{"Table 1 Path Parameters", "", "URI", 0, four, 1},
			{"Table 2 Request header parameters", "", "Request Parameters", 0, four, 1},
			{"Table 3 Response body parameters", "", "Response Parameters", 200, three, 1},
			{"Table 4 ProtectableReplicationCapabilitiesRespRegion", "showreplicationcapabilities__response_protectablereplicationcapabilitiesrespregion", "Response Parameters", 200, three, 2},
			{"Status Codes table", "", "Status Codes", 0, status, 1},
		},
		"querying_a_specified_vault.rst": slices.Concat(
			[]table{
				{"Table 1 Path Parameters", "", "URI", 0, four, 2},
				{"Table 2 Request header parameters", "", "Request Parameters", 0, four, 1},
			},
			vaultTables(3, 200, ""), vaultTables(11, 404, "_1"),
			[]table{{"Status Codes table", "", "Status Codes", 0, status, 2}},
		),
		"querying_all_backups.rst": {
			{"Table 1 Path Parameters", "", "URI", 0, four, 1},
			{"Table 2 Query Parameters", "", "URI", 0, four, 20},
			{"Table 3 Request header parameters", "", "Request Parameters", 0, four, 1},
			{"Table 4 Response body parameters", "", "Response Parameters", 200, three, 4},
			{"Table 5 BackupResp", "listbackups__response_backupresp", "Response Parameters", 200, three, 21},
			{"Table 6 BackupExtendInfo", "listbackups__response_backupextendinfo", "Response Parameters", 200, three, 10},
			{"Table 7 ImageData", "listbackups__response_imagedata", "Response Parameters", 200, three, 1},
			{"Status Codes table", "", "Status Codes", 0, status, 1},
		},
		appendixFile: {
			{"table", "", "", 0, []string{"Status Code", "Error Code", "Error Message", "Description", "Handling Measure"}, 160},
		},
	}
	for file, tables := range want {
		t.Run(file, func(t *testing.T) {
			var got []table
			for _, tb := range readPage(t, file).Tables {
				got = append(got, table{tb.Name(), tb.ID, tb.Section, tb.Status, tb.Header, len(tb.Rows)})
				for _, r := range tb.Rows {
					require.Len(t, r.Cells, len(tb.Header), "%s, row %q", tb.Name(), rowName(tb, r))
				}
			}
			assert.Equal(t, tables, got)
		})
	}
}

// TestParseRSTReadsCells checks the cells the pages' markup makes: lines
// per paragraph and list item, inline markup reduced to its text, a | in a
// cell kept as text.
func TestParseRSTReadsCells(t *testing.T) {
	vault, backups := readPage(t, "querying_a_specified_vault.rst"), readPage(t, "querying_all_backups.rst")
	cell := func(p *Page, table int, row, column string) []string {
		t.Helper()
		tb := p.Tables[slices.IndexFunc(p.Tables, func(t Table) bool { return t.Number == table })]
		for _, r := range tb.Rows {
			if rowName(tb, r) == row {
				c, ok := tb.Cell(r, column)
				require.True(t, ok, "column %q", column)
				return c.Lines
			}
		}
		t.Fatalf("Table %d has no row %q", table, row)
		return nil
	}

	assert.Equal(t, []string{"Vault status", "Enumeration values:", "available", "lock", "frozen", "deleting", "error"},
		cell(vault, 5, "status", "Description"), "one line per paragraph and per list item")
	assert.Equal(t, []string{"Capacity, in GB", "Minimum: 1", "Maximum: 10485760"}, cell(vault, 5, "size", "Description"))
	assert.Equal(t, []string{"Vault object"}, cell(vault, 3, "vault", "Type"), ":ref: is its text")
	assert.Equal(t, []string{"The key cannot contain non-printable ASCII characters (0-31) and the following characters: =*<>\\,|/", "The key can contain only letters, digits, underscores (_), and hyphens (-)."},
		cell(vault, 10, "key", "Description"), "a literal keeps its | and \\")
	assert.Equal(t, []string{"Owning type of a backup. private backups are queried by default.", "Default: private", "Enumeration values:", "all_granted", "private", "shared"},
		cell(backups, 2, "own_type", "Description"), "**strong** is its text")
	assert.Equal(t, []string{"This API is used to query all backups.", "If you want to create a backup, create a Restore Point."},
		backups.Sections["Function"], "a link is its text")
}

// TestParseRSTOnSmallPages reads hand-written pages: what the reader takes,
// and each thing it refuses, by the line.
func TestParseRSTOnSmallPages(t *testing.T) {
	const title = ":original_name: T.html\n\n.. _T:\n\nTitle\n=====\n\n"
	t.Run("sections, paragraphs, labels and examples", func(t *testing.T) {
		page, err := ParseRST(strings.NewReader(title + "URI\n---\n\nGET /v3/x\nand more\n\n" +
			".. _t__response_thing:\n\nNot a label of the table: a paragraph came between.\n\n" +
			".. table:: **Table 1** Things\n\n   === ====\n   A   B\n   === ====\n   a   b c\n   c   d\n   === ====\n\n" +
			"Example Responses\n-----------------\n\n**Status code: 200**\n\nOK\n\n.. code-block::\n\n   {\n     \"a\" : 1\n   }\n\nAfter.\n"))
		require.NoError(t, err)
		assert.Equal(t, "Title", page.Title)
		assert.Equal(t, []string{"GET /v3/x and more", "Not a label of the table: a paragraph came between."}, page.Sections["URI"])
		require.Len(t, page.Tables, 1)
		tb := page.Tables[0]
		assert.Equal(t, Table{Number: 1, Caption: "Things", Section: "URI", Header: []string{"A", "B"}, Rows: []Row{
			{Cells: []Cell{{Lines: []string{"a"}}, {Lines: []string{"b c"}}}},
			{Cells: []Cell{{Lines: []string{"c"}}, {Lines: []string{"d"}}}},
		}}, tb, "the last column runs to the end of the line")
		assert.Equal(t, []Example{{Section: "Example Responses", Status: 200, Label: "OK", Text: "{\n  \"a\" : 1\n}"}}, page.Examples)
	})
	t.Run("grid table with its label", func(t *testing.T) {
		page, err := ParseRST(strings.NewReader(title + ".. _t__response_thing:\n\n.. table:: **Table 2** Thing\n\n" +
			"   +------+-------------+\n   | Name | Description |\n   +======+=============+\n" +
			"   | a    | x | y       |\n   |      |             |\n   |      | -  **one**  |\n   +------+-------------+\n"))
		require.NoError(t, err)
		require.Len(t, page.Tables, 1)
		assert.Equal(t, "t__response_thing", page.Tables[0].ID)
		assert.Equal(t, []Row{{Cells: []Cell{{Lines: []string{"a"}}, {Lines: []string{"x | y", "one"}}}}}, page.Tables[0].Rows)
	})
	tests := []struct {
		name, text, err string
	}{
		{name: "page without a title", text: "Section\n-------\n\ntext\n", err: "no title"},
		{name: "second title", text: title + "Again\n=====\n", err: "line 8: a second title"},
		{name: "heading of a third level", text: title + "Sub\n~~~\n", err: `line 8: heading "Sub" underlined with '~'`},
		{name: "directive it does not read", text: title + ".. note::\n\n   Careful.\n", err: `line 8: ".. note::" is not read`},
		{name: "indented text outside a directive", text: title + "   quoted\n", err: `line 8: "   quoted" is not read`},
		{name: "directive without content", text: title + ".. code-block::\n\nNext\n", err: "line 8: directive without content"},
		{name: "table directive over text", text: title + ".. table:: **Table 1** T\n\n   just text\n", err: "line 10: a table starts with +--- or ==="},
		{name: "grid cell borders that do not line up", text: title + "+---+---+\n| A | B |\n+===+===+\n| a   b |\n+---+---+\n", err: "line 11: no | at column 5 (spanning cells are not read)"},
		{name: "grid line narrower than the table", text: title + "+---+---+\n| A | B |\n+===+===+\n| a | b\n+---+---+\n", err: "line 11: not as wide"},
		{name: "grid table without a header", text: title + "+---+---+\n| a | b |\n+---+---+\n", err: "without a header row"},
		{name: "grid table that ends inside a row", text: title + "+---+---+\n| A | B |\n+===+===+\n| a | b |\n", err: "line 11: the table ends inside a row"},
		{name: "simple table text across a border", text: title + "=== ===\nA   B\n=== ===\nabcde\n=== ===\n", err: "line 11: text crosses the border after column 1"},
		{name: "simple table without a header", text: title + "=== ===\na   b\n=== ===\n", err: "needs three borders"},
		{name: "simple table header of two lines", text: title + "=== ===\nA   B\nA2  B2\n=== ===\n", err: "line 10: text outside the table's rows"},
		{name: "simple table continuation line", text: title + "=== ===\nA   B\n=== ===\na   b\n    c\n=== ===\n", err: "line 12: a row without a first column"},
		{name: "simple table border of other characters", text: title + "=== =-=\nA   B\n", err: "line 8: a simple table's border holds only = and spaces"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseRST(strings.NewReader(tt.text))
			require.Error(t, err)
			assert.ErrorContains(t, err, "parse rst: ")
			assert.ErrorContains(t, err, tt.err)
		})
	}
}
