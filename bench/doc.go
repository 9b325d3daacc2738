// Package bench measures voyplan the way its users run it: `voyplan sim`
// and `voyplan apply` as two processes on loopback, scripted personas, no
// LLM. It answers four questions (issue 6, BENCH.md):
//
//   - throughput: completed turns per second at saturation, and CPU-seconds
//     per turn of the voyplan process (from its rusage);
//   - accuracy: how far voyplan's measured reply latency is from the true
//     one — the simulator stamps each callback with its send time
//     (X-Voyplan-Sim-Sent-At), the run records it as sim_sent_at — at 10 %,
//     50 % and 90 % of the saturation rate, with conversations arriving on a
//     fixed schedule (the stage's spawn rate: an open model);
//   - memory: peak RSS of the voyplan process per conversation, with
//     10,000 conversations waiting on 5-second replies;
//   - LLM path: persona generations per second through the real genai SDK
//     against a zero-latency Gemini stand-in on loopback, and the engine's
//     overhead per call.
//
// The package holds the pieces (building the binary, the two child
// processes, generated plans, reading what a run left behind, the results
// file and its table); bench_test.go holds the benchmarks that `make bench`
// runs with `go test -bench`. Every run is bounded in time, talks only to
// 127.0.0.1, and stops the processes it started.
//
// BenchmarkPeers (`make bench-peers`, only with VOYPLAN_PEERS=1, never in
// CI) runs the same conversations against the same simulator with voyplan,
// with Locust + Flask playing the old tool and with k6's send half (their
// scripts in bench/peers/), and prints each one's figures as ratios to
// voyplan's.
//
// It measures; it never changes how the engine works, and it asserts no
// timings: the figures go to results.json and BENCH.md, where a person
// compares them with the targets.
package bench
