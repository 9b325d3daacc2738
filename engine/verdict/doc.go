// Package verdict judges a run: it evaluates the plan's thresholds against a
// metrics.Snapshot, says what each one observed, and renders the tables a
// person reads at the end of a run (requests, personas, thresholds) and the
// one-line verdict.
//
// It owns judging and the text tables only. It does not compile thresholds
// (engine/plan does, at load time), collect figures (engine/metrics), decide
// exit codes (cmd/voyplan) or write result files (engine/report).
package verdict
