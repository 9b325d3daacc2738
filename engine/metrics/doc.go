// Package metrics aggregates a run's figures: the Recorder counts operations
// and conversations and keeps one HDR histogram per timed operation (send,
// reply, llm, conversation; for streamed replies first_token and stall,
// beside the stream.* counters, through Streamed, and a WebSocket
// connection's through Linked); Snapshot is a
// consistent, self-contained copy of them carrying the names thresholds
// and summary.json use. History samples a Recorder into a time series
// (every HistoryInterval), each interval's
// percentiles taken from the difference of two readings of the cumulative
// histograms. Distributions exports the histograms with their exact counts
// for summary.json, Buckets counts each timer's samples under
// fixed bounds as they are recorded, for a Prometheus histogram
// (engine/live); Mark reads every cumulative figure at a moment and
// Window is what happened between two marks (windowed thresholds,
// capacity steps); and Merge combines the snapshots and distributions of
// several runs (one per segment of the users) into one.
//
// It owns aggregation only. It does not run anything (engine/run calls the
// Recorder), judge anything (engine/verdict evaluates thresholds against a
// Snapshot) or write anything to disk (engine/results does). The Recorder is a
// value with methods, not a goroutine: nothing here starts one (History.Run
// blocks; its caller runs it in a goroutine and stops it).
package metrics
