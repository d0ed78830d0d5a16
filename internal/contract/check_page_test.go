package contract

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// none stands for a value that one side does not have.
const none = "none"

// Source is one API page kept in testdata and the operation it documents.
type Source struct {
	// File is the page's file name in testdata: .html for the HTML of the
	// documentation exports, .rst for the documentation's sources.
	File string
	// Operation is the operationId of the operation the page's URI names.
	Operation string
	// Revision marks a later revision of a page: its tables are proven like
	// any page's, but the spec's examples are the earlier page's.
	Revision bool
	// CopiedStatus is a status whose tables on the page repeat the 200
	// tables instead of describing that status's body; CheckPage checks that
	// they are an exact copy and compares nothing else of them. 0 for none.
	CopiedStatus int
}

// Sources is the one table of the pages the spec is proven against, each
// with the operation it documents. Every operation of the spec has at
// least one.
var Sources = []Source{
	// The spec's source for CopyCheckpoint (2023-11-22), and today's
	// revision (2025-05-12), which no longer lists enable_acceleration.
	{File: "CopyCheckpoint.html", Operation: "CopyCheckpoint"},
	{File: "replicating_a_restore_point.rst", Operation: "CopyCheckpoint", Revision: true},
	{File: "querying_the_replication_capability.rst", Operation: "ShowReplicationCapabilities"},
	// Tables 11-18 give status 404 the tables of 200; the service answers
	// 404 with the CBR error body (error_codes.rst: BackupService.6105).
	{File: "querying_a_specified_vault.rst", Operation: "ShowVault", CopiedStatus: 404},
	{File: "querying_all_backups.rst", Operation: "ListBackups"},
}

// Mismatch is one difference between the spec and a source: a page,
// cbr-facts.md or the error-code appendix.
type Mismatch struct {
	// Source is the file of the source, e.g. "CopyCheckpoint.html" or
	// "cbr-facts.md"; "spec" for what the spec has and no source covers.
	Source string
	// Table names the source's table ("Table 4 CheckpointReplicateParam"),
	// or the part ("operation") when the difference is not in a table.
	Table string
	// Row is the parameter, property or code the row names; empty for the
	// table or the part as a whole.
	Row string
	// Field is what differs, e.g. "maxLength" or "mandatory".
	Field string
	// Spec and Page are the two values, "none" for an absent one; Page is
	// the source's value, whichever source that is.
	Spec, Page string

	// deprecated is "schema.property" of a deprecated property the page
	// does not list: a mismatch only when no page of the operation does.
	deprecated string
}

// String reads like "CopyCheckpoint.html: Table 4 CheckpointReplicateParam,
// row destination_region: maxLength: spec 254, page 255".
func (m Mismatch) String() string {
	where := m.Table
	if m.Row != "" {
		where += ", row " + m.Row
	}
	side := "page"
	if m.Source == factsFile {
		side = "facts"
	}
	return fmt.Sprintf("%s: %s: %s: spec %s, %s %s", m.Source, where, m.Field, m.Spec, side, m.Page)
}

var (
	schemaRefRe = regexp.MustCompile(`^#/components/schemas/([^/]+)$`)
	// lineRe reads the lines a Description cell states a limit or a default
	// in ("Minimum: 0", "Default: private").
	lineRe = regexp.MustCompile(`^(Minimum|Maximum|Default): (\S+)$`)
	// nestedRe reads the table a Type cell names: "X object", "Array of X objects".
	nestedRe = regexp.MustCompile(`^(?:Array of )?(\S+) objects?$`)
	// proseRules read what a description says in words: each states one
	// fact (a key of rowFacts.stated) when no line of the cell already did,
	// its value given or the expression's first group.
	proseRules = []struct {
		re          *regexp.Regexp
		fact, value string
	}{
		// "The default value is false" (or **false**, the page's bold as
		// Markdown writes it), "Its default value is false".
		{regexp.MustCompile(`\b(?:The|Its) default value is \**([^\s*,.;]+)\**`), "Default", ""},
		{regexp.MustCompile(`\(UUID\)$`), "format", "uuid"},
		{regexp.MustCompile(`in %YYYY-%mm-%ddT%HH:%MM:%SSZ format`), "format", "date-time"},
		{regexp.MustCompile(`must be a positive integer`), "Minimum", "1"},
		{regexp.MustCompile(`can contain a maximum of (\d+) characters`), "Maximum", ""},
	}
)

