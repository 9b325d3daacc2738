package decode

import (
	"fmt"
	"math"
	"math/big"
	"reflect"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// Limit is the most work one evaluation of a plan expression may do, in
// units: one per value built or passed to a function or an operator (the
// elements of a collection each count), one per 64 bytes of a string, and
// one per turn of a for expression. A plan's expressions stay far below
// it: a script of 100,000 lines is 100,000 units, a CSV file of 50,000
// rows of ten fields about 550,000. Past it an evaluation stops with a
// diagnostic, in one to four seconds at most (what a unit costs varies:
// a turn of a template's loop is the dearest); before, two for
// expressions nested over lists of 20,000 lines took the machine's
// memory, and jsonencode(setproduct(range(1), range(1000), range(1000)))
// took seconds (both found by fuzzing). A template rendered by
// templatefile spends its caller's budget (budgetArg).
const Limit = 1 << 20

// budgetKey names a plan evaluation's budget in its context's variables.
// No identifier can spell it, so no expression can read it.
const budgetKey = "\x00voyplan evaluation budget"

// budget is what is left of one evaluation's Limit. Once it has
// stopped the evaluation (done: spent, or a number out of range), what
// is left of it answers unknown without a word: HCL goes on through a
// loop whose turns fail, and the evaluation reports its one error, not
// one for each turn.
type budget struct {
	left int64
	done bool
}

// stop ends b's evaluation with d, once: nil when it has ended already.
func (b *budget) stop(d *hcl.Diagnostic) hcl.Diagnostics {
	if b == nil {
		return hcl.Diagnostics{d}
	}
	if b.done {
		return nil
	}
	b.done = true
	return hcl.Diagnostics{d}
}

var budgetType = cty.Capsule("budget", reflect.TypeFor[budget]())

// Meter prepares a parsed plan, template or variable file for evaluation
// within Limit, and reports every number literal a plan cannot use. It
// must run once, right after parsing and before any Content or
// JustAttributes call, because it wraps expressions in the tree:
//
//   - each attribute's expression, whose result is then charged;
//   - every computed operand: a function's arguments, an operator's or a
//     template's parts, a list's elements and an object's values, a for
//     expression's collection, key and value;
//   - every for expression's condition (one is added where there is none),
//     which charges each turn.
//
// A wrapper holding a for expression gives its evaluation a budget when
// none above it has: an attribute's, or an element a decoder takes out
// of a list (hcl.ExprList) and evaluates on its own. References and
// literals are never wrapped (hclsyntax.Variables finds references by
// their node type); a call or an operator charges its reference operands
// itself before it runs. Walk a metered tree with VisitAll, which sees
// through the wrappers.
func Meter(n hclsyntax.Node) hcl.Diagnostics {
	m := &meterer{}
	hclsyntax.Walk(n, m)
	return m.diags
}

// MeterTemplate is Meter for a template parsed on its own: its root is
// an expression, not an attribute's.
func MeterTemplate(t hclsyntax.Expression) (hclsyntax.Expression, hcl.Diagnostics) {
	t = meter(t)
	return t, Meter(t)
}

// meterer wraps a tree as hclsyntax.Walk enters its nodes, and marks the
// wrappers that hold a for expression as it leaves them.
type meterer struct {
	loops []bool // for each node entered and not left: whether it holds a for expression
	diags hcl.Diagnostics
}

func (w *meterer) Enter(n hclsyntax.Node) hcl.Diagnostics {
	if m, ok := n.(*metered); ok {
		n = m.Expression // Walk goes on into its expression's children
	}
	_, loop := n.(*hclsyntax.ForExpr)
	w.loops = append(w.loops, loop)
	switch e := n.(type) {
	case *hclsyntax.Attribute:
		e.Expr = meter(e.Expr)
	case *hclsyntax.LiteralValueExpr:
		if err := checkNumber(e.Val); err != nil {
			w.diags = append(w.diags, numberDiag(e.SrcRange, err))
		}
	case *hclsyntax.FunctionCallExpr:
		meterAll(e.Args)
		if e.Name == "templatefile" && len(e.Args) == 2 && !e.ExpandFinal {
			// The template it renders spends its caller's budget.
			e.Args = append(e.Args, &budgetArg{&hclsyntax.LiteralValueExpr{Val: cty.True, SrcRange: e.CloseParenRange}})
		}
	case *hclsyntax.BinaryOpExpr:
		e.LHS, e.RHS = meter(e.LHS), meter(e.RHS)
	case *hclsyntax.UnaryOpExpr:
		e.Val = meter(e.Val)
	case *hclsyntax.TemplateExpr:
		meterAll(e.Parts)
	case *hclsyntax.TemplateWrapExpr:
		e.Wrapped = meter(e.Wrapped)
	case *hclsyntax.TupleConsExpr:
		meterAll(e.Exprs)
	case *hclsyntax.ObjectConsExpr:
		for i := range e.Items {
			e.Items[i].ValueExpr = meter(e.Items[i].ValueExpr)
		}
	case *hclsyntax.ForExpr:
		e.CollExpr, e.ValExpr = meter(e.CollExpr), meter(e.ValExpr)
		if e.KeyExpr != nil {
			e.KeyExpr = meter(e.KeyExpr)
		}
		e.CondExpr = counted(e.CondExpr, e.SrcRange)
	}
	return nil
}

func (w *meterer) Exit(n hclsyntax.Node) hcl.Diagnostics {
	last := len(w.loops) - 1
	loop := w.loops[last]
	w.loops = w.loops[:last]
	if loop {
		if m, ok := n.(*metered); ok {
			m.loops = true
		}
		if last > 0 {
			w.loops[last-1] = true
		}
	}
	return nil
}

func meterAll(es []hclsyntax.Expression) {
	for i := range es {
		es[i] = meter(es[i])
	}
}

// VisitAll is hclsyntax.VisitAll over a metered tree: cb sees each node
// the parser made, never a wrapper.
func VisitAll(n hclsyntax.Node, cb hclsyntax.VisitFunc) hcl.Diagnostics {
	return hclsyntax.VisitAll(n, func(n hclsyntax.Node) hcl.Diagnostics {
		if m, ok := n.(*metered); ok {
			n = m.Expression
		}
		return cb(n)
	})
}

// metered evaluates its expression and charges the result to the
// evaluation's budget: the one its context holds, or, in an evaluation
// without a for expression, a Limit of its own.
type metered struct {
	hclsyntax.Expression
	loops bool // its expression holds a for expression: it starts a budget when none is above
}

// simple reports whether e is a literal or a reference: nothing to
// charge, and nodes that must keep their type (hclsyntax.Variables
// finds references by it, HCL a string literal by it).
func simple(e hclsyntax.Expression) bool {
	switch e := e.(type) {
	case *hclsyntax.LiteralValueExpr, *hclsyntax.ScopeTraversalExpr:
		return true
	case *hclsyntax.TemplateExpr:
		return e.IsStringLiteral()
	}
	return false
}

func meter(e hclsyntax.Expression) hclsyntax.Expression {
	if e == nil || simple(e) {
		return e
	}
	return &metered{Expression: e}
}

// UnwrapExpression lets hcl.ExprList, hcl.ExprAsKeyword and the like see
// the expression the parser made.
func (m *metered) UnwrapExpression() hcl.Expression { return m.Expression }

func (m *metered) Value(ctx *hcl.EvalContext) (cty.Value, hcl.Diagnostics) {
	b := budgetOf(ctx)
	if b == nil && m.loops && ctx != nil {
		b = &budget{left: Limit}
		child := ctx.NewChild()
		child.Variables = map[string]cty.Value{budgetKey: cty.CapsuleVal(budgetType, b)}
		ctx = child
	}
	if b != nil && b.done {
		return cty.DynamicVal, nil
	}
	if err := m.chargeOperands(ctx, b); err != nil {
		return cty.DynamicVal, b.stop(err)
	}
	v, diags := m.Expression.Value(ctx)
	if diags.HasErrors() {
		return v, diags
	}
	if err := charge(b, v); err != nil {
		return cty.DynamicVal, append(diags, b.stop(chargeDiag(m.Range(), err))...)
	}
	return v, diags
}

// chargeOperands charges the references a call or an operator is given:
// their values exist already, but the function or the comparison will
// walk them, and it may do so once for each turn of a loop.
func (m *metered) chargeOperands(ctx *hcl.EvalContext, b *budget) *hcl.Diagnostic {
	if b == nil {
		return nil // no loop: each call runs once, on values checked when built
	}
	var operands []hclsyntax.Expression
	switch e := m.Expression.(type) {
	case *hclsyntax.FunctionCallExpr:
		operands = e.Args
	case *hclsyntax.BinaryOpExpr:
		operands = []hclsyntax.Expression{e.LHS, e.RHS}
	default:
		return nil
	}
	for _, o := range operands {
		if _, ok := o.(*hclsyntax.ScopeTraversalExpr); !ok {
			continue // computed operands are metered themselves
		}
		v, diags := o.Value(ctx)
		if diags.HasErrors() {
			continue // the call itself reports it
		}
		if err := charge(b, v); err != nil {
			return chargeDiag(m.Range(), err)
		}
	}
	return nil
}

// chargeDiag reports a charge that failed at rng: a number out of range,
// or the budget spent.
func chargeDiag(rng hcl.Range, err error) *hcl.Diagnostic {
	if ne, ok := err.(numberError); ok {
		return numberDiag(rng, ne)
	}
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Expression too costly",
		Detail: fmt.Sprintf("Evaluating this expression builds or goes through more than %d values "+
			"(a string counts one for each 64 bytes, a for expression one for each turn). "+
			"Look for a for expression nested in another over long lists, or setproduct, split, indent or "+
			"jsonencode given large arguments.", Limit),
		Subject: rng.Ptr(),
	}
}

