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

// Mismatch is one difference between the spec and a source: the page, or
// cbr-facts.md.
type Mismatch struct {
	// Table names the page's table ("Table 4 CheckpointReplicateParam"), or
	// the page's part ("operation") when the difference is not in a table.
	Table string
	// Row is the parameter or property the row names; empty for the table
	// or the part as a whole.
	Row string
	// Field is what differs, e.g. "maxLength" or "mandatory".
	Field string
	// Spec and Page are the two values, "none" for an absent one; Page is
	// the source's value, whichever source that is.
	Spec, Page string
	// Source names the source when it is not the page: "facts" for
	// cbr-facts.md.
	Source string
}

// String reads like
// "Table 4 CheckpointReplicateParam, row destination_region: maxLength: spec 254, page 255".
func (m Mismatch) String() string {
	where := m.Table
	if m.Row != "" {
		where += ", row " + m.Row
	}
	source := m.Source
	if source == "" {
		source = "page"
	}
	return fmt.Sprintf("%s: %s: spec %s, %s %s", where, m.Field, m.Spec, source, m.Page)
}

var (
	limitRe     = regexp.MustCompile(`^(Minimum|Maximum): (-?\d+(?:\.\d+)?)$`)
	schemaRefRe = regexp.MustCompile(`^#/components/schemas/([^/]+)$`)
	// defaultRe reads "The default value is false" (or **false**, the
	// page's bold as Markdown writes it) in a row's description.
	defaultRe = regexp.MustCompile(`\bThe default value is \**([^\s*,.;]+)\**`)
)

// CheckPage compares the operation that page documents with doc in both
// directions: every row of every table against the spec's parameter,
// security scheme or schema property of the same name (location, mandatory
// flag, type, limits, format, default and description), and every
// parameter, security scheme and body property of the spec against the
// page. It also compares the URI, the title (summary), the Function section
// (description) and the Status Codes table, and checks that request schemas
// are closed and response schemas open. It returns every mismatch found,
// none when the two agree.
func CheckPage(page *Page, doc *openapi3.T) []Mismatch {
	c := checker{page: page, doc: doc}
	c.check()
	return c.out
}

// checker holds the state of one CheckPage run.
type checker struct {
	page *Page
	doc  *openapi3.T
	out  []Mismatch

	method, path string
	pathItem     *openapi3.PathItem
	op           *openapi3.Operation
}

func (c *checker) add(table, row, field, spec, page string) {
	c.out = append(c.out, Mismatch{Table: table, Row: row, Field: field, Spec: spec, Page: page})
}

func (c *checker) check() {
	if !c.checkOperation() {
		return
	}
	named := map[string]bool{} // "in:name" of every parameter and scheme a row names
	bodyTables := map[string]Table{}
	for _, t := range c.page.Tables {
		switch kind, schema := tableKind(t); kind {
		case "status":
			c.checkStatusTable(t)
		case "path", "query", "header":
			c.checkParamTable(t, kind, named)
		case "body":
			bodyTables[schema] = t
			c.checkBodyTable(t, schema)
		default:
			c.add(t.Name(), "", "table", none, "a table the contract does not understand (id "+strconv.Quote(t.ID)+")")
		}
	}
	c.checkSpecParams(named)
	c.checkReachable(bodyTables)
	c.checkOpenness(bodyTables)
}