// rowFacts is what a row's Description cell says: its prose, the
// "Minimum", "Maximum", "Default" and "format" it states, and its enum.
type rowFacts struct {
	desc   string
	stated map[string]string
	enum   []string
}

// fact returns a stated fact, "none" when the cell does not state it.
func (f rowFacts) fact(name string) string { return orNone(f.stated[name]) }

// readRow reads a row's Description cell: "Minimum:", "Maximum:" and
// "Default:" lines, the values listed after "Enumeration values:", then
// proseRules over the remaining lines, its prose.
func readRow(t Table, r Row) rowFacts {
	f := rowFacts{stated: map[string]string{}}
	cell, _ := t.Cell(r, "Description")
	var prose []string
	for i, l := range cell.Lines {
		if l == "Enumeration values:" {
			f.enum = cell.Lines[i+1:]
			break
		}
		if m := lineRe.FindStringSubmatch(l); m != nil {
			f.stated[m[1]] = m[2]
		} else {
			prose = append(prose, l)
		}
	}
	f.desc = strings.Join(prose, " ")
	for _, rule := range proseRules {
		if m := rule.re.FindStringSubmatch(f.desc); m != nil && f.stated[rule.fact] == "" {
			f.stated[rule.fact] = rule.value
			if rule.value == "" {
				f.stated[rule.fact] = m[1]
			}
		}
	}
	return f
}

// CheckPages proves doc against the page of every source of Sources; pages
// maps each source's File to its parsed page. Each page is compared with
// the operation it documents (CheckPage); every operation of doc must have
// a page; and a deprecated property that a page does not list is a
// mismatch only when no page of its operation lists it (a later revision
// may drop what the spec keeps, deprecated).
func CheckPages(pages map[string]*Page, doc *openapi3.T) []Mismatch {
	var out, dropped []Mismatch
	listed := map[string]bool{} // "operation schema.property" some page lists
	documented := map[string]bool{}
	for _, src := range Sources {
		page := pages[src.File]
		if page == nil {
			out = append(out, Mismatch{Source: src.File, Table: "page", Field: "file", Spec: src.Operation, Page: none})
			continue
		}
		c := checker{src: src, page: page, doc: doc, listed: map[string]bool{}, tableOf: map[string]string{}}
		c.check()
		if c.op != nil {
			documented[c.op.OperationID] = true
		}
		for key := range c.listed {
			listed[src.Operation+" "+key] = true
		}
		for _, m := range c.out {
			if m.deprecated != "" {
				m.deprecated = src.Operation + " " + m.deprecated
				dropped = append(dropped, m)
				continue
			}
			out = append(out, m)
		}
	}
	for _, m := range dropped {
		if !listed[m.deprecated] {
			m.Page, m.deprecated = m.Page+" (on no page of the operation)", ""
			out = append(out, m)
		}
	}
	if doc.Paths != nil {
		for _, path := range doc.Paths.InMatchingOrder() {
			ops := doc.Paths.Value(path).Operations()
			for _, method := range sortedKeys(ops) {
				if id := ops[method].OperationID; !documented[id] {
					out = append(out, Mismatch{Source: "spec", Table: "operation " + orNone(id), Field: "page", Spec: method + " " + path, Page: "none (not in Sources)"})
				}
			}
		}
	}
	return out
}

