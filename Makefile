GO ?= go

.PHONY: all build test race vet fmt-check demo bench clean

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

clean:
	rm -rf bin runs
