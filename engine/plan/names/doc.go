// Package names resolves the names an expr-lang program reads — a
// threshold's check, a per-turn predicate — against the shapes of what it
// will be given (metrics.Snapshot with the plan's personas, the plan's
// data blocks), so a misspelt persona, metric, field or percentile is a
// diagnostic at load time, never a silent zero at run time. It also says
// what a check reads (Read), which decides whether the check judged
// anything (engine/verdict's no data).
//
// It knows expr-lang's syntax tree and HCL diagnostics; it does not
// compile programs (engine/plan does, then asks Resolve) and must not
// import engine/plan.
package names