// CheckPage compares one page with the operation of doc its URI names, in
// both directions: every row of every table against the spec's parameter,
// security scheme or schema property of the same name (location, mandatory
// flag, type, limits, format, default, enum and description), and every
// parameter, security scheme and body property of the spec against the
// page. Body tables are matched to schemas from the top: "Request body
// parameters" and "Response body parameters" (under its status) with the
// operation's bodies, and each table a row's type names ("X object",
// "Array of X objects") with that row's schema. It also compares the
// operationId with src, the title (summary), the Function section
// (description) and the Status Codes table, and checks that request
// schemas are closed and response schemas open. It returns every mismatch
// found, none when the two agree.
func CheckPage(src Source, page *Page, doc *openapi3.T) []Mismatch {
	c := checker{src: src, page: page, doc: doc, listed: map[string]bool{}, tableOf: map[string]string{}}
	c.check()
	return c.out
}

// checker holds the state of one CheckPage run.
type checker struct {
	src  Source
	page *Page
	doc  *openapi3.T
	out  []Mismatch
	// listed holds "schema.property" of every body row of the page.
	listed map[string]bool
	// tableOf names the table of each schema compared with one.
	tableOf map[string]string

	pathItem *openapi3.PathItem
	op       *openapi3.Operation
}

func (c *checker) add(table, row, field, spec, page string) {
	c.out = append(c.out, Mismatch{Source: c.src.File, Table: table, Row: row, Field: field, Spec: spec, Page: page})
}

func (c *checker) check() {
	if !c.checkOperation() {
		return
	}
	named := map[string]bool{} // "in:name" of every parameter and scheme a row names
	for _, t := range c.page.Tables {
		switch kind := tableKind(t); kind {
		case "status":
			c.checkStatusTable(t)
		case "path", "query", "header":
			c.checkParamTable(t, kind, named)
		case "request", "response", "nested":
			// checkBodies
		default:
			c.add(t.Name(), "", "table", none, "a table the contract does not understand (id "+strconv.Quote(t.ID)+")")
		}
	}
	c.checkSpecParams(named)
	c.checkBodies()
	c.checkOpenness()
}

// checkOperation finds the operation of the URI section and compares its
// operationId, summary and description; it reports false when there is
// none to check.
func (c *checker) checkOperation() bool {
	uri := c.page.Sections["URI"]
	if len(uri) == 0 {
		c.add("operation", "", "URI", none, none)
		return false
	}
	fields := strings.Fields(uri[0])
	if len(fields) != 2 {
		c.add("operation", "", "URI", none, strconv.Quote(uri[0]))
		return false
	}
	method, path := strings.ToUpper(fields[0]), fields[1]
	if c.doc.Paths != nil {
		if c.pathItem = c.doc.Paths.Value(path); c.pathItem != nil {
			c.op = c.pathItem.GetOperation(method)
		}
	}
	if c.op == nil {
		c.add("operation", "", "URI", none, method+" "+path)
		return false
	}
	if c.op.OperationID != c.src.Operation {
		c.add("operation", "", "operationId", orNone(c.op.OperationID), c.src.Operation+" (Sources)")
	}
	if s, p := normalise(c.op.Summary), c.page.Title; s != p {
		c.add("operation", "", "summary (page title)", strconv.Quote(s), strconv.Quote(p))
	}
	if s, p := normalise(c.op.Description), strings.Join(c.page.Sections["Function"], " "); s != p {
		c.add("operation", "", "description (Function section)", strconv.Quote(s), strconv.Quote(p))
	}
	return true
}

// tableKind tells what a table documents: "status", "path", "query",
// "header", "request" or "response" (the top of a body), or "nested" (a
// body table a row names, its id "<operation>__request_<schema>" or
// "__response_").
func tableKind(t Table) string {
	caption := strings.ToLower(t.Caption)
	switch {
	case t.Column("Status Code") >= 0:
		return "status"
	case caption == "request body parameters":
		return "request"
	case caption == "response body parameters":
		return "response"
	case idSchema(t) != "":
		return "nested"
	}
	for _, kind := range []string{"path", "query", "header"} {
		if strings.HasPrefix(caption, kind+" parameters") || strings.HasPrefix(caption, "request "+kind+" parameters") {
			return kind
		}
	}
	return ""
}

// idSchema is the schema a body table's id names ("CheckpointReplicateReq"
// of "CopyCheckpoint__request_CheckpointReplicateReq"; the .rst pages'
// labels are in lower case), "" for none.
func idSchema(t Table) string {
	for _, marker := range []string{"__request_", "__response_"} {
		if i := strings.Index(strings.ToLower(t.ID), marker); i >= 0 {
			return t.ID[i+len(marker):]
		}
	}
	return ""
}

