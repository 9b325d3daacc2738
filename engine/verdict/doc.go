// Package verdict judges runs. It evaluates the plan's thresholds against
// a metrics.Snapshot, says what each one observed, and renders the tables
// a person reads at the end of a run (requests, errors, personas,
// thresholds) and the one-line verdict, steering lines included (from
// []transcript.Steer). A windowed threshold is judged on each window a run
// measured (window.go: it holds when it holds in every one; the worst is
// told), and a capacity search is summed up, gated and tabled
// (capacity.go).
// Compare judges one run against another (RunResults: a summary's metrics
// and, when at hand, the timings of its conversations, Samples), marking
// as regressions only the changes larger than the run-to-run noise the data
// supports (Newcomb's interval on counts, a bootstrap over conversations on
// timings, stats.go), and WriteComparison renders it as a table.
//
// It owns judging and its text tables only. It does not compile thresholds
// (engine/plan does, at load time), collect figures (engine/metrics), read
// or write result files (engine/results; report files: engine/report) or
// decide exit codes (cmd/voyplan). It must not import engine/results,
// engine/report, engine/run or engine/dashboard (engine/run imports it).
package verdict