// checkOperation finds the operation of the URI section and compares its
// summary and description; it reports false when there is none to check.
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
	c.method, c.path = strings.ToUpper(fields[0]), fields[1]
	page := c.method + " " + c.path
	var specOps []string
	if c.doc.Paths != nil {
		for _, p := range c.doc.Paths.Keys() {
			item := c.doc.Paths.Value(p)
			for m := range item.Operations() {
				specOps = append(specOps, m+" "+p)
			}
			if p == c.path {
				c.pathItem = item
				c.op = item.GetOperation(c.method)
			}
		}
	}
	slices.Sort(specOps)
	for _, o := range specOps {
		if o != page {
			c.add("operation", "", "URI", o, none)
		}
	}
	if c.op == nil {
		c.add("operation", "", "URI", none, page)
		return false
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
// "header", or "body" with the name of the schema (from the table's id,
// e.g. "CopyCheckpoint__request_CheckpointReplicateParam").
func tableKind(t Table) (kind, schema string) {
	if t.Column("Status Code") >= 0 {
		return "status", ""
	}
	for _, marker := range []string{"__request_", "__response_"} {
		if _, name, ok := strings.Cut(t.ID, marker); ok && name != "" {
			return "body", name
		}
	}
	caption := strings.ToLower(t.Caption)
	for _, kind := range []string{"path", "query", "header"} {
		if strings.HasPrefix(caption, kind+" parameters") || strings.HasPrefix(caption, "request "+kind+" parameters") {
			return kind, ""
		}
	}
	return "", ""
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
			c.checkType(t, r, name, p.Schema)
			c.checkFormatAndDefault(t, r, name, p.Schema, true)
			c.checkDescription(t, r, name, p.Description)
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
				c.checkDescription(t, r, name, scheme.Description)
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

// checkBodyTable compares a table of body properties with the schema it
// names, in both directions.
func (c *checker) checkBodyTable(t Table, name string) {
	var schema *openapi3.Schema
	if c.doc.Components != nil {
		if ref := c.doc.Components.Schemas[name]; ref != nil {
			schema = ref.Value
		}
	}
	if schema == nil {
		c.add(t.Name(), "", "schema", none, name)
		return
	}
	onPage := map[string]bool{}
	for _, r := range t.Rows {
		prop := rowName(t, r)
		onPage[prop] = true
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
		c.checkType(t, r, prop, ref)
		c.checkFormatAndDefault(t, r, prop, ref, strings.Contains(t.ID, "__request_"))
		c.checkDescription(t, r, prop, ref.Value.Description)
	}
	for _, prop := range sortedKeys(schema.Properties) {
		if !onPage[prop] {
			c.add(t.Name(), prop, "property", "present", none)
		}
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

// checkType compares the Type cell and the Minimum/Maximum lines of the
// Description cell with the schema.
func (c *checker) checkType(t Table, r Row, name string, ref *openapi3.SchemaRef) {
	cell, _ := t.Cell(r, "Type")
	if s, p := typeName(ref), cell.Text(); s != p {
		c.add(t.Name(), name, "type", s, p)
	}
	if ref == nil || ref.Value == nil {
		return
	}
	s := ref.Value
	pageMin, pageMax := limits(t, r)
	switch {
	case s.Type.Is(openapi3.TypeString):
		c.compareLimit(t, name, "minLength", uintLimit(s.MinLength, true), pageMin)
		c.compareLimit(t, name, "maxLength", ptrLimit(s.MaxLength), pageMax)
	case s.Type.Is(openapi3.TypeArray):
		c.compareLimit(t, name, "minItems", uintLimit(s.MinItems, true), pageMin)
		c.compareLimit(t, name, "maxItems", ptrLimit(s.MaxItems), pageMax)
	case s.Type.Is(openapi3.TypeInteger), s.Type.Is(openapi3.TypeNumber):
		c.compareLimit(t, name, "minimum", floatLimit(s.Min), pageMin)
		c.compareLimit(t, name, "maximum", floatLimit(s.Max), pageMax)
	default:
		c.compareLimit(t, name, "Minimum", none, pageMin)
		c.compareLimit(t, name, "Maximum", none, pageMax)
	}
}

func (c *checker) compareLimit(t Table, name, field, spec, page string) {
	if field == "minLength" || field == "minItems" {
		// A length of at least 0 is no limit: "Minimum: 0" on the page and an
		// absent minLength say the same.
		if page == "0" {
			page = none
		}
	}
	if spec != page {
		c.add(t.Name(), name, field, spec, page)
	}
}

func (c *checker) checkDescription(t Table, r Row, name, spec string) {
	if s, p := normalise(spec), description(t, r); s != p {
		c.add(t.Name(), name, "description", strconv.Quote(s), strconv.Quote(p))
	}
}

// checkFormatAndDefault compares the schema's format and default with what
// the row's description implies. A String row of a request table whose
// description ends with "(UUID)" means format uuid; every other row means
// no format. A sentence "The default value is X" means default X; its
// absence means no default.
func (c *checker) checkFormatAndDefault(t Table, r Row, name string, ref *openapi3.SchemaRef, request bool) {
	if ref == nil || ref.Value == nil {
		return
	}
	desc := description(t, r)
	typ, _ := t.Cell(r, "Type")
	pageFormat := none
	if request && typ.Text() == "String" && strings.HasSuffix(desc, "(UUID)") {
		pageFormat = "uuid"
	}
	if s := orNone(ref.Value.Format); s != pageFormat {
		c.add(t.Name(), name, "format", s, pageFormat)
	}
	pageDefault := none
	if m := defaultRe.FindStringSubmatch(desc); m != nil {
		pageDefault = m[1]
	}
	specDefault := none
	if ref.Value.Default != nil {
		specDefault = fmt.Sprint(ref.Value.Default)
	}
	if specDefault != pageDefault {
		c.add(t.Name(), name, "default", specDefault, pageDefault)
	}
}

// description is a row's Description cell without its Minimum and Maximum
// lines.
func description(t Table, r Row) string {
	cell, _ := t.Cell(r, "Description")
	var lines []string
	for _, l := range cell.Lines {
		if !limitRe.MatchString(l) {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, " ")
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
		if kind, _ := tableKind(t); kind == in {
			return t.Name()
		}
	}
	return in + " parameters (no table)"
}

// checkReachable walks the schemas of the request body and of every
// response the Status Codes table lists, and reports each object schema
// without a table, and each table of the body whose schema is not reached.
func (c *checker) checkReachable(tables map[string]Table) {
	reached := map[string]string{} // schema name -> "request" or "response"
	var walk func(ref *openapi3.SchemaRef, side, at string)
	walk = func(ref *openapi3.SchemaRef, side, at string) {
		if ref == nil || ref.Value == nil {
			return
		}
		if m := schemaRefRe.FindStringSubmatch(ref.Ref); m != nil {
			if _, seen := reached[m[1]]; seen {
				return
			}
			reached[m[1]] = side
			if _, ok := tables[m[1]]; !ok {
				c.add(at, "", "schema "+m[1], "present", none)
			}
			at = m[1]
		} else if ref.Ref == "" && len(ref.Value.Properties) > 0 {
			c.add(at, "", "inline object schema", "present", none)
		}
		s := ref.Value
		for _, p := range sortedKeys(s.Properties) {
			walk(s.Properties[p], side, tableNameOr(tables, at)+" property "+p)
		}
		walk(s.Items, side, at)
		walk(s.AdditionalProperties.Schema, side, at)
		walk(s.Not, side, at)
		for _, sub := range slices.Concat(s.AllOf, s.AnyOf, s.OneOf) {
			walk(sub, side, at)
		}
	}
	if rb := c.op.RequestBody; rb != nil && rb.Value != nil {
		for _, mime := range sortedKeys(rb.Value.Content) {
			walk(rb.Value.Content[mime].Schema, "request", "request body "+mime)
		}
	}
	for _, t := range c.page.Tables {
		if kind, _ := tableKind(t); kind != "status" {
			continue
		}
		for _, r := range t.Rows {
			code, _ := t.Cell(r, "Status Code")
			resp := c.op.Responses.Value(code.Text())
			if resp == nil || resp.Value == nil {
				continue
			}
			for _, mime := range sortedKeys(resp.Value.Content) {
				walk(resp.Value.Content[mime].Schema, "response", "response "+code.Text()+" "+mime)
			}
		}
	}
	for _, name := range sortedKeys(tables) {
		t := tables[name]
		want := "request"
		if strings.Contains(t.ID, "__response_") {
			want = "response"
		}
		if got, ok := reached[name]; !ok || got != want {
			c.add(t.Name(), "", "schema "+name+" in the "+want+" body", orNone(got), "present")
		}
	}
}

// checkOpenness walks every schema reachable from the request body and from
// every response of the operation (error responses too). A request object
// schema must be closed (additionalProperties: false): its table lists every
// field. A response object schema must be open (additionalProperties absent
// or true), since the service may add fields, and require nothing: the
// page's response tables and cbr-facts.md's error body mark no field
// mandatory (rows with a table are already compared row by row).
func (c *checker) checkOpenness(tables map[string]Table) {
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
			if t, ok := tables[m[1]]; ok {
				at, hasTable = t.Name(), true
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

func tableNameOr(tables map[string]Table, name string) string {
	if t, ok := tables[name]; ok {
		return t.Name()
	}
	return name
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

// limits reads the "Minimum: N" and "Maximum: N" lines of a row's
// Description cell.
func limits(t Table, r Row) (min, max string) {
	min, max = none, none
	cell, _ := t.Cell(r, "Description")
	for _, l := range cell.Lines {
		if m := limitRe.FindStringSubmatch(l); m != nil {
			if m[1] == "Minimum" {
				min = m[2]
			} else {
				max = m[2]
			}
		}
	}
	return min, max
}

func rowName(t Table, r Row) string {
	cell, ok := t.Cell(r, "Parameter")
	if !ok && len(r.Cells) > 0 {
		cell = r.Cells[0]
	}
	return cell.Text()
}

func uintLimit(v uint64, zeroIsNone bool) string {
	if v == 0 && zeroIsNone {
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