func (c *checker) checkStatusTable(t Table) {
	onPage := map[string]bool{}
	for _, r := range t.Rows {
		code, _ := t.Cell(r, "Status Code")
		desc, _ := t.Cell(r, "Description")
		onPage[code.Text()] = true
		resp := c.op.Responses.Value(code.Text())
		if resp == nil || resp.Value == nil {
			c.add(t.Name(), code.Text(), "response", none, "present")
			continue
		}
		if s, p := normalise(deref(resp.Value.Description)), desc.Text(); s != p {
			c.add(t.Name(), code.Text(), "description", strconv.Quote(s), strconv.Quote(p))
		}
	}
	for _, code := range c.op.Responses.Keys() {
		if strings.HasPrefix(code, "2") && !onPage[code] {
			c.add(t.Name(), code, "response", "present", none)
		}
	}
}

// checkParamTable compares the rows of a path, query or header table with
// the operation's parameters and, for headers, its security schemes.
func (c *checker) checkParamTable(t Table, in string, named map[string]bool) {
	for _, r := range t.Rows {
		name := rowName(t, r)
		named[in+":"+strings.ToLower(name)] = true
		mandatory, ok := c.mandatory(t, r, name)
		if !ok {
			continue
		}
		if p := c.param(in, name); p != nil {
			if p.Required != mandatory {
				c.add(t.Name(), name, "mandatory", yesNo(p.Required), yesNo(mandatory))
			}
			c.checkSchema(t, r, name, p.Schema, p.Description)
			continue
		}
		if in == openapi3.ParameterInHeader {
			if scheme, id := c.headerScheme(name); scheme != nil {
				named["scheme:"+id] = true
				if req := c.schemeRequired(id); req != mandatory {
					c.add(t.Name(), name, "mandatory", yesNo(req), yesNo(mandatory))
				}
				if typ, _ := t.Cell(r, "Type"); typ.Text() != "String" {
					c.add(t.Name(), name, "type", "String", typ.Text())
				}
				if s, p := normalise(scheme.Description), readRow(t, r).desc; s != p {
					c.add(t.Name(), name, "description", strconv.Quote(s), strconv.Quote(p))
				}
				continue
			}
		}
		c.add(t.Name(), name, "parameter", none, in)
	}
}

// param returns the operation's (or its path item's) parameter.
func (c *checker) param(in, name string) *openapi3.Parameter {
	for _, ps := range []openapi3.Parameters{c.op.Parameters, c.pathItem.Parameters} {
		for _, ref := range ps {
			if p := ref.Value; p != nil && p.In == in && (p.Name == name || in == openapi3.ParameterInHeader && strings.EqualFold(p.Name, name)) {
				return p
			}
		}
	}
	return nil
}

// headerScheme returns the apiKey security scheme sent in header name, and
// its id under components/securitySchemes.
func (c *checker) headerScheme(name string) (*openapi3.SecurityScheme, string) {
	if c.doc.Components == nil {
		return nil, ""
	}
	for _, id := range sortedKeys(c.doc.Components.SecuritySchemes) {
		s := c.doc.Components.SecuritySchemes[id].Value
		if s != nil && s.Type == "apiKey" && s.In == openapi3.ParameterInHeader && strings.EqualFold(s.Name, name) {
			return s, id
		}
	}
	return nil, ""
}

// schemeRequired reports whether every way to satisfy the operation's
// security requirements uses scheme id.
func (c *checker) schemeRequired(id string) bool {
	reqs := c.security()
	if len(reqs) == 0 {
		return false
	}
	for _, req := range reqs {
		if _, ok := req[id]; !ok {
			return false
		}
	}
	return true
}

func (c *checker) security() openapi3.SecurityRequirements {
	if c.op.Security != nil {
		return *c.op.Security
	}
	return c.doc.Security
}

