// Package report writes and reads what a run leaves behind in its out
// directory: conversations.jsonl (one line per conversation, appended as each
// one ends, durable line by line), summary.json (plan identity, times,
// verdict, thresholds, every metric, and the old tool's run-summary fields
// under their old names; its JSON Schema is SummarySchema), history.json
// (the time series sampled during the run), and what is rendered from those
// three — stats.csv and history.csv (Locust's --csv shapes), junit.xml (one
// test case per threshold) and report.html (one self-contained page, charts
// and transcripts, that works offline). Render rebuilds the rendered files
// from a run directory alone, so a report can be redone after an upgrade.
// Compare judges one run against another, marking as regressions only the
// changes larger than the run-to-run noise the data supports. Merge
// combines the result directories of one run's segments (apply --segment,
// on several machines) into the directory one run would have left.
//
// Every file this package writes but conversations.jsonl is written
// atomically.
//
// It owns the file formats and how they reach the disk. It does not compute
// figures (engine/metrics), judge thresholds (engine/verdict) or decide where
// the out directory is (cmd/voyplan). It writes only what it is given, and is
// given no secrets: PlanInfoOf copies a plan's identity and nothing else.
package report

// File names in a run's out directory.
const (
	SummaryFile       = "summary.json"
	ConversationsFile = "conversations.jsonl"
	LateFile          = "late.jsonl" // callbacks after their conversation's line was written
	HistoryFile       = "history.json"
	StatsCSVFile      = "stats.csv"
	HistoryCSVFile    = "history.csv"
	JUnitFile         = "junit.xml"
	HTMLFile          = "report.html"
	RunLogFile        = "run.log"
)
