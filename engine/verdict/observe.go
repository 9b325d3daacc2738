package verdict

import (
	"strings"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"

	"github.com/voyplan/voyplan/engine/metrics"
)

// Observe evaluates, against s, each operand of check's comparisons
// (<, <=, >, >=, ==, !=) that depends on the metrics, and formats the values
// (see Format), joined by ", " in source order. Constant operands
// (0.9, duration('30s')) are left out, as is anything that cannot be
// evaluated: Observe explains a check; it never fails.
func Observe(check string, s metrics.Snapshot) string {
	tree, err := parser.Parse(check)
	if err != nil {
		return ""
	}
	var vals []string
	seen := map[string]bool{}
	for _, n := range comparedOperands(tree.Node) {
		src := n.String()
		if seen[src] {
			continue
		}
		seen[src] = true
		if v, ok := evalOperand(src, s); ok {
			vals = append(vals, v)
		}
	}
	return strings.Join(vals, ", ")
}

func evalOperand(src string, s metrics.Snapshot) (string, bool) {
	v, ok := evalValue(src, s)
	if !ok {
		return "", false
	}
	return Format(v), true
}

// evalValue evaluates an expression of the metrics against s.
func evalValue(src string, s metrics.Snapshot) (any, bool) {
	p, err := expr.Compile(src, expr.Env(metrics.Snapshot{}))
	if err != nil {
		return nil, false
	}
	v, err := expr.Run(p, s)
	if err != nil {
		return nil, false
	}
	return v, true
}

var comparisons = map[string]bool{"<": true, "<=": true, ">": true, ">=": true, "==": true, "!=": true}

var logical = map[string]bool{"&&": true, "||": true, "and": true, "or": true, "not": true, "!": true}

// comparedOperands lists the non-constant operands of every comparison in
// the tree, in source order (ast.Walk visits children first, left to right).
func comparedOperands(root ast.Node) []ast.Node {
	var c operandCollector
	ast.Walk(&root, &c)
	return c.operands
}

type operandCollector struct{ operands []ast.Node }

func (c *operandCollector) Visit(n *ast.Node) {
	b, ok := (*n).(*ast.BinaryNode)
	if !ok || !comparisons[b.Operator] {
		return
	}
	for _, o := range []ast.Node{b.Left, b.Right} {
		if !isBoolean(o) && !isConstant(o) {
			c.operands = append(c.operands, o)
		}
	}
}

// isBoolean reports whether n is itself a comparison or a logical operation:
// its parts are observed on their own.
func isBoolean(n ast.Node) bool {
	switch n := n.(type) {
	case *ast.BinaryNode:
		return comparisons[n.Operator] || logical[n.Operator]
	case *ast.UnaryNode:
		return logical[n.Operator]
	}
	return false
}

// isConstant reports whether n names no variable: only literals, operators
// and function calls over them.
func isConstant(n ast.Node) bool {
	var v identFinder
	ast.Walk(&n, &v)
	for id := range v.idents {
		if !v.callees[id] {
			return false
		}
	}
	return true
}

type identFinder struct {
	idents  map[*ast.IdentifierNode]bool
	callees map[*ast.IdentifierNode]bool
}

func (f *identFinder) Visit(n *ast.Node) {
	if f.idents == nil {
		f.idents = map[*ast.IdentifierNode]bool{}
		f.callees = map[*ast.IdentifierNode]bool{}
	}
	switch n := (*n).(type) {
	case *ast.IdentifierNode:
		f.idents[n] = true
	case *ast.CallNode:
		if id, ok := n.Callee.(*ast.IdentifierNode); ok {
			f.callees[id] = true
		}
	}
}