// checkBodies compares every body table with its schema, from the top
// tables down the rows that name a table, and reports the body tables so
// reached by no row, and each body the spec has for a success status or
// the request that the page gives no table.
func (c *checker) checkBodies() {
	reached := map[int]bool{}
	tops := map[int]bool{} // statuses with a top table; 0 for the request
	if c.src.CopiedStatus != 0 {
		c.checkCopy(reached)
	}
	for i, t := range c.page.Tables {
		kind := tableKind(t)
		if kind != "request" && kind != "response" || reached[i] {
			continue
		}
		tops[t.Status] = true
		ref := c.body(kind, t.Status)
		if ref == nil {
			c.add(t.Name(), "", kind+" body", none, "present")
		}
		c.visit(i, ref, reached)
	}
	for i, t := range c.page.Tables {
		if kind := tableKind(t); !reached[i] && (kind == "request" || kind == "response" || kind == "nested") {
			c.add(t.Name(), "", "table", none+" (no row of a body table names it)", "present")
		}
	}
	if c.body("request", 0) != nil && !tops[0] {
		c.add("Request body parameters", "", "request body", "present", none)
	}
	for _, code := range c.op.Responses.Keys() {
		status, _ := strconv.Atoi(code)
		if status >= 200 && status < 300 && c.body("response", status) != nil && !tops[status] {
			c.add("Response body parameters", code, "response body", "present", none)
		}
	}
}

// body returns the JSON schema of the operation's request body (kind
// "request") or of its response of status.
func (c *checker) body(kind string, status int) *openapi3.SchemaRef {
	var content openapi3.Content
	if kind == "request" {
		if rb := c.op.RequestBody; rb != nil && rb.Value != nil {
			content = rb.Value.Content
		}
	} else if resp := c.op.Responses.Status(status); resp != nil && resp.Value != nil {
		content = resp.Value.Content
	}
	if mt := content.Get("application/json"); mt != nil {
		return mt.Schema
	}
	return nil
}

// visit compares table i with schema ref (nil when the spec has none or
// the row naming the table has another type, which that row reports), then
// every table its rows name with the schema of their property.
func (c *checker) visit(i int, ref *openapi3.SchemaRef, reached map[int]bool) {
	if reached[i] {
		return
	}
	reached[i] = true
	t := c.page.Tables[i]
	name := ""
	if ref != nil {
		if m := schemaRefRe.FindStringSubmatch(ref.Ref); m != nil {
			name = m[1]
			c.tableOf[name] = t.Name()
		}
		if want := idSchema(t); want != "" && !strings.EqualFold(want, name) {
			c.add(t.Name(), "", "schema", orNone(name), want)
		}
	}
	var s *openapi3.Schema
	if ref != nil && ref.Value != nil {
		s = ref.Value
		c.checkBodyTable(t, s, name)
	}
	for _, r := range t.Rows {
		typ, _ := t.Cell(r, "Type")
		m := nestedRe.FindStringSubmatch(typ.Text())
		if m == nil {
			continue
		}
		j := slices.IndexFunc(c.page.Tables, func(n Table) bool {
			return tableKind(n) == "nested" && n.Caption == m[1] && n.Section == t.Section && n.Status == t.Status
		})
		if j < 0 {
			c.add(t.Name(), rowName(t, r), "table of the row's type", m[1], none)
			continue
		}
		// The row's property, or its items, is the table's schema; when the
		// row's type already differs, the table is compared with nothing.
		var sub *openapi3.SchemaRef
		if s != nil && typeName(s.Properties[rowName(t, r)]) == typ.Text() {
			if sub = s.Properties[rowName(t, r)]; sub.Value.Type.Is(openapi3.TypeArray) {
				sub = sub.Value.Items
			}
		}
		c.visit(j, sub, reached)
	}
}