// counter is true, and charges one turn of a for expression each time it
// is evaluated: it is the loop's condition when the plan gives none.
type counter struct {
	*hclsyntax.LiteralValueExpr
}

// countedCond is a loop's own condition, counted: its counter charges
// the turn, then the plan's condition answers as it would have (so HCL's
// own "Invalid 'for' condition" still reports a condition that is not a
// bool). It keeps the condition in a BinaryOpExpr's place, where walkers
// find it: hclsyntax.Variables sees a reference there, not inside a
// wrapper of another type.
type countedCond struct {
	*hclsyntax.BinaryOpExpr // LHS the counter, RHS the plan's condition
}

func (c *countedCond) Value(ctx *hcl.EvalContext) (cty.Value, hcl.Diagnostics) {
	if v, diags := c.LHS.Value(ctx); !v.IsKnown() || diags.HasErrors() {
		return v, diags
	}
	return c.RHS.Value(ctx)
}

func counted(cond hclsyntax.Expression, rng hcl.Range) hclsyntax.Expression {
	if cond != nil {
		rng = cond.Range()
	}
	c := &counter{&hclsyntax.LiteralValueExpr{Val: cty.True, SrcRange: rng}}
	if cond == nil {
		return c
	}
	return &countedCond{&hclsyntax.BinaryOpExpr{LHS: c, Op: hclsyntax.OpLogicalAnd, RHS: cond, SrcRange: rng}}
}

