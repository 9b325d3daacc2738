GO ?= go

.PHONY: all build test race vet fmt-check demo bench bench-smoke bench-peers clean fuzz scale profile soak

all: vet test

build:
	$(GO) build -o bin/voyplan ./cmd/voyplan

# The test command of the README and of CI: vet, formatting, plan formatting,
# and every test with the race detector.
test: vet fmt-check
	$(GO) test -race -count=1 -timeout=25m ./...

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) run ./cmd/voyplan fmt -check plans

demo:
	$(GO) run ./cmd/voyplan apply plans/local.hcl

# The fuzz targets, each for a bounded number of inputs (about 10 s each on
# the 2-core CI machine; CI runs this after test). Seeds live in the tests and
# in each package's testdata/fuzz/; a failing input go test -fuzz finds is
# written there too, and then fails `make test` until fixed.
#
# The budgets are counts, not durations: with -fuzztime=10s, Go 1.26's fuzz
# coordinator can fail a target that found nothing with a bare "context
# deadline exceeded" when its wall-clock deadline races a worker's last input
# (go.dev/issue/75804, fixed in Go 1.27; CI hit it on FuzzReadFrame). A count
# has no deadline to race; -timeout bounds each target's time instead.
# FUZZTIME=30s (or 1000000x) overrides every target's budget.
FUZZTIME ?=
fuzzbudget = $(if $(FUZZTIME),$(FUZZTIME),$(1))
FUZZ = $(GO) test -run='^$$' -timeout=5m
fuzz:
	$(FUZZ) -fuzz='^FuzzParsePayload$$' -fuzztime=$(call fuzzbudget,250000x) ./engine/protocol/widget
	$(FUZZ) -fuzz='^FuzzHandler$$' -fuzztime=$(call fuzzbudget,200000x) ./engine/webhook
	$(FUZZ) -fuzz='^FuzzLoadSource$$' -fuzztime=$(call fuzzbudget,60000x) ./engine/plan
	$(FUZZ) -fuzz='^FuzzPlan$$' -fuzztime=$(call fuzzbudget,60000x) ./engine/plan
	$(FUZZ) -fuzz='^FuzzReader$$' -fuzztime=$(call fuzzbudget,500000x) ./engine/protocol/sse
	$(FUZZ) -fuzz='^FuzzReadFrame$$' -fuzztime=$(call fuzzbudget,100000x) ./engine/protocol
	$(FUZZ) -fuzz='^FuzzParseSend$$' -fuzztime=$(call fuzzbudget,300000x) ./engine/protocol/whatsapp

# 10,000 concurrent conversations against `voyplan sim` in a second process
# (make test holds 2,000), and 1,000 concurrent streaming conversations,
# SSE then WebSocket (make test holds 100 of each).
scale:
	VOYPLAN_SCALE_USERS=10000 $(GO) test -count=1 -run='^TestProcessScale$$' -v ./cmd/voyplan
	VOYPLAN_STREAM_SCALE_USERS=1000 $(GO) test -count=1 -run='^TestProcessStreamingScale$$' -v -timeout=15m ./cmd/voyplan

# The benchmarks of BENCH.md: `voyplan sim` and `voyplan apply` as two
# processes on loopback — throughput, latency accuracy, memory, LLM path.
# About 3 minutes; prints a table and writes bench/results.json. Compare two
# commits with benchstat (BENCH.md).
# BenchmarkVersusLimit (issue 16) adds about 3 minutes: voyplan against the
# minimal program bench/limit, interleaved, 3 rounds (-bench.rounds N);
# BenchmarkStreamingVersusLimit about 3 more: the streaming scenario against
# bench/limit -stream, the same way.
bench:
	$(GO) test -run='^$$' -bench=. -benchtime=1x -timeout=20m ./bench

# voyplan against its peers (issue 16; not in CI, not in bench or
# bench-smoke): the same conversation shape (50 users, 20 s each, against
# `voyplan sim --latency 100ms` in its own process) with voyplan, Locust +
# Flask playing the old tool (bench/peers/locustfile.py; needs Debian's
# python3-locust and python3-flask) and k6's send half (bench/peers/k6.js;
# k6 is go-installed into the user cache, ~/.cache/voyplan/, minutes
# the first time; -bench.k6 PATH uses another). Prints a table of CPU per
# turn, turns/s, memory per user and reported-vs-true latency, each as a
# ratio to voyplan. About 2 minutes once k6 is installed.
bench-peers:
	VOYPLAN_PEERS=1 $(GO) test -run='^$$' -bench='^BenchmarkPeers$$' -benchtime=1x -timeout=40m ./bench

# The soak (issue 16; not in CI): 1,000 users for SOAK (default 30m) against
# the simulator, voyplan's RSS sampled every second; fails if it grows over
# 5 % after the warm-up. Prints the figures; writes soak.json in bench/.
SOAK ?= 30m
soak:
	VOYPLAN_SOAK=$(SOAK) $(GO) test -count=1 -run='^TestSoak$$' -v -timeout=0 ./bench -args -bench.results=soak.json

# A CPU profile of voyplan apply in the throughput benchmark (62 s at
# saturation), then its top functions. Open it with: go tool pprof -http=: cpu.pprof
PROFILE ?= cpu.pprof
profile:
	$(GO) test -run='^$$' -bench='^BenchmarkThroughput$$' -benchtime=1x -timeout=10m ./bench -args -bench.cpuprofile=$(abspath $(PROFILE))
	$(GO) tool pprof -top -nodecount=40 $(abspath $(PROFILE)) | head -50

# The same benchmarks on tiny loads, a few seconds, no timings asserted: CI
# runs it so they cannot rot. Writes no results file.
bench-smoke:
	$(GO) test -run='^$$' -bench=. -benchtime=1x -short -timeout=5m ./bench

clean:
	rm -rf bin runs