// checkCopy checks that the body tables of src.CopiedStatus repeat those
// of 200 cell for cell, and marks them reached.
func (c *checker) checkCopy(reached map[int]bool) {
	var copied, original []int
	for i, t := range c.page.Tables {
		if k := tableKind(t); k == "response" || k == "nested" {
			switch t.Status {
			case c.src.CopiedStatus:
				copied = append(copied, i)
			case 200:
				original = append(original, i)
			}
		}
	}
	for k, i := range copied {
		reached[i] = true
		t := c.page.Tables[i]
		if k >= len(original) || !sameTable(t, c.page.Tables[original[k]]) {
			c.add(t.Name(), "", "copy of a status 200 table (Sources)", "a copy", "another table")
		}
	}
	if len(copied) != len(original) {
		c.add("status "+strconv.Itoa(c.src.CopiedStatus)+" tables", "", "count (Sources: a copy of the status 200 tables)", strconv.Itoa(len(original)), strconv.Itoa(len(copied)))
	}
}

// sameTable reports whether two tables have the same caption, header and
// cells.
func sameTable(a, b Table) bool {
	return a.Caption == b.Caption && slices.Equal(a.Header, b.Header) && slices.EqualFunc(a.Rows, b.Rows, func(x, y Row) bool {
		return slices.EqualFunc(x.Cells, y.Cells, func(p, q Cell) bool { return slices.Equal(p.Lines, q.Lines) })
	})
}

// checkBodyTable compares a table of body properties with its schema, in
// both directions. A property the table lacks is a mismatch unless it is
// deprecated (CheckPages decides those); a deprecated property's
// description is the page's followed by its x-deprecated-reason.
func (c *checker) checkBodyTable(t Table, schema *openapi3.Schema, name string) {
	onPage := map[string]bool{}
	for _, r := range t.Rows {
		prop := rowName(t, r)
		onPage[prop] = true
		c.listed[name+"."+prop] = true
		mandatory, ok := c.mandatory(t, r, prop)
		if !ok {
			continue
		}
		ref := schema.Properties[prop]
		if ref == nil || ref.Value == nil {
			c.add(t.Name(), prop, "property", none, "present")
			continue
		}
		if req := slices.Contains(schema.Required, prop); req != mandatory {
			c.add(t.Name(), prop, "mandatory", yesNo(req), yesNo(mandatory))
		}
		desc := normalise(ref.Value.Description)
		if ref.Value.Deprecated {
			reason, _ := ref.Value.Extensions["x-deprecated-reason"].(string)
			trimmed := strings.TrimSuffix(desc, " "+normalise(reason))
			if reason == "" || trimmed == desc {
				c.add(t.Name(), prop, "description of a deprecated property", strconv.Quote(desc), "the page's, then its x-deprecated-reason")
				trimmed = readRow(t, r).desc // reported once
			}
			desc = trimmed
		}
		c.checkSchema(t, r, prop, ref, desc)
	}
	for _, prop := range sortedKeys(schema.Properties) {
		if onPage[prop] {
			continue
		}
		if ref := schema.Properties[prop]; ref.Value != nil && ref.Value.Deprecated {
			c.out = append(c.out, Mismatch{Source: c.src.File, Table: t.Name(), Row: prop, Field: "property", Spec: "present (deprecated)", Page: none, deprecated: name + "." + prop})
			continue
		}
		c.add(t.Name(), prop, "property", "present", none)
	}
	for _, prop := range schema.Required {
		if !onPage[prop] {
			c.add(t.Name(), prop, "mandatory", "Yes", none)
		}
	}
}

// mandatory reads a row's Mandatory cell; a table without that column (the
// response tables) marks nothing mandatory.
func (c *checker) mandatory(t Table, r Row, name string) (mandatory, ok bool) {
	if t.Column("Mandatory") < 0 {
		return false, true
	}
	cell, _ := t.Cell(r, "Mandatory")
	switch cell.Text() {
	case "Yes":
		return true, true
	case "No":
		return false, true
	}
	c.add(t.Name(), name, "mandatory", none, strconv.Quote(cell.Text())+" (neither Yes nor No)")
	return false, false
}

