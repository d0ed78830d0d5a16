package contract

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/cbr-replicate/cbr-replicate/internal/limit"
)

// Facts is what the contract reads from cbr-facts.md, the notes on the parts
// of the API that the page only points to: the error codes per status, the
// quoted example error body and the endpoints.
type Facts struct {
	// ErrorCodes holds the rows of the "Error codes" table (status,
	// error_code, meaning), in order.
	ErrorCodes []ErrorCode
	// ErrorExample is the JSON of the quoted example error body
	// ("Example: `{...}`").
	ErrorExample string
	// Endpoints holds the base URLs (no path) the "Endpoints" section
	// gives, in order, without the pages' placeholder https://{endpoint}
	// and the catalog's URLs with a path; the first one is the default.
	Endpoints []string
	// Appendix maps each code of the reference's error-code appendix
	// (error_codes.rst) to its status and error message (as Meaning);
	// ReadAppendix fills it.
	Appendix map[string]ErrorCode
}

// ErrorCode is one row of cbr-facts.md's table of error codes.
type ErrorCode struct {
	Status  int
	Code    string
	Meaning string
}

var (
	exampleLineRe = regexp.MustCompile("^Example: `(.+)`$")
	endpointRe    = regexp.MustCompile("`(https://[^`/]+)`")
)

const (
	// factsFile and appendixFile name the sources in mismatches and errors.
	factsFile    = "cbr-facts.md"
	appendixFile = "error_codes.rst"
	// factsOperation is the operation cbr-facts.md is about: its table lists
	// the error codes "that concern replication", which CopyCheckpoint
	// documents every one of, and it quotes an example of CopyCheckpoint's.
	factsOperation = "CopyCheckpoint"
)

// ParseFacts reads cbr-facts.md: the table whose columns are status,
// error_code and meaning, the "Example:" line of the "Error responses"
// section, and the URLs of the "Endpoints" section.
func ParseFacts(r io.Reader) (*Facts, error) {
	sections := map[string][]string{}
	var section string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if title, ok := strings.CutPrefix(line, "## "); ok {
			section = strings.TrimSpace(title)
			continue
		}
		sections[section] = append(sections[section], line)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("parse %s: %w", factsFile, err)
	}

	var f Facts
	var errs []error
	errorLines, ok := sections["Error responses"]
	if !ok {
		errs = append(errs, errors.New(`no section "Error responses"`))
	}
	for _, table := range markdownTables(errorLines) {
		if !slices.Equal(table[0], []string{"status", "error_code", "meaning"}) {
			continue
		}
		for _, row := range table[1:] {
			status, err := strconv.Atoi(row[0])
			if err != nil || len(row) != 3 || row[1] == "" {
				errs = append(errs, fmt.Errorf("error codes: row %q is not status | error_code | meaning", strings.Join(row, " | ")))
				continue
			}
			f.ErrorCodes = append(f.ErrorCodes, ErrorCode{Status: status, Code: row[1], Meaning: row[2]})
		}
	}
	if ok && len(f.ErrorCodes) == 0 {
		errs = append(errs, errors.New("error codes: no table with the columns status | error_code | meaning"))
	}
	for _, line := range errorLines {
		if m := exampleLineRe.FindStringSubmatch(line); m != nil {
			if !json.Valid([]byte(m[1])) {
				errs = append(errs, fmt.Errorf("error example %s is not JSON", m[1]))
			}
			f.ErrorExample = m[1]
			break
		}
	}
	if ok && f.ErrorExample == "" {
		errs = append(errs, errors.New("error responses: no line \"Example: `{...}`\""))
	}
	for _, m := range endpointRe.FindAllStringSubmatch(strings.Join(sections["Endpoints"], "\n"), -1) {
		if !strings.Contains(m[1], "{") { // the pages' placeholder https://{endpoint}
			f.Endpoints = append(f.Endpoints, m[1])
		}
	}
	if len(f.Endpoints) == 0 {
		errs = append(errs, errors.New(`endpoints: no section "Endpoints" with URLs`))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("parse %s: %w", factsFile, err)
	}
	return &f, nil
}

// ReadAppendix reads the table of the error-code appendix page (columns
// Status Code, Error Code and Error Message) into f.Appendix.
func (f *Facts) ReadAppendix(p *Page) error {
	f.Appendix = map[string]ErrorCode{}
	for _, t := range p.Tables {
		for _, r := range t.Rows {
			status, _ := t.Cell(r, "Status Code")
			code, ok := t.Cell(r, "Error Code")
			msg, _ := t.Cell(r, "Error Message")
			n, err := strconv.Atoi(status.Text())
			if _, dup := f.Appendix[code.Text()]; err != nil || !ok || code.Text() == "" || dup {
				return fmt.Errorf("parse %s: row %q is not a new Status Code, Error Code and Error Message", appendixFile, limit.Text(rowName(t, r)+" "+code.Text(), limit.Message))
			}
			f.Appendix[code.Text()] = ErrorCode{Status: n, Code: code.Text(), Meaning: msg.Text()}
		}
	}
	if len(f.Appendix) == 0 {
		return fmt.Errorf("parse %s: no table of error codes", appendixFile)
	}
	return nil
}

