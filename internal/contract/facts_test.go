package contract

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseFactsReadsCodesExampleAndEndpoints(t *testing.T) {
	facts := readFacts(t)

	byStatus := map[int][]string{}
	for _, ec := range facts.ErrorCodes {
		byStatus[ec.Status] = append(byStatus[ec.Status], ec.Code)
	}
	assert.Equal(t, map[int][]string{
		400: {"BackupService.1011", "BackupService.6112", "BackupService.6118", "BackupService.6119", "BackupService.6120",
			"BackupService.6122", "BackupService.6128", "BackupService.6129", "BackupService.6130", "BackupService.9900"},
		403: {"BackupService.8600"},
		404: {"BackupService.6105"},
		500: {"BackupService.1005", "BackupService.1006", "BackupService.9910", "BackupService.9998"},
	}, byStatus)
	assert.Equal(t, ErrorCode{Status: 400, Code: "BackupService.1011", Meaning: "the destination project does not support replication"}, facts.ErrorCodes[0])
	assert.Equal(t, `{"error_code": "BackupService.6120", "error_msg": "The destination vault does not exist."}`, facts.ErrorExample)
	assert.Equal(t, []string{"https://cbr.eu-de.otc.t-systems.com", "https://cbr.eu-nl.otc.t-systems.com"}, facts.Endpoints,
		"neither the placeholder https://{endpoint} nor the catalog's URLs with /v3/... are endpoints")
}

func TestReadAppendixReadsEveryCode(t *testing.T) {
	facts := readFacts(t)

	assert.Len(t, facts.Appendix, 160, "the rows of error_codes.rst")
	assert.Equal(t, ErrorCode{Status: 400, Code: "BackupService.6120", Meaning: "The destination vault does not exist."}, facts.Appendix["BackupService.6120"])
	assert.Equal(t, ErrorCode{Status: 500, Code: "BackupService.6139", Meaning: "Failed to obtain xdomain_type."}, facts.Appendix["BackupService.6139"],
		"inline markup is reduced to its text")
	for _, ec := range facts.ErrorCodes {
		assert.Equal(t, ec.Status, facts.Appendix[ec.Code].Status, "cbr-facts.md and the appendix give %s the same status", ec.Code)
	}
}

func TestReadAppendixRejects(t *testing.T) {
	table := func(rows ...[3]string) *Page {
		tb := Table{Header: []string{"Status Code", "Error Code", "Error Message"}}
		for _, r := range rows {
			tb.Rows = append(tb.Rows, Row{Cells: []Cell{{Lines: []string{r[0]}}, {Lines: []string{r[1]}}, {Lines: []string{r[2]}}}})
		}
		return &Page{Title: "Error Codes", Tables: []Table{tb}}
	}
	tests := []struct {
		name string
		page *Page
		err  string
	}{
		{name: "page without a table of codes", page: &Page{Title: "Error Codes"}, err: "no table of error codes"},
		{name: "status that is not a number", page: table([3]string{"4xx", "BackupService.6120", "m"}), err: `row "4xx BackupService.6120" is not`},
		{name: "code listed twice", page: table([3]string{"400", "BackupService.6120", "m"}, [3]string{"404", "BackupService.6120", "n"}), err: `row "404 BackupService.6120" is not a new`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := (&Facts{}).ReadAppendix(tt.page)
			require.ErrorContains(t, err, "parse error_codes.rst: ")
			assert.ErrorContains(t, err, tt.err)
		})
	}
}

func TestParseFactsRejects(t *testing.T) {
	const (
		codes     = "| status | error_code | meaning |\n| --- | --- | --- |\n| 400 | BackupService.6120 | the destination vault does not exist |\n"
		example   = "Example: `{\"error_code\": \"BackupService.6120\", \"error_msg\": \"Destination vault does not exist.\"}`\n"
		endpoints = "## Endpoints\n\nThe list gives `https://cbr.eu-de.otc.t-systems.com`.\n"
	)
	tests := []struct {
		name, text string
		errs       []string
	}{
		{name: "facts without an Error responses section", text: endpoints,
			errs: []string{`no section "Error responses"`}},
		{name: "error codes table missing", text: "## Error responses\n\n" + example + endpoints,
			errs: []string{"no table with the columns status | error_code | meaning"}},
		{name: "status that is not a number", text: "## Error responses\n\n" + strings.Replace(codes, "| 400 |", "| 4xx |", 1) + "\n" + example + endpoints,
			errs: []string{`row "4xx | BackupService.6120 | the destination vault does not exist" is not status | error_code | meaning`}},
		{name: "example line missing", text: "## Error responses\n\n" + codes + endpoints,
			errs: []string{"no line \"Example: `{...}`\""}},
		{name: "example that is not JSON", text: "## Error responses\n\n" + codes + "\nExample: `{oops`\n" + endpoints,
			errs: []string{"error example {oops is not JSON"}},
		{name: "endpoints section missing", text: "## Error responses\n\n" + codes + "\n" + example,
			errs: []string{`no section "Endpoints" with URLs`}},
		{name: "every fault at once", text: "## Error responses\n\nnothing\n",
			errs: []string{"no table with the columns", "no line \"Example:", `no section "Endpoints"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseFacts(strings.NewReader(tt.text))
			require.Error(t, err)
			assert.Contains(t, err.Error(), "parse cbr-facts.md: ")
			for _, e := range tt.errs {
				assert.Contains(t, err.Error(), e)
			}
		})
	}
	t.Run("minimal facts parse", func(t *testing.T) {
		f, err := ParseFacts(strings.NewReader("## Error responses\n\n" + codes + "\n" + example + endpoints))
		require.NoError(t, err)
		assert.Len(t, f.ErrorCodes, 1)
		assert.Equal(t, []string{"https://cbr.eu-de.otc.t-systems.com"}, f.Endpoints)
	})
}
