package validate

import (
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// maxDepth bounds the nesting of arrays and objects, as encoding/json does.
const maxDepth = 10000

// syntaxError is malformed JSON at a byte offset.
type syntaxError struct {
	msg    string
	offset int
}

func (e *syntaxError) Error() string { return e.msg }

// parser decodes JSON in one pass into the values encoding/json produces
// with UseNumber (map[string]any, []any, string, json.Number, bool, nil),
// and records every object that repeats a key (encoding/json silently keeps
// the last value, which the parser keeps as well). It replaces a
// json.Decoder plus a second scan for duplicates: the bodies are validated
// on every call, so one pass matters.
type parser struct {
	data  []byte
	i     int
	depth int
	path  []string
	dups  []Violation
	keys  map[string]string // interned object keys, may be nil
}

// parse decodes data, which must hold exactly one JSON value.
func (p *parser) parse() (any, error) {
	p.skipSpace()
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.i < len(p.data) {
		return nil, p.errorf("invalid character %s after top-level value", quoteChar(p.data[p.i]))
	}
	return v, nil
}

func (p *parser) errorf(format string, args ...any) error {
	return &syntaxError{msg: fmt.Sprintf(format, args...), offset: p.i}
}

func (p *parser) eof() error {
	return &syntaxError{msg: "unexpected end of JSON input", offset: len(p.data)}
}

func quoteChar(c byte) string {
	if c == '\'' {
		return `'\''`
	}
	if c == '"' {
		return `'"'`
	}
	s := strconv.Quote(string(c))
	return "'" + s[1:len(s)-1] + "'"
}

func (p *parser) skipSpace() {
	for p.i < len(p.data) {
		switch p.data[p.i] {
		case ' ', '\t', '\r', '\n':
			p.i++
		default:
			return
		}
	}
}

func (p *parser) value() (any, error) {
	if p.i >= len(p.data) {
		return nil, p.eof()
	}
	switch c := p.data[p.i]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		return p.str()
	case c == 't':
		return true, p.literal("true")
	case c == 'f':
		return false, p.literal("false")
	case c == 'n':
		return nil, p.literal("null")
	case c == '-' || '0' <= c && c <= '9':
		return p.number()
	default:
		return nil, p.errorf("invalid character %s looking for beginning of value", quoteChar(c))
	}
}

func (p *parser) literal(word string) error {
	for j := 0; j < len(word); j++ {
		if p.i >= len(p.data) {
			return p.eof()
		}
		if p.data[p.i] != word[j] {
			return p.errorf("invalid character %s in literal %s (expecting %s)", quoteChar(p.data[p.i]), word, quoteChar(word[j]))
		}
		p.i++
	}
	return nil
}

func (p *parser) number() (any, error) {
	start := p.i
	digits := func() int {
		n := 0
		for p.i < len(p.data) && '0' <= p.data[p.i] && p.data[p.i] <= '9' {
			p.i++
			n++
		}
		return n
	}
	if p.data[p.i] == '-' {
		p.i++
	}
	switch {
	case p.i >= len(p.data):
		return nil, p.eof()
	case p.data[p.i] == '0':
		p.i++
	case '1' <= p.data[p.i] && p.data[p.i] <= '9':
		digits()
	default:
		return nil, p.errorf("invalid character %s in numeric literal", quoteChar(p.data[p.i]))
	}
	if p.i < len(p.data) && p.data[p.i] == '.' {
		p.i++
		if p.i >= len(p.data) {
			return nil, p.eof()
		}
		if digits() == 0 {
			return nil, p.errorf("invalid character %s after decimal point in numeric literal", quoteChar(p.data[p.i]))
		}
	}
	if p.i < len(p.data) && (p.data[p.i] == 'e' || p.data[p.i] == 'E') {
		p.i++
		if p.i < len(p.data) && (p.data[p.i] == '+' || p.data[p.i] == '-') {
			p.i++
		}
		if p.i >= len(p.data) {
			return nil, p.eof()
		}
		if digits() == 0 {
			return nil, p.errorf("invalid character %s in exponent of numeric literal", quoteChar(p.data[p.i]))
		}
	}
	return json.Number(p.data[start:p.i]), nil
}

func (p *parser) object() (any, error) {
	p.i++ // '{'
	if p.depth++; p.depth > maxDepth {
		return nil, p.errorf("exceeded max depth")
	}
	defer func() { p.depth-- }()
	m := make(map[string]any)
	p.skipSpace()
	if p.i < len(p.data) && p.data[p.i] == '}' {
		p.i++
		return m, nil
	}
	for {
		p.skipSpace()
		if p.i >= len(p.data) {
			return nil, p.eof()
		}
		if p.data[p.i] != '"' {
			return nil, p.errorf("invalid character %s looking for beginning of object key string", quoteChar(p.data[p.i]))
		}
		key, err := p.key()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.i >= len(p.data) {
			return nil, p.eof()
		}
		if p.data[p.i] != ':' {
			return nil, p.errorf("invalid character %s after object key", quoteChar(p.data[p.i]))
		}
		p.i++
		p.skipSpace()
		p.path = append(p.path, key)
		if _, dup := m[key]; dup {
			p.dups = append(p.dups, Violation{In: InBody, Pointer: pointer(p.path...), Rule: RuleDuplicateKey,
				Message: "the object repeats this key; only one value per key is allowed"})
		}
		v, err := p.value()
		p.path = p.path[:len(p.path)-1]
		if err != nil {
			return nil, err
		}
		m[key] = v
		p.skipSpace()
		if p.i >= len(p.data) {
			return nil, p.eof()
		}
		switch p.data[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			return m, nil
		default:
			return nil, p.errorf("invalid character %s after object key:value pair", quoteChar(p.data[p.i]))
		}
	}
}

