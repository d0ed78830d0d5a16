package cbrtest

import (
	"fmt"
	"strconv"
	"strings"
)

// preference is what a request's Prefer header asks of the fake, as
// Stoplight Prism reads it: "code=<status>" forces a status, and
// "example=<name>" picks a named example of the spec for it.
type preference struct {
	status  int    // 0: not set
	example string // "": not set
}

// parsePrefer reads the Prefer header fields of a request (RFC 7240):
// comma-separated preferences, each "token [= word]" with optional
// ";"-separated parameters. Parameters are read as preferences too, so both
// "code=404, example=X" and "code=404; example=X" work, as in Prism. Names are
// case-insensitive; the first occurrence of a name counts (RFC 7240, 2);
// names other than code and example are ignored, as the RFC asks. It fails on
// a malformed field or an unusable code.
func parsePrefer(fields []string) (preference, error) {
	var p preference
	var seenCode, seenExample bool
	for _, field := range fields {
		items, err := splitPrefer(field)
		if err != nil {
			return preference{}, err
		}
		for _, it := range items {
			switch strings.ToLower(it.name) {
			case "code":
				if seenCode {
					continue
				}
				seenCode = true
				status, err := parseCode(it)
				if err != nil {
					return preference{}, err
				}
				p.status = status
			case "example":
				if seenExample {
					continue
				}
				seenExample = true
				if !it.hasValue || it.value == "" {
					return preference{}, fmt.Errorf("preference example needs a name, as in example=DestinationVaultNotFound")
				}
				p.example = it.value
			}
		}
	}
	return p, nil
}

// applied renders the preferences the fake followed for the
// Preference-Applied response header (RFC 7240, 3), "" if none.
func (p preference) applied() string {
	var parts []string
	if p.status != 0 {
		parts = append(parts, "code="+strconv.Itoa(p.status))
	}
	if p.example != "" {
		v := p.example
		if !isToken(v) {
			v = strconv.Quote(v) // a quoted-string; names of the spec need none
		}
		parts = append(parts, "example="+v)
	}
	return strings.Join(parts, ", ")
}

func parseCode(it preferItem) (int, error) {
	if !it.hasValue || it.value == "" {
		return 0, fmt.Errorf("preference code needs a status, as in code=404")
	}
	v := it.value
	if len(v) != 3 || strings.Trim(v, "0123456789") != "" {
		return 0, fmt.Errorf("preference code=%s is not a three-digit HTTP status", quoteValue(v))
	}
	status, _ := strconv.Atoi(v)
	if err := checkStatus(status); err != nil {
		return 0, fmt.Errorf("preference code=%d: %w", status, err)
	}
	return status, nil
}

// quoteValue shortens and quotes a value from the request for a message.
func quoteValue(v string) string {
	const max = 32
	if len(v) > max {
		v = v[:max] + "..."
	}
	return strconv.Quote(v)
}

type preferItem struct {
	name     string
	value    string
	hasValue bool
}

// splitPrefer tokenises one Prefer field into its preferences and their
// parameters, flattened. Empty list elements are skipped, as RFC 7230's
// list rule allows.
func splitPrefer(s string) ([]preferItem, error) {
	var items []preferItem
	i := 0
	for {
		i = skipOWS(s, i)
		if i >= len(s) {
			return items, nil
		}
		if s[i] == ',' || s[i] == ';' {
			i++
			continue
		}
		start := i
		for i < len(s) && isTokenChar(s[i]) {
			i++
		}
		if i == start {
			return nil, fmt.Errorf("malformed: unexpected %s at offset %d, a preference name is expected",
				quoteValue(s[i:i+1]), i)
		}
		it := preferItem{name: s[start:i]}
		i = skipOWS(s, i)
		if i < len(s) && s[i] == '=' {
			it.hasValue = true
			i = skipOWS(s, i+1)
			v, next, err := readWord(s, i)
			if err != nil {
				return nil, fmt.Errorf("malformed: preference %s: %w", quoteValue(it.name), err)
			}
			it.value, i = v, next
			i = skipOWS(s, i)
		}
		if i < len(s) && s[i] != ',' && s[i] != ';' {
			return nil, fmt.Errorf("malformed: unexpected %s at offset %d after preference %s",
				quoteValue(s[i:i+1]), i, quoteValue(it.name))
		}
		items = append(items, it)
	}
}

// readWord reads a token or a quoted-string starting at i.
func readWord(s string, i int) (string, int, error) {
	if i < len(s) && s[i] == '"' {
		var b strings.Builder
		for i++; i < len(s); i++ {
			switch c := s[i]; {
			case c == '"':
				return b.String(), i + 1, nil
			case c == '\\':
				if i+1 >= len(s) {
					return "", 0, fmt.Errorf("unterminated quoted value")
				}
				i++
				b.WriteByte(s[i])
			case c < ' ' && c != '\t', c == 0x7f:
				return "", 0, fmt.Errorf("control character in quoted value")
			default:
				b.WriteByte(c)
			}
		}
		return "", 0, fmt.Errorf("unterminated quoted value")
	}
	start := i
	for i < len(s) && isTokenChar(s[i]) {
		i++
	}
	if i == start {
		return "", 0, fmt.Errorf("a value is expected after '='")
	}
	return s[start:i], i, nil
}

func skipOWS(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i
}

// isToken reports whether s is a non-empty RFC 7230 token.
func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isTokenChar(s[i]) {
			return false
		}
	}
	return s != ""
}

// isTokenChar reports whether c is a tchar of RFC 7230.
func isTokenChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}
