// Package transcript is the record of what happened in one conversation:
// its turns, messages, timings, outcome and LLM usage — one line of
// conversations.jsonl. It is plain data shared by the run (which fills it),
// the metrics (which count it) and the reports (which write and render it);
// it does no I/O and imports nothing of the engine. Message, one item of an
// assistant reply as every protocol normalises it, and Steer, one change made
// by hand while a run went on (the run records it, summary.json and the live
// page carry it, the verdict line tells it), live here too.
package transcript
