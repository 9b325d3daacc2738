// Package report writes and reads what a run leaves behind in its out
// directory: conversations.jsonl (one line per conversation, appended as each
// one ends, durable line by line) and summary.json (plan identity, times,
// verdict, thresholds, every metric, and the old tool's run-summary fields
// under their old names), written atomically.
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
)
