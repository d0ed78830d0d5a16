package contract

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/gen/cbr"
)

const (
	htmlPage = "CopyCheckpoint.html"
	rstPage  = "replicating_a_restore_point.rst"
	specFile = "../../openapi/cbr-replicate.yaml"
)

// readPage parses a page kept verbatim in testdata, with ParsePage or
// ParseRST as its extension says.
func readPage(t testing.TB, file string) *Page {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", file))
	require.NoError(t, err)
	parse := ParsePage
	if strings.HasSuffix(file, ".rst") {
		parse = ParseRST
	}
	page, err := parse(bytes.NewReader(data))
	require.NoError(t, err, file)
	return page
}

// readPages parses the page of every source, by file.
func readPages(t testing.TB) map[string]*Page {
	t.Helper()
	pages := map[string]*Page{}
	for _, src := range Sources {
		pages[src.File] = readPage(t, src.File)
	}
	return pages
}

// source returns the source of file.
func source(t testing.TB, file string) Source {
	t.Helper()
	i := slices.IndexFunc(Sources, func(s Source) bool { return s.File == file })
	require.GreaterOrEqual(t, i, 0, "%s is not in Sources", file)
	return Sources[i]
}

// readFacts parses the copies of cbr-facts.md and of the error-code
// appendix kept verbatim in testdata.
func readFacts(t testing.TB) *Facts {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", factsFile))
	require.NoError(t, err)
	facts, err := ParseFacts(bytes.NewReader(data))
	require.NoError(t, err)
	require.NoError(t, facts.ReadAppendix(readPage(t, appendixFile)))
	return facts
}

// specYAML returns the text of the spec file.
func specYAML(t testing.TB) string {
	t.Helper()
	data, err := os.ReadFile(specFile)
	require.NoError(t, err)
	return string(data)
}

// loadSpec loads spec text (YAML or JSON) with kin-openapi and validates it.
func loadSpec(t testing.TB, text string) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData([]byte(text))
	require.NoError(t, err)
	require.NoError(t, doc.Validate(context.Background(), openapi3.EnableExamplesValidation()))
	return doc
}

// embeddedSpec returns the spec embedded in package cbr.
func embeddedSpec(t testing.TB) *openapi3.T {
	t.Helper()
	doc, err := cbr.GetSpec()
	require.NoError(t, err)
	return doc
}

// pageExample returns the only example block of a section of the page.
func pageExample(t testing.TB, page *Page, section string) Example {
	t.Helper()
	var found []Example
	for _, e := range page.Examples {
		if e.Section == section {
			found = append(found, e)
		}
	}
	require.Len(t, found, 1, "examples in section %q", section)
	return found[0]
}