func (p *parser) array() (any, error) {
	p.i++ // '['
	if p.depth++; p.depth > maxDepth {
		return nil, p.errorf("exceeded max depth")
	}
	defer func() { p.depth-- }()
	a := []any{}
	p.skipSpace()
	if p.i < len(p.data) && p.data[p.i] == ']' {
		p.i++
		return a, nil
	}
	for {
		p.skipSpace()
		p.path = append(p.path, strconv.Itoa(len(a)))
		v, err := p.value()
		p.path = p.path[:len(p.path)-1]
		if err != nil {
			return nil, err
		}
		a = append(a, v)
		p.skipSpace()
		if p.i >= len(p.data) {
			return nil, p.eof()
		}
		switch p.data[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			return a, nil
		default:
			return nil, p.errorf("invalid character %s after array element", quoteChar(p.data[p.i]))
		}
	}
}

// key decodes an object key, returning the interned string for the
// property names the parser knows.
func (p *parser) key() (string, error) {
	if p.keys != nil {
		start := p.i + 1
		end := start
		for end < len(p.data) && p.data[end] != '"' && p.data[end] != '\\' && p.data[end] >= 0x20 && p.data[end] < utf8.RuneSelf {
			end++
		}
		if end < len(p.data) && p.data[end] == '"' {
			if k, ok := p.keys[string(p.data[start:end])]; ok {
				p.i = end + 1
				return k, nil
			}
		}
	}
	return p.str()
}

// str decodes a string as encoding/json does: invalid UTF-8 and lone
// surrogates become U+FFFD, control characters are errors.
func (p *parser) str() (string, error) {
	p.i++ // opening quote
	start := p.i
	for p.i < len(p.data) {
		c := p.data[p.i]
		if c == '"' {
			s := string(p.data[start:p.i])
			p.i++
			return s, nil
		}
		if c == '\\' || c < 0x20 || c >= utf8.RuneSelf {
			break
		}
		p.i++
	}
	buf := make([]byte, p.i-start, p.i-start+16)
	copy(buf, p.data[start:p.i])
	for p.i < len(p.data) {
		c := p.data[p.i]
		switch {
		case c == '"':
			p.i++
			return string(buf), nil
		case c < 0x20:
			return "", p.errorf("invalid character %s in string literal", quoteChar(c))
		case c == '\\':
			p.i++
			if p.i >= len(p.data) {
				return "", p.eof()
			}
			e := p.data[p.i]
			p.i++
			switch e {
			case '"', '\\', '/':
				buf = append(buf, e)
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'u':
				r, err := p.hex4()
				if err != nil {
					return "", err
				}
				if utf16.IsSurrogate(r) {
					r2, ok := p.peekLowSurrogate()
					if dec := utf16.DecodeRune(r, r2); ok && dec != utf8.RuneError {
						p.i += 6
						r = dec
					} else {
						r = utf8.RuneError
					}
				}
				buf = utf8.AppendRune(buf, r)
			default:
				p.i--
				return "", p.errorf("invalid character %s in string escape code", quoteChar(e))
			}
		case c < utf8.RuneSelf:
			buf = append(buf, c)
			p.i++
		default:
			r, size := utf8.DecodeRune(p.data[p.i:])
			if r == utf8.RuneError && size == 1 {
				buf = utf8.AppendRune(buf, utf8.RuneError)
			} else {
				buf = append(buf, p.data[p.i:p.i+size]...)
			}
			p.i += size
		}
	}
	return "", p.eof()
}

// hex4 reads the four hexadecimal digits of a \u escape.
func (p *parser) hex4() (rune, error) {
	var r rune
	for j := 0; j < 4; j++ {
		if p.i >= len(p.data) {
			return 0, p.eof()
		}
		c := p.data[p.i]
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, p.errorf("invalid character %s in \\u hexadecimal character escape", quoteChar(c))
		}
		r = r*16 + rune(c)
		p.i++
	}
	return r, nil
}

// peekLowSurrogate reads a following \uXXXX escape without consuming it.
func (p *parser) peekLowSurrogate() (rune, bool) {
	if p.i+6 > len(p.data) || p.data[p.i] != '\\' || p.data[p.i+1] != 'u' {
		return 0, false
	}
	var r rune
	for _, c := range p.data[p.i+2 : p.i+6] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r*16 + rune(c)
	}
	return r, true
}
