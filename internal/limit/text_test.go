package limit_test

import (
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"

	"github.com/cbr-replicate/cbr-replicate/internal/limit"
)

func TestText(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		n        int
		want     string
	}{
		{"text within the bound is kept", "abc", 3, "abc"},
		{"text over the bound ends in an ellipsis within n runes", "abcdef", 4, "abc…"},
		{"the bound counts runes, not bytes", "äöüß", 4, "äöüß"},
		{"a multibyte text is cut between runes", "äöüßé", 3, "äö…"},
		{"invalid UTF-8 becomes U+FFFD", "a\xffb", 8, "a\uFFFDb"},
		{"a bound below one gives nothing", "abc", 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := limit.Text(tc.in, tc.n)
			assert.Equal(t, tc.want, got)
			assert.LessOrEqual(t, utf8.RuneCountInString(got), max(tc.n, 0))
		})
	}
}
