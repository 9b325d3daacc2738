// Package live exports a run's figures while it goes on, where teams
// already look: a Prometheus collector over the run's metrics.Recorder
// (Collector), the /metrics endpoint that serves it (Listen: apply
// --metrics-listen) and a Prometheus remote-write pusher that sends it
// every interval and once at the end (Pusher: apply --prometheus-rw, the
// output "prometheus" block).
//
// Every series is named voyplan_… after Prometheus's conventions (counters
// _total, durations in seconds) and carries the run's identity (plan,
// run_id, segment) and no label of unbounded values: persona, stage,
// reason, operation and kind each take a handful of values a plan fixes.
//
// It owns the export only: it reads the Recorder (engine/metrics) and
// never changes it, imports nothing else of the engine, and starts no
// goroutine it does not stop (Pusher.Run blocks; Server.Close waits for
// its server). Header values given to the pusher are secrets: they go on
// the requests and nowhere else.
package live