// checkSchema compares a row's Type cell and the facts of its Description
// cell (readRow) with the schema and the description the spec gives it.
func (c *checker) checkSchema(t Table, r Row, name string, ref *openapi3.SchemaRef, desc string) {
	f := readRow(t, r)
	if s := normalise(desc); s != f.desc {
		c.add(t.Name(), name, "description", strconv.Quote(s), strconv.Quote(f.desc))
	}
	cell, _ := t.Cell(r, "Type")
	if s, p := typeName(ref), cell.Text(); s != p {
		c.add(t.Name(), name, "type", s, p)
	}
	if ref == nil || ref.Value == nil {
		return
	}
	s := ref.Value
	minField, maxField, specMin, specMax := "Minimum", "Maximum", none, none
	switch {
	case s.Type.Is(openapi3.TypeString):
		minField, maxField, specMin, specMax = "minLength", "maxLength", uintLimit(s.MinLength), ptrLimit(s.MaxLength)
	case s.Type.Is(openapi3.TypeArray):
		minField, maxField, specMin, specMax = "minItems", "maxItems", uintLimit(s.MinItems), ptrLimit(s.MaxItems)
	case s.Type.Is(openapi3.TypeInteger), s.Type.Is(openapi3.TypeNumber):
		minField, maxField, specMin, specMax = "minimum", "maximum", floatLimit(s.Min), floatLimit(s.Max)
	}
	pageMin := f.fact("Minimum")
	if pageMin == "0" && (minField == "minLength" || minField == "minItems") {
		pageMin = none // a length of at least 0 is no limit
	}
	specDefault, specEnum := none, none
	if s.Default != nil {
		specDefault = fmt.Sprint(s.Default)
	}
	if len(s.Enum) > 0 {
		specEnum = strings.Trim(fmt.Sprint(s.Enum), "[]")
	}
	pageEnum := orNone(strings.Join(f.enum, " "))
	for _, d := range [][3]string{
		{minField, specMin, pageMin}, {maxField, specMax, f.fact("Maximum")}, {"format", orNone(s.Format), f.fact("format")},
		{"default", specDefault, f.fact("Default")}, {"enum", specEnum, pageEnum},
	} {
		if d[1] != d[2] {
			c.add(t.Name(), name, d[0], d[1], d[2])
		}
	}
}

// checkSpecParams reports the operation's parameters and the security
// schemes that no row names.
func (c *checker) checkSpecParams(named map[string]bool) {
	for _, ps := range []openapi3.Parameters{c.pathItem.Parameters, c.op.Parameters} {
		for _, ref := range ps {
			if p := ref.Value; p != nil && !named[p.In+":"+strings.ToLower(p.Name)] {
				c.add(c.tableFor(p.In), p.Name, "parameter", p.In, none)
			}
		}
	}
	var schemes []string
	if c.doc.Components != nil {
		schemes = sortedKeys(c.doc.Components.SecuritySchemes)
	}
	for _, req := range c.security() {
		for id := range req {
			if !slices.Contains(schemes, id) {
				schemes = append(schemes, id)
			}
		}
	}
	for _, id := range schemes {
		if !named["scheme:"+id] {
			c.add(c.tableFor(openapi3.ParameterInHeader), id, "security scheme", "present", none)
		}
	}
}

// tableFor names the page's table for parameters in location in.
func (c *checker) tableFor(in string) string {
	for _, t := range c.page.Tables {
		if tableKind(t) == in {
			return t.Name()
		}
	}
	return in + " parameters (no table)"
}

