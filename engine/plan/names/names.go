package names

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"
	"github.com/hashicorp/hcl/v2"

	"github.com/voyplan/voyplan/engine/metrics"
	"github.com/voyplan/voyplan/engine/plan/decode"
)

// Shape is what a name in an expr-lang environment may be followed by: the
// fields of a struct, the keys of a map whose keys the plan fixes (personas,
// a data block's attributes), or the elements of a map whose keys it does
// not (conversations.reasons). expr-lang checks struct fields itself but not
// map keys: personas["katarina"] of a plan without katarina compiles and
// reads a zero, so a misspelt persona would be judged on nothing.
type Shape struct {
	what   string            // "persona", "field of reply", … for diagnostics
	fields map[string]*Shape // by name; nil: any name goes (an open map, a leaf)
	order  []string          // fields in declaration order, for diagnostics
	elem   *Shape            // a map's values, whatever the key
	// closed: fields are the only names (a struct, a map with known keys).
	closed bool
	// noun is what a map closed on known keys calls them ("persona").
	noun string
}

// shapeOf describes a Go type as expr-lang sees it: struct fields by their
// expr tag, maps by their values.
func shapeOf(t reflect.Type, what string) *Shape {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		s := &Shape{what: what, fields: map[string]*Shape{}, closed: true}
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("expr"), ",")
			if !f.IsExported() || name == "" || name == "-" {
				continue
			}
			s.fields[name] = shapeOf(f.Type, join(what, name))
			s.order = append(s.order, name)
		}
		return s
	case reflect.Map:
		return &Shape{what: what, elem: shapeOf(t.Elem(), what+"[…]")}
	}
	return &Shape{what: what}
}

// withKeys closes a map's Shape on the given keys, noun ("persona") each
// naming an element.
func (s *Shape) withKeys(noun string, keys []string) *Shape {
	c := *s
	c.fields, c.order, c.closed, c.noun = map[string]*Shape{}, keys, true, noun
	for _, k := range keys {
		c.fields[k] = s.elem
	}
	return &c
}

// CheckNames are the top-level names a threshold's check may read, in the
// order metrics.Snapshot declares them.
func CheckNames() []string {
	return slices.Clone(CheckShape(nil).order)
}

// CheckShape is what a threshold's check sees: metrics.Snapshot, its
// personas closed on the plan's (nil: not known, any name goes).
func CheckShape(personas []string) *Shape {
	s := shapeOf(reflect.TypeFor[metrics.Snapshot](), "")
	if personas != nil {
		p := s.fields["personas"]
		p.what = "the plan"
		s.fields["personas"] = p.withKeys("persona", personas)
	}
	return s
}

func join(what, name string) string {
	if what == "" {
		return name
	}
	return what + "." + name
}

// DataBlock is a data block's name and its attributes, in order: what a
// per-turn predicate may read of it.
type DataBlock struct {
	Name  string
	Attrs []string
}

// TurnShape is what a per-turn predicate (complete_when, a rule's when)
// sees of the plan's data blocks: each closed on its attributes. The other
// names (reply, messages, turn, persona) are typed, and expr-lang checks
// them itself.
func TurnShape(data []DataBlock) *Shape {
	s := &Shape{fields: map[string]*Shape{}}
	for _, b := range data {
		block := &Shape{what: fmt.Sprintf("data %q", b.Name), elem: &Shape{}}
		s.fields[b.Name] = block.withKeys("attribute", b.Attrs)
	}
	return s
}

// Read is one figure a check reads, found by walking its syntax tree:
// what decides whether the check judged anything (verdict's no data).
type Read struct {
	// Metric is the top-level name: conversations, reply, personas, cost…
	Metric string
	// Key is the persona of personas["edman"]; "" when the check reads
	// personas by a computed key or as a whole.
	Key string
	// Field is the figure read (p95, success_rate); "" when the check reads
	// the whole metric (values(personas), let r = reply).
	Field string
}

// Error is a name that does not resolve: where it is in the source
// (runes) and what to say. Diagnostics turns them into diagnostics.
type Error struct {
	from, to int
	detail   string
}

// Resolve walks source's syntax tree and checks every name read through
// root's Shape: the members and constant indexes of the chains that start
// at a root name. It returns what the program reads and the names that do
// not resolve; a source that does not parse gives neither (expr-lang's
// compiler reports it).
func Resolve(source string, root *Shape) ([]Read, []Error) {
	tree, err := parser.Parse(source)
	if err != nil {
		return nil, nil
	}
	var c chainCollector
	ast.Walk(&tree.Node, &c)
	var reads []Read
	var errs []Error
	seen := map[Read]bool{}
	for _, n := range c.tops() {
		r, e, ok := resolveChain(n, root, c.lets)
		if !ok {
			continue
		}
		if e != nil {
			errs = append(errs, *e)
			continue
		}
		if !seen[r] {
			seen[r] = true
			reads = append(reads, r)
		}
	}
	return reads, errs
}

