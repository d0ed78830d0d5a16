package contract

import (
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/cbr-replicate/cbr-replicate/internal/limit"
)

var (
	// The inline markup of the pages' reStructuredText, in the order it is
	// undone: ``literal``, :ref:`Text <anchor>` and `text <url>`__, **strong**.
	literalRe = regexp.MustCompile("``([^`]+)``")
	linkRe    = regexp.MustCompile("(?::ref:)?`([^`<]*?)\\s*<[^`>]*>`_{0,2}")
	strongRe  = regexp.MustCompile(`\*\*([^*]+)\*\*`)
)

// ParseRST reads an API reference page in the reStructuredText of Open
// Telekom Cloud's documentation sources into the Page that ParsePage reads
// from the HTML: the title (underlined with =), the sections (underlined
// with -) and their paragraphs, the tables (grid and simple, with their
// ".. table:: **Table N** Caption" and ".. _anchor:" label) and the
// ".. code-block::" examples. Inline markup is reduced to its text, as the
// HTML reader does. It reads only what those pages use: anything else is an
// error naming its line.
func ParseRST(r io.Reader) (*Page, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("parse rst: %w", err)
	}
	p := rstParser{lines: strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n"), page: &Page{Sections: map[string][]string{}}}
	if err := p.parse(); err != nil {
		return nil, fmt.Errorf("parse rst: %w", err)
	}
	if p.page.Title == "" {
		return nil, fmt.Errorf("parse rst: no title (a line underlined with =)")
	}
	return p.page, nil
}

// rstParser holds the state of one ParseRST run; the fields after page
// play the part of the HTML walker's.
type rstParser struct {
	lines                  []string
	i                      int // the line being read, from 0
	page                   *Page
	section, label, anchor string
	status                 int
}

func (p *rstParser) parse() error {
	for p.i < len(p.lines) {
		line, n := p.lines[p.i], p.i+1
		switch {
		case strings.TrimSpace(line) == "":
			p.i++
		case p.i+1 < len(p.lines) && isUnderline(p.lines[p.i+1], line):
			switch title := normalise(inline(line)); p.lines[p.i+1][0] {
			case '=':
				if p.page.Title != "" {
					return fmt.Errorf("line %d: a second title %q", n, title)
				}
				p.page.Title = title
			case '-':
				p.section, p.status, p.label = title, 0, ""
			default:
				return fmt.Errorf("line %d: heading %q underlined with %q: only = (title) and - (section) are read", n, title, p.lines[p.i+1][0])
			}
			p.anchor = ""
			p.i += 2
		case strings.HasPrefix(line, ".. _") && strings.HasSuffix(line, ":"):
			p.anchor = line[len(".. _") : len(line)-1]
			p.i++
		case strings.HasPrefix(line, ".. table::"):
			caption := normalise(inline(strings.TrimPrefix(line, ".. table::")))
			block, first, err := p.block()
			if err != nil {
				return err
			}
			if err := p.table(caption, block, first); err != nil {
				return err
			}
		case strings.HasPrefix(line, ".. code-block::"):
			block, _, err := p.block()
			if err != nil {
				return err
			}
			p.page.Examples = append(p.page.Examples, Example{Section: p.section, Status: p.status, Label: p.label, Text: strings.Join(block, "\n")})
			p.label = ""
		case strings.HasPrefix(line, ":") && p.page.Title == "": // a field such as :original_name: before the title
			p.i++
		case strings.HasPrefix(line, "+-") || strings.HasPrefix(line, "="): // a table without a directive
			if err := p.table("", p.untilBlank(), n); err != nil {
				return err
			}
		case strings.HasPrefix(line, " ") || strings.HasPrefix(line, ".."):
			return fmt.Errorf("line %d: %q is not read (only tables, code-block examples, labels, headings and paragraphs are)", n, limit.Text(line, limit.Message))
		default:
			p.paragraph()
		}
	}
	return nil
}

