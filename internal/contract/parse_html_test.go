package contract

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Page is what the contract reads from an API reference page: its title, the
// paragraphs of each section, its tables and its example blocks.
type Page struct {
	// Title is the text of the page's first <h1>.
	Title string
	// Sections maps a section title (its <h4 class="sectiontitle">) to the
	// normalised text of the section's paragraphs outside tables, in order.
	Sections map[string][]string
	// Tables holds every <table> of the page, in document order.
	Tables []Table
	// Examples holds every <pre> block of the page, in document order.
	Examples []Example
}

// Table is one <table> of a page, with its cells as normalised text.
type Table struct {
	// Number is N of the caption "Table N ..."; 0 when the table has no caption.
	Number int
	// Caption is the caption without its "Table N" prefix.
	Caption string
	// ID is the table's id attribute, e.g. "CopyCheckpoint__request_CheckpointReplicateParam".
	ID string
	// Section is the title of the section the table is in.
	Section string
	// Status is the status code of the last "Status code: N" paragraph
	// before the table in its section, 0 if none.
	Status int
	// Header holds the column titles.
	Header []string
	// Rows holds the body rows; each row has one cell per column.
	Rows []Row
}

// Row is one body row of a table.
type Row struct {
	Cells []Cell
}

// Cell is one table cell, as the normalised text of each of its block-level
// children (one line per paragraph or list item).
type Cell struct {
	Lines []string
}

// Example is one <pre> block of a page and the paragraphs that introduce it.
type Example struct {
	// Section is the title of the section the block is in.
	Section string
	// Status is the status code of the last "Status code: N" paragraph before
	// the block in its section, 0 if none.
	Status int
	// Label is the last other paragraph before the block in its section,
	// e.g. "Replicating backups" or "OK".
	Label string
	// Text is the block's text, unchanged.
	Text string
}

var (
	captionRe = regexp.MustCompile(`^Table (\d+)\s*(.*)$`)
	statusRe  = regexp.MustCompile(`^Status code: (\d{3})$`)
)

// ParsePage reads an API reference page in the HTML of the Open Telekom Cloud
// documentation exports.
func ParsePage(r io.Reader) (*Page, error) {
	root, err := html.Parse(r)
	if err != nil {
		return nil, fmt.Errorf("parse page: %w", err)
	}
	w := walker{page: &Page{Sections: map[string][]string{}}}
	w.walk(root)
	if w.page.Title == "" {
		return nil, errors.New("parse page: no <h1> title")
	}
	return w.page, nil
}

// Name is how mismatches name the table: "Table 4 CheckpointReplicateParam",
// or "<section> table" for a table without a caption.
func (t Table) Name() string {
	if t.Number == 0 {
		return strings.TrimSpace(t.Section + " table")
	}
	if t.Caption == "" {
		return "Table " + strconv.Itoa(t.Number)
	}
	return "Table " + strconv.Itoa(t.Number) + " " + t.Caption
}

// Column returns the index of the column titled name, or -1.
func (t Table) Column(name string) int {
	for i, h := range t.Header {
		if strings.EqualFold(h, name) {
			return i
		}
	}
	return -1
}

// Cell returns the cell of row r in the column titled name; ok is false
// when the table has no such column or the row is short.
func (t Table) Cell(r Row, name string) (c Cell, ok bool) {
	i := t.Column(name)
	if i < 0 || i >= len(r.Cells) {
		return Cell{}, false
	}
	return r.Cells[i], true
}

// Text is the cell's lines joined by single spaces.
func (c Cell) Text() string {
	return strings.Join(c.Lines, " ")
}

// Request splits a request example of the form "METHOD URL\n<JSON body>"
// into the method, the URL's path and the body. A URL with a placeholder
// host such as https://{endpoint}/v3/... gives /v3/....
func (e Example) Request() (method, path string, body []byte, err error) {
	line, rest, _ := strings.Cut(strings.TrimSpace(e.Text), "\n")
	fields := strings.Fields(line)
	if len(fields) != 2 {
		return "", "", nil, fmt.Errorf("request example: first line %q is not \"METHOD URL\"", line)
	}
	method, target := fields[0], fields[1]
	if _, after, ok := strings.Cut(target, "://"); ok {
		i := strings.IndexByte(after, '/')
		if i < 0 {
			return "", "", nil, fmt.Errorf("request example: URL %q has no path", target)
		}
		target = after[i:]
	}
	if !strings.HasPrefix(target, "/") {
		return "", "", nil, fmt.Errorf("request example: target %q is not a path", target)
	}
	body = []byte(strings.TrimSpace(rest))
	if len(body) > 0 && !json.Valid(body) {
		return "", "", nil, fmt.Errorf("request example: body is not JSON")
	}
	return method, target, body, nil
}