// chainCollector gathers the member chains and bare identifiers of a tree,
// and the names its let declarations bind.
type chainCollector struct {
	nodes []ast.Node
	inner map[ast.Node]bool // the object of another member: part of a longer chain
	lets  map[string]bool
}

func (c *chainCollector) Visit(n *ast.Node) {
	if c.inner == nil {
		c.inner, c.lets = map[ast.Node]bool{}, map[string]bool{}
	}
	switch n := (*n).(type) {
	case *ast.MemberNode:
		c.nodes = append(c.nodes, n)
		c.inner[n.Node] = true
	case *ast.IdentifierNode:
		c.nodes = append(c.nodes, n)
	case *ast.CallNode:
		c.inner[n.Callee] = true // a function's name is not a figure
	case *ast.VariableDeclaratorNode:
		c.lets[n.Name] = true
	}
}

// tops are the chains not part of a longer one, in source order.
func (c *chainCollector) tops() []ast.Node {
	var out []ast.Node
	for _, n := range c.nodes {
		if !c.inner[n] {
			out = append(out, n)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Location().From < out[j].Location().From })
	return out
}

// link is one step of a chain: a name (constant member or index) or, when
// name is "", a computed index.
type link struct {
	name     string
	from, to int
}

// chainOf unrolls a chain to its root identifier; ok is false when it does
// not start at one (a pointer in a predicate, a call's result).
func chainOf(n ast.Node) (string, []link, bool) {
	var links []link
	for {
		switch m := n.(type) {
		case *ast.IdentifierNode:
			for i, j := 0, len(links)-1; i < j; i, j = i+1, j-1 {
				links[i], links[j] = links[j], links[i]
			}
			return m.Value, links, true
		case *ast.MemberNode:
			if m.Method {
				return "", nil, false
			}
			l := link{from: m.Property.Location().From, to: m.Property.Location().To}
			if s, ok := m.Property.(*ast.StringNode); ok {
				l.name = s.Value
			}
			links = append(links, l)
			n = m.Node
		default:
			return "", nil, false
		}
	}
}

// resolveChain follows a chain through root; ok is false for a chain that
// does not start at one of root's names (a let, a builtin's variable).
func resolveChain(n ast.Node, root *Shape, lets map[string]bool) (Read, *Error, bool) {
	name, links, ok := chainOf(n)
	if !ok || lets[name] {
		return Read{}, nil, false
	}
	s, ok := root.fields[name]
	if !ok {
		return Read{}, nil, false // expr-lang reports unknown names itself
	}
	r := Read{Metric: name}
	for i, l := range links {
		if l.name == "" { // a computed key: what it reads is not known here
			if s.elem == nil {
				return r, nil, true
			}
			s = s.elem
			continue
		}
		next, err := s.step(l)
		if err != nil {
			return r, err, true
		}
		if name == "personas" && i == 0 {
			r.Key = l.name
		} else if r.Field == "" {
			r.Field = l.name
		}
		s = next
	}
	return r, nil, true
}

// step follows one name from s.
func (s *Shape) step(l link) (*Shape, *Error) {
	if f, ok := s.fields[l.name]; ok {
		return f, nil
	}
	if !s.closed {
		if s.elem != nil {
			return s.elem, nil
		}
		return &Shape{what: s.what + "." + l.name}, nil
	}
	return nil, &Error{from: l.from, to: l.to, detail: s.unknown(l.name)}
}

// unknown says that s has no name n, and what it has.
func (s *Shape) unknown(n string) string {
	if s.noun != "" { // a map closed on the plan's keys
		return fmt.Sprintf("%s has no %s %q; it has %s.%s", s.what, s.noun, n, decode.QuotedList(s.order), decode.DidYouMean(n, s.order))
	}
	if d := decode.DidYouMean(n, s.order); d != "" {
		return fmt.Sprintf("%s has no field %q.%s", s.what, n, d)
	}
	return fmt.Sprintf("%s has no field %q: it has %s.", s.what, n, strings.Join(s.order, ", "))
}

// Diagnostics turns the names that do not resolve into diagnostics,
// each inside the string where it is written literally.
func Diagnostics(src []byte, attr *hcl.Attribute, rng hcl.Range, source string, errs []Error, kind decode.ExprKind) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, e := range errs {
		subject := decode.InString(src, attr, rng, source, e.from, e.to)
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  kind.Summary,
			Detail:   fmt.Sprintf("%s reads a name that does not exist: %s %s", kind.What, e.detail, kind.Help),
			Subject:  subject.Ptr(),
			Context:  rng.Ptr(),
		})
	}
	return diags
}