// paragraph reads the lines up to the next blank one as the HTML walker
// reads a <p>.
func (p *rstParser) paragraph() {
	t := normalise(inline(strings.Join(p.untilBlank(), " ")))
	if m := statusRe.FindStringSubmatch(t); m != nil {
		p.status, _ = strconv.Atoi(m[1])
		p.label = ""
	} else {
		p.label = t
	}
	if p.section != "" {
		p.page.Sections[p.section] = append(p.page.Sections[p.section], t)
	}
	p.anchor = ""
}

// untilBlank returns the lines from p.i up to the next blank one.
func (p *rstParser) untilBlank() []string {
	start := p.i
	for p.i < len(p.lines) && strings.TrimSpace(p.lines[p.i]) != "" {
		p.i++
	}
	return p.lines[start:p.i]
}

// block returns the indented lines after the directive at line p.i,
// without their indentation, and the line number of the first.
func (p *rstParser) block() (lines []string, first int, err error) {
	directive := p.i + 1
	indent := 0
	for p.i++; p.i < len(p.lines); p.i++ {
		l := p.lines[p.i]
		if strings.TrimSpace(l) == "" {
			if first > 0 {
				lines = append(lines, "")
			}
			continue
		}
		w := len(l) - len(strings.TrimLeft(l, " "))
		if w == 0 {
			break
		}
		if first == 0 {
			first, indent = p.i+1, w
		}
		if w < indent {
			return nil, 0, fmt.Errorf("line %d: indented less than the directive's first line", p.i+1)
		}
		lines = append(lines, l[indent:])
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if first == 0 {
		return nil, 0, fmt.Errorf("line %d: directive without content", directive)
	}
	return lines, first, nil
}

// table reads a grid or simple table whose first line is line number first.
func (p *rstParser) table(caption string, lines []string, first int) error {
	t := Table{ID: p.anchor, Section: p.section, Status: p.status, Caption: caption}
	if m := captionRe.FindStringSubmatch(caption); m != nil {
		t.Number, _ = strconv.Atoi(m[1])
		t.Caption = m[2]
	}
	var rows []Row
	var err error
	switch {
	case strings.HasPrefix(lines[0], "+-"):
		rows, err = gridRows(lines, first)
	case strings.HasPrefix(lines[0], "="):
		rows, err = simpleRows(lines, first)
	default:
		err = fmt.Errorf("line %d: a table starts with +--- or ===", first)
	}
	if err != nil {
		return err
	}
	for _, c := range rows[0].Cells {
		t.Header = append(t.Header, c.Text())
	}
	t.Rows = rows[1:]
	p.page.Tables = append(p.page.Tables, t)
	p.anchor = ""
	return nil
}

// gridRows reads a grid table (+---+ borders, +===+ under its one header
// row): the header row first. Cells are found at the columns of the first
// border, so a | inside a cell is text; a spanning cell is an error.
func gridRows(lines []string, first int) ([]Row, error) {
	var cols []int
	for i, c := range lines[0] {
		if c == '+' {
			cols = append(cols, i)
		}
	}
	var rows []Row
	var cell [][]string // the raw lines of each cell of the row being read
	header := false
	for k, l := range lines[1:] {
		n := first + 1 + k
		if len(l) != len(lines[0]) {
			return nil, fmt.Errorf("line %d: not as wide as the table's top border", n)
		}
		if fill := border(l, cols); fill != 0 {
			if cell == nil {
				return nil, fmt.Errorf("line %d: a border without a row above it", n)
			}
			if fill == '=' {
				if header || len(rows) > 0 {
					return nil, fmt.Errorf("line %d: a header border under more than one row", n)
				}
				header = true
			}
			rows = append(rows, Row{Cells: rstCells(cell)})
			cell = nil
			continue
		}
		if cell == nil {
			cell = make([][]string, len(cols)-1)
		}
		for c := range cell {
			if l[cols[c]] != '|' {
				return nil, fmt.Errorf("line %d: no | at column %d (spanning cells are not read)", n, cols[c]+1)
			}
			cell[c] = append(cell[c], strings.TrimSpace(l[cols[c]+1:cols[c+1]]))
		}
		if l[cols[len(cols)-1]] != '|' {
			return nil, fmt.Errorf("line %d: no | at the right border", n)
		}
	}
	switch {
	case cell != nil:
		return nil, fmt.Errorf("line %d: the table ends inside a row", first+len(lines)-1)
	case !header:
		return nil, fmt.Errorf("line %d: a grid table without a header row (+===+)", first)
	}
	return rows, nil
}

// border returns the fill of a border line at cols ('-' or '='), 0 when l
// is not one.
func border(l string, cols []int) byte {
	fill, next := l[1], 0
	if fill != '-' && fill != '=' {
		return 0
	}
	for i := range len(l) {
		want := fill
		if next < len(cols) && i == cols[next] {
			want, next = '+', next+1
		}
		if l[i] != want {
			return 0
		}
	}
	return fill
}

// simpleRows reads a simple table (=== === borders above, under its one
// header line and below), one line per row: the header row first. A row
// with an empty first column (a continuation line) is an error.
func simpleRows(lines []string, first int) ([]Row, error) {
	var starts, ends []int // of each column's run of =
	for i, c := range lines[0] {
		switch {
		case c == '=' && (i == 0 || lines[0][i-1] == ' '):
			starts = append(starts, i)
		case c == ' ' && lines[0][i-1] == '=':
			ends = append(ends, i)
		case c != '=' && c != ' ':
			return nil, fmt.Errorf("line %d: a simple table's border holds only = and spaces", first)
		}
	}
	var rows []Row
	borders := 1
	for k, l := range lines[1:] {
		n := first + 1 + k
		if strings.TrimRight(l, " ") == strings.TrimRight(lines[0], " ") {
			borders++
			continue
		}
		if borders == 3 || borders == 1 && len(rows) > 0 {
			return nil, fmt.Errorf("line %d: text outside the table's rows (one header line, then rows)", n)
		}
		row := Row{Cells: make([]Cell, len(starts))}
		for c, start := range starts {
			end := len(l)
			if c+1 < len(starts) {
				end = min(starts[c+1], len(l))
				if strings.TrimSpace(l[min(ends[c], end):end]) != "" {
					return nil, fmt.Errorf("line %d: text crosses the border after column %d", n, c+1)
				}
			}
			if start < end {
				row.Cells[c] = Cell{Lines: rstLines([]string{strings.TrimSpace(l[start:end])})}
			}
		}
		if len(row.Cells[0].Lines) == 0 {
			return nil, fmt.Errorf("line %d: a row without a first column (continuation lines are not read)", n)
		}
		rows = append(rows, row)
	}
	if borders != 3 {
		return nil, fmt.Errorf("line %d: a simple table needs three borders (above, under the header, below), this one has %d", first, borders)
	}
	return rows, nil
}

// rstCells turns the raw lines of each cell of a grid row into cells.
func rstCells(raw [][]string) []Cell {
	cells := make([]Cell, len(raw))
	for i, lines := range raw {
		cells[i] = Cell{Lines: rstLines(lines)}
	}
	return cells
}

// rstLines turns a cell's raw lines into one line per paragraph or list
// item ("-  text"), inline markup reduced to its text; empty ones are
// dropped.
func rstLines(raw []string) []string {
	var lines, cur []string
	flush := func() {
		if s := normalise(inline(strings.Join(cur, " "))); s != "" {
			lines = append(lines, s)
		}
		cur = nil
	}
	for _, l := range raw {
		if l == "" || strings.HasPrefix(l, "- ") {
			flush()
		}
		cur = append(cur, strings.TrimPrefix(l, "- "))
	}
	flush()
	return lines
}

// inline reduces reStructuredText inline markup to its text.
func inline(s string) string {
	s = literalRe.ReplaceAllString(s, "$1")
	s = linkRe.ReplaceAllString(s, "$1")
	return strongRe.ReplaceAllString(s, "$1")
}

// isUnderline reports whether u underlines text as a heading: one
// punctuation character repeated at least as long as the text.
func isUnderline(u, text string) bool {
	text = strings.TrimSpace(text)
	return text != "" && !strings.HasPrefix(text, "..") && len(u) >= len(text) && strings.Trim(u, u[:1]) == "" &&
		strings.ContainsRune("=-~^\"'`+#*", rune(u[0]))
}