// checkOpenness walks every schema reachable from the request body and from
// every response of the operation (error responses too). A request object
// schema must be closed (additionalProperties: false): its table lists every
// field. A response object schema must be open (additionalProperties absent
// or true), since the service may add fields, and require nothing: the
// pages' response tables and cbr-facts.md's error body mark no field
// mandatory (rows with a table are already compared row by row).
func (c *checker) checkOpenness() {
	type visit struct {
		s       *openapi3.Schema
		request bool
	}
	seen := map[visit]bool{}
	var walk func(ref *openapi3.SchemaRef, request bool, at string)
	walk = func(ref *openapi3.SchemaRef, request bool, at string) {
		if ref == nil || ref.Value == nil || seen[visit{ref.Value, request}] {
			return
		}
		seen[visit{ref.Value, request}] = true
		s, hasTable := ref.Value, false
		if m := schemaRefRe.FindStringSubmatch(ref.Ref); m != nil {
			at = "schema " + m[1]
			if name, ok := c.tableOf[m[1]]; ok {
				at, hasTable = name, true
			}
		}
		if s.Type.Is(openapi3.TypeObject) || len(s.Properties) > 0 {
			ap := additionalProperties(s.AdditionalProperties)
			switch {
			case request && ap != "false":
				c.add(at, "", "additionalProperties", ap, "false (a request table lists every field)")
			case !request && ap != none && ap != "true":
				c.add(at, "", "additionalProperties", ap, "none or true (a response stays open)")
			}
			if !request && !hasTable && len(s.Required) > 0 {
				c.add(at, "", "required", strings.Join(s.Required, ", "), "none (no response field is mandatory)")
			}
		}
		for _, p := range sortedKeys(s.Properties) {
			walk(s.Properties[p], request, at+" property "+p)
		}
		walk(s.Items, request, at+" items")
		walk(s.AdditionalProperties.Schema, request, at+" additionalProperties")
		walk(s.Not, request, at+" not")
		for _, sub := range slices.Concat(s.AllOf, s.AnyOf, s.OneOf) {
			walk(sub, request, at)
		}
	}
	if rb := c.op.RequestBody; rb != nil && rb.Value != nil {
		for _, mime := range sortedKeys(rb.Value.Content) {
			walk(rb.Value.Content[mime].Schema, true, "request body "+mime)
		}
	}
	if c.op.Responses == nil {
		return
	}
	responses := c.op.Responses.Map()
	for _, code := range sortedKeys(responses) {
		if resp := responses[code]; resp != nil && resp.Value != nil {
			for _, mime := range sortedKeys(resp.Value.Content) {
				walk(resp.Value.Content[mime].Schema, false, "response "+code+" "+mime)
			}
		}
	}
}

// additionalProperties writes a schema's additionalProperties: "none" when
// absent, "true", "false", or "a schema".
func additionalProperties(ap openapi3.AdditionalProperties) string {
	switch {
	case ap.Has != nil:
		return strconv.FormatBool(*ap.Has)
	case ap.Schema != nil:
		return "a schema"
	}
	return none
}

// typeName writes a schema's type the way the page does: "String",
// "Boolean", "X object", "Array of X objects".
func typeName(ref *openapi3.SchemaRef) string {
	if ref == nil || ref.Value == nil {
		return none
	}
	if m := schemaRefRe.FindStringSubmatch(ref.Ref); m != nil {
		return m[1] + " object"
	}
	s := ref.Value
	switch {
	case s.Type.Is(openapi3.TypeArray):
		if s.Items != nil {
			if m := schemaRefRe.FindStringSubmatch(s.Items.Ref); m != nil {
				return "Array of " + m[1] + " objects"
			}
			if it := typeName(s.Items); it != none {
				return "Array of " + strings.ToLower(it) + "s"
			}
		}
		return "Array"
	case s.Type.Is(openapi3.TypeString):
		return "String"
	case s.Type.Is(openapi3.TypeBoolean):
		return "Boolean"
	case s.Type.Is(openapi3.TypeInteger):
		return "Integer"
	case s.Type.Is(openapi3.TypeNumber):
		return "Number"
	case s.Type.Is(openapi3.TypeObject):
		return "Object"
	}
	return none
}

func rowName(t Table, r Row) string {
	cell, ok := t.Cell(r, "Parameter")
	if !ok && len(r.Cells) > 0 {
		cell = r.Cells[0]
	}
	return cell.Text()
}

// uintLimit writes a minLength or minItems; 0 is no limit.
func uintLimit(v uint64) string {
	if v == 0 {
		return none
	}
	return strconv.FormatUint(v, 10)
}

func ptrLimit(v *uint64) string {
	if v == nil {
		return none
	}
	return strconv.FormatUint(*v, 10)
}

func floatLimit(v *float64) string {
	if v == nil {
		return none
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}

func yesNo(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}

func orNone(s string) string {
	if s == "" {
		return none
	}
	return s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
