GO ?= go

.PHONY: all build test race vet fmt-check demo bench clean fuzz scale

all: vet test

build:
	$(GO) build -o bin/voyplan ./cmd/voyplan

# The test command of the README and of CI: vet, formatting, plan formatting,
# and every test with the race detector.
test: vet fmt-check
	$(GO) test -race -count=1 ./...

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) run ./cmd/voyplan fmt -check plans

demo:
	$(GO) run ./cmd/voyplan apply plans/local.hcl

# The fuzz targets, each for a bounded time (CI runs this after test). Seeds
# live in the tests and in each package's testdata/fuzz/; a failing input
# go test -fuzz finds is written there too, and then fails `make test`
# until fixed.
FUZZTIME ?= 10s
fuzz:
	$(GO) test -run='^$$' -fuzz='^FuzzParsePayload$$' -fuzztime=$(FUZZTIME) ./engine/target
	$(GO) test -run='^$$' -fuzz='^FuzzHandler$$' -fuzztime=$(FUZZTIME) ./engine/webhook
	$(GO) test -run='^$$' -fuzz='^FuzzLoadSource$$' -fuzztime=$(FUZZTIME) ./engine/plan

# 10,000 concurrent conversations against `voyplan sim` in a second process
# (make test holds 2,000).
scale:
	VOYPLAN_SCALE_USERS=10000 $(GO) test -count=1 -run='^TestProcessScale$$' -v ./cmd/voyplan

clean:
	rm -rf bin runs
