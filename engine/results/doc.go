// Package results is a run directory as a type (Dir): what one run, or the
// merge of a run's segments, leaves behind. It owns the directory and every
// file format in it but the rendered ones: Create makes a new directory
// (refusing one that already holds a run), Open and At name an existing
// one, and each file has one reader — summary.json (ReadSummary, its JSON
// Schema SummarySchema and ValidateSummary; the old tool's run-summary
// fields under their old names), conversations.jsonl (ScanConversations,
// ReadConversations, ReadSamples), late.jsonl (ReadLate, AttachLate) and
// history.json (ReadHistory). While a run goes on it writes through Sinks:
// journal.jsonl (Journal: each conversation's start, turns and end as they
// happen) and conversations.jsonl appended line by line (durable through
// kill -9; a write cut short is truncated back to the last whole line),
// late.jsonl, and history.json with each sample appended in place. The first
// failed write stops the writing and makes the run invalid (Sinks.Invalid,
// summary.json's verdict "invalid"). Rebuild recovers a run whose process
// died from its journal; Abandon takes back what Create made for a run
// that could not start. Merge
// combines the directories of one run's segments (apply --segment, on
// several machines) into the directory one run would have left.
// LoadRunResults reads what verdict.Compare judges of a run.
//
// Finish is how every run ends, apply's and merge's alike: judge the
// thresholds, print the verdict, write summary.json, close the sinks,
// render the reports (the caller passes engine/report's Render).
//
// Every file this package writes but the ones a run appends to
// (conversations.jsonl, journal.jsonl, late.jsonl, and a run's history.json)
// is written atomically (Dir.WriteFile, which engine/report writes through).
// It writes only what it is given, and is given no secrets: PlanInfoOf
// copies a plan's identity and nothing else.
//
// It does not compute figures (engine/metrics), judge (engine/verdict does;
// Finish calls it), render csv, junit or html (engine/report), run anything
// (engine/run) or choose exit codes (cmd/voyplan). It must not import
// engine/report, engine/run, engine/dashboard or cmd/voyplan.
package results
