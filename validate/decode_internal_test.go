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
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || !json.Valid(data) {
		return nil, false
	}
	return v, true
}

// wellFormed are JSON texts both decoders accept, with the same value.
var wellFormed = []string{
	`{"replicate":{"vault_id":"3b5816b5-f29c-4172-9d9a-76c719a659ce","auto_trigger":false,"n":null}}`,
	`[1,-0,0.5,1e3,-1.5E-7,12345678901234567890123,1e400]`,
	`"\u00e9\ud83d\ude00\u0041\"\\\/\b\f\n\r\t"`,
	`{"a":1,"A":3,"vault\u005fid":"x"}`,
	` { } `, `[]`, `true`, `false`, `null`, `0`, "\t\n 7 \r", `[[],{},[{}]]`,
}

func TestDecodeMatchesEncodingJSON(t *testing.T) {
	for _, s := range wellFormed {
		t.Run(s, func(t *testing.T) {
			want, ok := stdDecode([]byte(s))
			require.True(t, ok)
			var vs violations
			got, ok := (&Validator{}).decodeJSON([]byte(s), nil, nil, true, &vs)
			require.True(t, ok, "%v", vs.list)
			assert.Empty(t, vs.list)
			assert.Equal(t, want, got)
		})
	}
}

func TestDecodeRejectsMalformedJSON(t *testing.T) {
	tests := []struct {
		name, data, pointer, rule string
		stdAccepts                bool // encoding/json lets it through
	}{
		{"number with a leading zero", `01`, "", RuleJSON, false},
		{"number ending in a dot", `1.`, "", RuleJSON, false},
		{"number ending in an exponent", `1e`, "", RuleJSON, false},
		{"minus alone", `-`, "", RuleJSON, false},
		{"number starting with a dot", `.5`, "", RuleJSON, false},
		{"number with a plus sign", `+1`, "", RuleJSON, false},
		{"trailing comma in an array", `[1,]`, "", RuleJSON, false},
		{"trailing comma in an object", `{"a":1,}`, "", RuleJSON, false},
		{"missing colon", `{"a" 1}`, "/a", RuleJSON, false},
		{"unquoted key", `{a:1}`, "", RuleJSON, false},
		{"unknown escape", `"\x"`, "", RuleJSON, false},
		{"control character in a string", "\"\x01\"", "", RuleJSON, false},
		{"short unicode escape", `"\u12"`, "", RuleJSON, false},
		{"two values", `{} {}`, "", RuleJSON, false},
		{"trailing garbage", `{"a":1} x`, "", RuleJSON, false},
		{"truncated true", `tru`, "", RuleJSON, false},
		{"truncated null", `nul`, "", RuleJSON, false},
		{"unclosed array", `[`, "", RuleJSON, false},
		{"object without value", `{"a":`, "/a", RuleJSON, false},
		{"unclosed string", `"abc`, "", RuleJSON, false},
		{"two numbers", `1 2`, "", RuleJSON, false},
		{"mismatched brackets", `[1}`, "", RuleJSON, false},
		{"empty", ``, "", RuleJSON, false},
		{"blank", " \n\t", "", RuleJSON, false},
		{"byte order mark", "\xEF\xBB\xBF{}", "", RuleJSON, false},
		{"lone high surrogate", `"\ud800"`, "", RuleJSON, true},
		{"lone low surrogate", `["\udc00"]`, "/0", RuleJSON, true},
		{"high surrogate before a non-surrogate escape", `{"a":"\ud800\u0041"}`, "/a", RuleJSON, true},
		{"invalid UTF-8", "{\"a\":\"caf\xc3\xa9 \xff\"}", "/a", RuleJSON, true},
		{"nesting deeper than 10000", strings.Repeat("[", 10001) + strings.Repeat("]", 10001), "", RuleJSON, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stdOK := stdDecode([]byte(tt.data))
			if tt.name != "nesting deeper than 10000" {
				assert.Equal(t, tt.stdAccepts, stdOK, "encoding/json")
			}
			var vs violations
			got, ok := (&Validator{}).decodeJSON([]byte(tt.data), nil, nil, true, &vs)
			assert.False(t, ok)
			assert.Nil(t, got)
			require.Len(t, vs.list, 1)
			assert.Equal(t, tt.rule, vs.list[0].Rule, vs.list[0].Message)
			if tt.name != "nesting deeper than 10000" {
				assert.Equal(t, tt.pointer, vs.list[0].Pointer, vs.list[0].Message)
			}
			assert.NotEmpty(t, vs.list[0].Message)
		})
	}
}

func TestDecodeReportsEveryDuplicateKey(t *testing.T) {
	data := []byte(`{"a":{"b":1,"b":2},"l":[{"c":1,"\u0063":2}],"a":3,"a":4}`)
	_, stdOK := stdDecode(data)
	assert.True(t, stdOK, "encoding/json lets duplicates through")
	var vs violations
	_, ok := (&Validator{}).decodeJSON(data, nil, nil, true, &vs)
	assert.True(t, ok, "the JSON is well-formed")
	var ptrs []string
	for _, v := range vs.list {
		assert.Equal(t, RuleDuplicateKey, v.Rule)
		ptrs = append(ptrs, v.Pointer)
	}
	assert.Equal(t, []string{"/a/b", "/l/0/c", "/a", "/a"}, ptrs)
}

// FuzzDecode checks that what the decoder accepts, encoding/json accepts
// too, with the same value: the decoder is only ever stricter.
func FuzzDecode(f *testing.F) {
	for _, s := range wellFormed {
		f.Add([]byte(s))
	}
	f.Add([]byte(`"\ud800"`))
	f.Add([]byte(`{"a":1,"a":2}`))
	f.Add([]byte(`{"a":{"b":1,"\u0062":2}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var vs violations
		got, ok := (&Validator{}).decodeJSON(data, nil, nil, true, &vs)
		if !ok {
			if n := len(vs.list); n == 0 || vs.list[n-1].Rule != RuleJSON {
				t.Fatalf("rejected %q without a json violation: %v", data, vs.list)
			}
			return
		}
		for _, v := range vs.list {
			if v.Rule != RuleDuplicateKey {
				t.Fatalf("accepted %q with violation %v", data, v)
			}
		}
		want, stdOK := stdDecode(data)
		if !stdOK {
			t.Fatalf("decoder accepts %q, encoding/json does not", data)
		}
		if !assert.ObjectsAreEqual(want, got) {
			t.Fatalf("values differ for %q:\nencoding/json %#v\ndecoder       %#v", data, want, got)
		}
	})
}
