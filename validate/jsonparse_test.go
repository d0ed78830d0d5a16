package validate

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stdDecode decodes as openapi3filter does (encoding/json, UseNumber) and
// reports whether encoding/json accepts data as one JSON value.
func stdDecode(data []byte) (any, bool) {
	if !json.Valid(data) {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	return v, true
}

// internedKeys is a key table as New builds it.
var internedKeys = map[string]string{"a": "a", "replicate": "replicate", "vault_id": "vault_id", "A": "A"}

var parserSeeds = []string{
	`{"replicate":{"vault_id":"3b5816b5-f29c-4172-9d9a-76c719a659ce","auto_trigger":false,"n":null}}`,
	`[1,-0,0.5,1e3,-1.5E-7,12345678901234567890123]`,
	`"\u00e9\ud83d\ude00\ud800\udc00\ud800x\udc00\u0041\"\\\/\b\f\n\r\t"`,
	"\"caf\xc3\xa9 \xff\xfe bad utf8\"",
	`{"a":1,"a":2,"A":3}`,
	` { } `, `[]`, `true`, `false`, `null`, `0`,
	`01`, `1.`, `1e`, `-`, `.5`, `+1`, `[1,]`, `{"a":1,}`, `{"a" 1}`, `{a:1}`, `"\x"`, "\"\x01\"", `"\u12"`,
	`{} {}`, `tru`, `nul`, `[`, `{"a":`, `"abc`, `1 2`, "\t\n 7 \r",
}

func TestParserMatchesEncodingJSON(t *testing.T) {
	for _, s := range parserSeeds {
		t.Run(s, func(t *testing.T) {
			want, ok := stdDecode([]byte(s))
			for _, keys := range []map[string]string{nil, internedKeys} {
				p := parser{data: []byte(s), keys: keys}
				got, err := p.parse()
				require.Equal(t, ok, err == nil, "accepts as encoding/json does: %v", err)
				if ok {
					assert.Equal(t, want, got)
				}
			}
		})
	}
}

func TestParserDepthLimitMatchesEncodingJSON(t *testing.T) {
	for _, n := range []int{maxDepth, maxDepth + 1} {
		data := []byte(strings.Repeat("[", n) + strings.Repeat("]", n))
		_, ok := stdDecode(data)
		p := parser{data: data}
		_, err := p.parse()
		assert.Equal(t, ok, err == nil, "depth %d", n)
	}
}

func TestParserReportsEveryDuplicateKey(t *testing.T) {
	p := parser{data: []byte(`{"a":{"b":1,"b":2},"l":[{"c":1,"c":2}],"a":3}`)}
	_, err := p.parse()
	require.NoError(t, err)
	var ptrs []string
	for _, v := range p.dups {
		assert.Equal(t, RuleDuplicateKey, v.Rule)
		ptrs = append(ptrs, v.Pointer)
	}
	assert.ElementsMatch(t, []string{"/a/b", "/l/0/c", "/a"}, ptrs)
}

// FuzzParser checks that the one-pass parser accepts exactly what
// encoding/json accepts and yields the same value.
func FuzzParser(f *testing.F) {
	for _, s := range parserSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		want, ok := stdDecode(data)
		for _, keys := range []map[string]string{nil, internedKeys} {
			p := parser{data: data, keys: keys}
			got, err := p.parse()
			if ok != (err == nil) {
				t.Fatalf("encoding/json accepts: %v, parser error: %v, input %q", ok, err, data)
			}
			if ok && !assert.ObjectsAreEqual(want, got) {
				t.Fatalf("values differ for %q:\nencoding/json %#v\nparser        %#v", data, want, got)
			}
		}
	})
}