// markdownTables returns the tables (runs of lines starting with "|") among
// lines, each as its header row and body rows of trimmed cells, without the
// delimiter row.
func markdownTables(lines []string) [][][]string {
	var tables [][][]string
	var cur [][]string
	for _, line := range append(lines, "") {
		if !strings.HasPrefix(line, "|") {
			if len(cur) > 0 {
				tables = append(tables, cur)
				cur = nil
			}
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.Trim(strings.TrimSpace(cells[i]), "`")
		}
		if len(cur) == 1 && strings.Trim(strings.Join(cells, ""), "-: ") == "" {
			continue // the delimiter row
		}
		cur = append(cur, cells)
	}
	return tables
}

// CheckFacts compares every operation of doc with facts: each error
// example's code is one facts list, under the status facts give it (a
// response of a status facts list codes for carries no other code; any
// other error response, 401, 4XX, 5XX or default, carries only codes facts
// list), its summary starts with the facts' meaning, and its status and
// error_msg are the appendix's. The operation facts are about
// (factsOperation) documents every code under its status and the quoted
// example body. servers[0] yields exactly the facts' endpoints, the first
// one by default. It returns every mismatch found, none when the two agree.
func CheckFacts(facts *Facts, doc *openapi3.T) []Mismatch {
	c := factsChecker{facts: facts, summaryOf: map[string]string{}, compared: map[string]bool{}}
	if doc.Paths != nil {
		for _, path := range doc.Paths.InMatchingOrder() {
			ops := doc.Paths.Value(path).Operations()
			for _, method := range sortedKeys(ops) {
				c.checkErrorCodes(ops[method])
			}
		}
	}
	c.checkServers(doc.Servers)
	return c.out
}

// factsChecker holds the state of one CheckFacts run.
type factsChecker struct {
	facts     *Facts
	out       []Mismatch
	summaryOf map[string]string // code -> the first summary seen
	compared  map[string]bool   // the examples whose error_msg checkAppendix compared
}

func (c *factsChecker) add(table, row, field, spec, facts string) {
	c.out = append(c.out, Mismatch{Source: factsFile, Table: table, Row: row, Field: field, Spec: spec, Page: facts})
}

// errorExample is one example of an error response.
type errorExample struct {
	name    string
	summary string
	body    map[string]any
}

func (c *factsChecker) checkErrorCodes(op *openapi3.Operation) {
	if op == nil || op.Responses == nil {
		return
	}
	statusOf := map[string]string{}  // code -> status
	meaningOf := map[string]string{} // code -> meaning
	listed := map[string][]string{}  // status -> codes, in the facts' order
	for _, ec := range c.facts.ErrorCodes {
		status := strconv.Itoa(ec.Status)
		statusOf[ec.Code] = status
		meaningOf[ec.Code] = ec.Meaning
		listed[status] = append(listed[status], ec.Code)
	}
	responses := op.Responses.Map()
	examples := map[string][]errorExample{} // status -> examples
	for _, status := range sortedKeys(responses) {
		if !strings.HasPrefix(status, "4") && !strings.HasPrefix(status, "5") && status != "default" {
			continue
		}
		resp := responses[status]
		if resp == nil || resp.Value == nil {
			continue
		}
		where := op.OperationID + " response " + status
		media := resp.Value.Content.Get("application/json")
		if media == nil {
			c.add("Error responses", "", where+" application/json", none, "the CBR error body")
			continue
		}
		for _, name := range sortedKeys(media.Examples) {
			ex := media.Examples[name]
			body, _ := exampleValue(ex).(map[string]any)
			code, _ := body["error_code"].(string)
			if code == "" {
				c.add("Error responses", "", where+" example "+name+" error_code", none, "a code")
				continue
			}
			summary := ""
			if ex != nil && ex.Value != nil {
				summary = ex.Value.Summary
			}
			examples[status] = append(examples[status], errorExample{name: name, summary: summary, body: body})
			// The summary is the code's meaning in plain words (the one
			// table of codes the packages read): it starts with the
			// facts' meaning, and every example of a code says the same.
			if m, ok := meaningOf[code]; ok && !strings.HasPrefix(strings.ToLower(summary), strings.ToLower(m)) {
				c.add("Error codes", code, "summary of example "+name+" under "+where, orNone(summary), m+" ...")
			}
			if first, ok := c.summaryOf[code]; ok && first != summary {
				c.add("Error codes", code, "summary of example "+name+" under "+where, orNone(summary), first)
			} else if !ok {
				c.summaryOf[code] = summary
			}
			switch want, ok := statusOf[code]; {
			case !ok:
				c.add("Error codes", code, "example under "+where, "present", none)
			case want != status && listed[status] != nil:
				c.add("Error codes", code, "example under "+where, "present", "none (listed under "+want+")")
			}
			c.checkAppendix(code, name, body, status, where)
		}
	}
	if op.OperationID != factsOperation {
		return
	}
	for _, status := range sortedKeys(listed) {
		if _, ok := responses[status]; !ok {
			c.add("Error codes", "", op.OperationID+" response "+status, none, "present")
			continue
		}
		for _, code := range listed[status] {
			if !slices.ContainsFunc(examples[status], func(e errorExample) bool { return e.body["error_code"] == code }) {
				c.add("Error codes", code, "example under "+op.OperationID+" response "+status, none, "present")
			}
		}
	}

	var quoted map[string]any
	if err := json.Unmarshal([]byte(c.facts.ErrorExample), &quoted); err != nil {
		c.add("Error responses", "Example", "error body", none, "JSON object")
		return
	}
	code, _ := quoted["error_code"].(string)
	status := statusOf[code]
	var sameCode []string
	for _, e := range examples[status] {
		if reflect.DeepEqual(e.body, quoted) {
			return
		}
		if e.body["error_code"] == code {
			data, _ := json.Marshal(e.body)
			sameCode = append(sameCode, string(data))
		}
	}
	spec := none
	if len(sameCode) > 0 {
		spec = strings.Join(sameCode, " ")
	}
	c.add("Error responses", "Example", "example under response "+orNone(status), spec, c.facts.ErrorExample)
}

