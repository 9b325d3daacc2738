// Package dashboard serves the live view of a run (`voyplan apply --ui`):
// one page, its assets embedded, that shows the run as it goes on — stage
// and time, users, conversations, the verdict table's metric rows, the
// personas, the thresholds as they stand (a windowed one on the run's
// windows so far, the one being measured included: its worst window, as
// the verdict will judge it; run.Runner.WindowsSoFar), the LLM cost, and
// the charts of
// report.html drawn by the same script (engine/report's report.js) — pushed
// about once a second over Server-Sent Events; lets a person change the
// current stage's target users and stop the run; and shows the webhook
// inspector (the last callbacks received, engine/webhook.Inspector) and
// every live conversation as a transcript.
//
// Safe by default: it binds loopback unless told otherwise; every request
// but the static assets needs the random token in the URL it prints, the
// steering endpoints in a header, which a web page elsewhere cannot set, and
// cross-origin POSTs are refused whatever they carry. What it sends is
// built field by field from the run's figures: never a plan's keys, the
// webhook's secret path or a tunnel's token.
//
// It owns the HTTP side of the live view only: it does not run anything
// (engine/run does, and carries out the changes), judge anything
// (engine/verdict) or write result files (engine/results, engine/report).
// It carries the run's steering as transcript.Steer, the one record of a
// change by hand, with no conversion of its own. It must not import
// cmd/voyplan, and imports engine/results only for the summary's threshold
// and verdict shapes and engine/report only for the page's shared assets.
package dashboard
