// Package decode holds the mechanics every block decoder of the plan
// language shares, and nothing of the language itself: Attrs, the typed
// attribute getters that report a wrong value as an hcl.Diagnostic and
// keep going; duration parsing; the compilation of expr-lang programs
// written in string attributes, with a compile error placed inside the
// string; checks of function calls; the metering that bounds the work of
// every evaluation of a plan's expressions and the range of its numbers
// (budget.go); and the "Did you mean …?" suggestions.
//
// It knows no block type and no default. It must not import engine/plan
// or any other package under it: they all import it.
package decode