func (c *counter) Value(ctx *hcl.EvalContext) (cty.Value, hcl.Diagnostics) {
	if b := budgetOf(ctx); b != nil {
		if b.done {
			return cty.UnknownVal(cty.Bool), nil // HCL ends a loop with an unknown condition
		}
		if b.left--; b.left < 0 {
			return cty.UnknownVal(cty.Bool), b.stop(chargeDiag(c.Range(), errTooCostly))
		}
	}
	return cty.True, nil
}

// budgetArg is the argument Meter adds to a call of templatefile: its
// caller's budget (noBudget when the caller has none), which Budgeted
// puts in the context the template is rendered in.
type budgetArg struct {
	*hclsyntax.LiteralValueExpr
}

func (a *budgetArg) Value(ctx *hcl.EvalContext) (cty.Value, hcl.Diagnostics) {
	if b := budgetOf(ctx); b != nil {
		return cty.CapsuleVal(budgetType, b), nil
	}
	return cty.CapsuleVal(budgetType, noBudget), nil
}

// noBudget is what budgetArg gives when its caller has no budget: the
// template then has one of its own.
var noBudget = &budget{}

// IsBudget reports whether v is what Meter's added argument gives a
// function; no value a plan can write is.
func IsBudget(v cty.Value) bool {
	return v.IsKnown() && !v.IsNull() && v.Type().Equals(budgetType)
}

