# Makefile of cbr-replicate. `make` (or `make help`) lists the targets;
# `make check` is what CI (.ci/run) runs.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

GO       ?= go
NPM      ?= npm
BIN      := bin/cbr-replicate
FUZZTIME ?= 30s

# npm ci writes this stamp; it is older than the lock file after the lock
# changes, so `make setup` reinstalls then, and only then.
NPM_STAMP := scripts/node_modules/.installed

.PHONY: help setup generate check-generated lint test referee check build bench fuzz load clean

help: ## List the targets.
	@echo "Usage: make <target>"
	@echo
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-16s %s\n", $$1, $$2}'

setup: $(NPM_STAMP) ## Download the Go modules; npm ci the spec linters in scripts/ when missing or the lock changed.
	$(GO) mod download
	cd internal/sdkreferee && $(GO) mod download
	@cc="$$($(GO) env CC)"; command -v "$${cc%% *}" >/dev/null || { \
		echo "setup: go test -race needs a C compiler and $$cc is not installed (Debian: apt-get install gcc)."; exit 1; }

$(NPM_STAMP): scripts/package.json scripts/package-lock.json
	cd scripts && $(NPM) ci --no-audit --no-fund --ignore-scripts
	touch $@

generate: ## Regenerate gen/ from openapi/cbr-replicate.yaml (go generate ./...).
	$(GO) generate ./...

check-generated: ## Fail when gen/ is not what the spec produces.
	scripts/check-generated.sh

lint: $(NPM_STAMP) ## gofmt -l (must print nothing), go vet ./..., staticcheck ./..., and the spec linters (scripts/lint-spec.sh).
	@files="$$(find . \( -path ./.git -o -path ./scripts/node_modules -o -path ./scripts/prism/node_modules -o -path ./bin \) -prune -o -name '*.go' -print)"; \
	unformatted="$$(gofmt -l $$files)"; \
	if [[ -n "$$unformatted" ]]; then \
		echo "gofmt: these files are not formatted (run gofmt -w):"; echo "$$unformatted"; exit 1; \
	fi; \
	echo "gofmt: $$(wc -w <<<"$$files" | tr -d ' ') Go files formatted."
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck ./...
	scripts/lint-spec.sh

# A binary built with -race sleeps GORACE's atexit_sleep_ms (1000 ms by
# default) before it exits, so that racing goroutines still running get a
# chance to be reported. Every package's test binary pays that second, and so
# does every race-built CLI a test runs; atexit_sleep_ms=0 drops the sleep
# (measured: 1.07 s -> 0.06 s for internal/redact's test binary). Races are
# still reported when they happen; only late ones in goroutines still
# running at exit could be missed. A GORACE of the caller is kept.
test: ## Run every test with the race detector, then the SDK referee module (internal/sdkreferee).
	export GORACE="$${GORACE:+$$GORACE }atexit_sleep_ms=0"; $(GO) test -race ./...
	$(MAKE) --no-print-directory referee

# internal/sdkreferee is a module of its own, so that Huawei Cloud's SDK, the
# referee of AK/SK signing, never enters what importers of our packages
# download; `go test ./...` of the main module does not enter it.
referee: ## Run the AK/SK referee tests against Huawei Cloud's Go SDK (its own module).
	cd internal/sdkreferee && $(GO) vet ./... && $(GO) test ./...

check: setup check-generated lint test ## Everything CI runs: setup, check-generated, lint, test.

build: ## Build the CLI into bin/cbr-replicate.
	$(GO) build -o $(BIN) ./cmd/cbr-replicate

bench: ## Run the benchmarks (no tests) with allocation counts.
	$(GO) test -run '^$$' -bench . -benchmem ./...

fuzz: ## Run every fuzz target for FUZZTIME (default 30s) each.
	FUZZTIME=$(FUZZTIME) scripts/fuzz.sh

load: ## Load comparison on loopback with wrk: the mock against Prism and bare net/http (scripts/load.sh; DURATION=10s each).
	scripts/load.sh

clean: ## Remove bin/ and the npm packages under scripts/ (spec linters, Prism).
	rm -rf bin scripts/node_modules scripts/prism/node_modules