// checkAppendix compares an error example with the appendix: its code is
// there, under the example's status (any status the appendix lists no code
// for, such as 401, may carry it), with the example's error_msg. Each
// example is compared once, however many operations share it.
func (c *factsChecker) checkAppendix(code, name string, body map[string]any, status, where string) {
	n, _ := strconv.Atoi(status)
	a, ok := c.facts.Appendix[code]
	add := func(field, spec, page string) {
		c.out = append(c.out, Mismatch{Source: appendixFile, Table: "Error Codes table", Row: code, Field: field, Spec: spec, Page: page})
	}
	switch msg, _ := body["error_msg"].(string); {
	case !ok:
		add("example "+name+" under "+where, "present", none)
	case a.Status != n && slices.ContainsFunc(slices.Collect(maps.Values(c.facts.Appendix)), func(e ErrorCode) bool { return e.Status == n }):
		add("example "+name+" under "+where, "present", "none (listed under "+strconv.Itoa(a.Status)+")")
	case msg != a.Meaning && !c.compared[name]:
		add("error_msg of example "+name, strconv.Quote(msg), strconv.Quote(a.Meaning))
	}
	c.compared[name] = true
}

// exampleValue returns an example's value; nil when there is none.
func exampleValue(ex *openapi3.ExampleRef) any {
	if ex == nil || ex.Value == nil {
		return nil
	}
	return ex.Value.Value
}

// checkServers expands servers[0]'s URL template with every value of each
// variable (its enum, or its default without one) and compares the URLs
// with the facts' endpoints, and the URL of the defaults with the first.
func (c *factsChecker) checkServers(servers openapi3.Servers) {
	if len(servers) == 0 || servers[0] == nil {
		c.add("Endpoints", "", "servers[0]", none, strings.Join(c.facts.Endpoints, " "))
		return
	}
	s := servers[0]
	urls := []string{s.URL}
	defaultURL := s.URL
	for _, name := range sortedKeys(s.Variables) {
		v := s.Variables[name]
		if v == nil {
			continue
		}
		values := v.Enum
		if len(values) == 0 {
			values = []string{v.Default}
		}
		var next []string
		for _, u := range urls {
			for _, val := range values {
				next = append(next, strings.ReplaceAll(u, "{"+name+"}", val))
			}
		}
		urls = next
		defaultURL = strings.ReplaceAll(defaultURL, "{"+name+"}", v.Default)
	}
	for _, u := range urls {
		if !slices.Contains(c.facts.Endpoints, u) {
			c.add("Endpoints", u, "servers[0] URL", "present", none)
		}
	}
	for _, u := range c.facts.Endpoints {
		if !slices.Contains(urls, u) {
			c.add("Endpoints", u, "servers[0] URL", none, "present")
		}
	}
	if len(c.facts.Endpoints) > 0 && defaultURL != c.facts.Endpoints[0] {
		c.add("Endpoints", "", "servers[0] URL by default", defaultURL, c.facts.Endpoints[0])
	}
}