// Budgeted adds to vars, a template's variables, the budget v that Meter's
// added argument gave templatefile, so the template's evaluation spends
// it (and a template rendered in a loop counts in the loop's).
func Budgeted(vars map[string]cty.Value, v cty.Value) {
	if IsBudget(v) && v.EncapsulatedValue().(*budget) != noBudget {
		vars[budgetKey] = v
	}
}

// budgetOf finds the budget of the evaluation ctx belongs to: nil when
// the evaluation has no for expression, and each value then gets a Limit
// of its own.
func budgetOf(ctx *hcl.EvalContext) *budget {
	for c := ctx; c != nil; c = c.Parent() {
		if v, ok := c.Variables[budgetKey]; ok {
			return v.EncapsulatedValue().(*budget)
		}
	}
	return nil
}

type costError struct{}

func (costError) Error() string { return "too costly" }

var errTooCostly error = costError{}

// charge takes v's size from b, or checks it against Limit when b is
// nil, and checks every number in v.
func charge(b *budget, v cty.Value) error {
	limit := int64(Limit)
	if b != nil {
		limit = b.left
	}
	n, err := size(v, limit)
	if err != nil {
		return err
	}
	if b != nil {
		b.left -= n
	}
	return nil
}

// CheckValue reports a value a plan cannot use, from outside its
// expressions (a -var flag, an environment variable): a number out of
// range, or more than Limit units.
func CheckValue(v cty.Value) error {
	_, err := size(v, Limit)
	if _, ok := err.(numberError); ok {
		return fmt.Errorf("a number in it is out of range: %s", numberRange)
	}
	if err != nil {
		return fmt.Errorf("it is larger than %d values", Limit)
	}
	return nil
}

// size is v's size in units, stopping with errTooCostly past limit, or
// with a numberError at the first number out of range.
func size(v cty.Value, limit int64) (int64, error) {
	if v.IsMarked() {
		v, _ = v.Unmark()
	}
	if !v.IsKnown() || v.IsNull() {
		return 1, nil
	}
	ty := v.Type()
	var n int64 = 1
	switch {
	case ty == cty.String:
		n += int64(len(v.AsString()) / 64)
	case ty == cty.Number:
		if err := checkNumber(v); err != nil {
			return 0, err
		}
	case ty.IsCollectionType() || ty.IsTupleType() || ty.IsObjectType():
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			m, err := size(e, limit-n)
			if err != nil {
				return 0, err
			}
			n += m
			if n > limit {
				return 0, errTooCostly
			}
		}
	}
	if n > limit {
		return 0, errTooCostly
	}
	return n, nil
}

// numberError is a number a plan cannot use: about 10^exp10, or
// infinite.
type numberError struct {
	exp10 int
	inf   bool
}

func (e numberError) Error() string { return "number out of range" }

// checkNumber refuses a number beyond float64's range (infinity too), or
// nearer zero than its smallest value: cty keeps numbers exact, and writing
// 1e999999999 as a string (which a template or a string attribute does)
// is a billion digits.
func checkNumber(v cty.Value) error {
	if v.IsMarked() {
		v, _ = v.Unmark()
	}
	if v.Type() != cty.Number || !v.IsKnown() || v.IsNull() {
		return nil
	}
	f := v.AsBigFloat()
	if f.IsInf() {
		return numberError{inf: true} // 1e999999999 parses as +Inf
	}
	if f.Sign() == 0 {
		return nil
	}
	var mant big.Float
	if exp := f.MantExp(&mant); exp > 1024 || exp < -1073 {
		// Its power of ten from its power of two: big.Float's exact
		// decimal conversion is the very cost being refused.
		m, _ := mant.Abs(&mant).Float64()
		return numberError{exp10: int(math.Floor(math.Log10(m) + float64(exp)*math.Log10(2)))}
	}
	return nil
}

// numberRange is the range of a plan's numbers, as diagnostics say it.
const numberRange = "a plan's numbers must be within ±1.8e308 and, apart from 0, no nearer zero than 4.9e-324"

func numberDiag(rng hcl.Range, err error) *hcl.Diagnostic {
	about := ""
	if ne, ok := err.(numberError); ok {
		about = fmt.Sprintf(" is about 1e%d:", ne.exp10)
		if ne.inf {
			about = " is infinite:"
		}
	}
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Number out of range",
		Detail:   fmt.Sprintf("This number%s %s.", about, numberRange),
		Subject:  rng.Ptr(),
	}
}