// walker collects a Page while walking the HTML tree.
type walker struct {
	page    *Page
	section string
	status  int
	label   string
}

func (w *walker) walk(n *html.Node) {
	if n.Type == html.ElementNode {
		switch n.DataAtom {
		case atom.H1:
			if w.page.Title == "" {
				w.page.Title = normalise(textOf(n))
			}
			return
		case atom.H4:
			if hasClass(n, "sectiontitle") {
				return
			}
		case atom.Div:
			if hasClass(n, "section") {
				saved := *w
				w.section, w.status, w.label = sectionTitle(n), 0, ""
				w.walkChildren(n)
				w.section, w.status, w.label = saved.section, saved.status, saved.label
				return
			}
		case atom.Table:
			w.page.Tables = append(w.page.Tables, w.table(n))
			return
		case atom.Pre:
			w.page.Examples = append(w.page.Examples, Example{
				Section: w.section, Status: w.status, Label: w.label, Text: textOf(n),
			})
			w.label = ""
			return
		case atom.P:
			t := normalise(textOf(n))
			if m := statusRe.FindStringSubmatch(t); m != nil {
				w.status, _ = strconv.Atoi(m[1])
				w.label = ""
			} else {
				w.label = t
			}
			if w.section != "" {
				w.page.Sections[w.section] = append(w.page.Sections[w.section], t)
			}
			return
		}
	}
	w.walkChildren(n)
}

func (w *walker) walkChildren(n *html.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.walk(c)
	}
}

func (w *walker) table(n *html.Node) Table {
	t := Table{ID: attr(n, "id"), Section: w.section, Status: w.status}
	var visit func(*html.Node, bool)
	visit = func(n *html.Node, inHead bool) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			switch c.DataAtom {
			case atom.Caption:
				caption := normalise(textOf(c))
				if m := captionRe.FindStringSubmatch(caption); m != nil {
					t.Number, _ = strconv.Atoi(m[1])
					caption = m[2]
				}
				t.Caption = caption
			case atom.Thead:
				visit(c, true)
			case atom.Tbody, atom.Tfoot:
				visit(c, false)
			case atom.Tr:
				var row Row
				allTH := true
				for cell := c.FirstChild; cell != nil; cell = cell.NextSibling {
					if cell.Type != html.ElementNode || (cell.DataAtom != atom.Td && cell.DataAtom != atom.Th) {
						continue
					}
					allTH = allTH && cell.DataAtom == atom.Th
					row.Cells = append(row.Cells, Cell{Lines: cellLines(cell)})
				}
				if (inHead || allTH) && t.Header == nil {
					for _, cell := range row.Cells {
						t.Header = append(t.Header, cell.Text())
					}
				} else {
					t.Rows = append(t.Rows, row)
				}
			}
		}
	}
	visit(n, false)
	return t
}

// blockAtoms are the elements that start a line of their own in a cell.
var blockAtoms = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.Ul: true, atom.Ol: true, atom.Li: true,
	atom.Pre: true, atom.Br: true, atom.Table: true, atom.Dl: true,
}

// cellLines returns the normalised text of each block-level child of a
// cell, and of each item of a list; inline content between blocks makes a
// line of its own. Empty lines (such as a cell of only &nbsp;) are dropped.
func cellLines(n *html.Node) []string {
	var lines []string
	var cur strings.Builder
	flush := func() {
		if s := normalise(cur.String()); s != "" {
			lines = append(lines, s)
		}
		cur.Reset()
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && blockAtoms[c.DataAtom] {
			flush()
			if c.DataAtom == atom.Ul || c.DataAtom == atom.Ol {
				lines = append(lines, cellLines(c)...)
			} else if s := normalise(textOf(c)); s != "" {
				lines = append(lines, s)
			}
			continue
		}
		cur.WriteString(textOf(c))
	}
	flush()
	return lines
}

func sectionTitle(n *html.Node) string {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && c.DataAtom == atom.H4 && hasClass(c, "sectiontitle") {
			return normalise(textOf(c))
		}
	}
	return ""
}

// textOf concatenates the text of n and its descendants.
func textOf(n *html.Node) string {
	if n.Type == html.TextNode {
		return n.Data
	}
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		b.WriteString(textOf(c))
	}
	return b.String()
}

// normalise turns every run of white space (no-break spaces included) into
// one space and trims the ends.
func normalise(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\u00a0", " ")), " ")
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasClass(n *html.Node, class string) bool {
	return strings.Contains(" "+attr(n, "class")+" ", " "+class+" ")
}
