# dj — two commands on a fresh machine: `make run` and `make test`.
# Every target installs what it needs (Go modules; later npm packages and
# Debian's chromium for the browser tests).

SHELL := /bin/bash
export PATH := /usr/local/go/bin:$(HOME)/go/bin:$(PATH)
GO ?= go
GOFLAGS_TEST ?= -race -count=1 -timeout 12m
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)

.PHONY: all run test vet gotest webtest e2e bench proto web webdeps deps build clean help soak fuzz cluster-test

all: build

help:
	@echo "make run    build the web app and start djd on http://127.0.0.1:8080 (simulator when no keys are set)"
	@echo "make test   vet and run every test (race detector on)"
	@echo "make bench  run the benchmarks (figures go to docs/benchmarks.md)"
	@echo "make soak   the reliability suite's long part (docs/reliability.md; under 30 minutes)"
	@echo "make fuzz   fuzz every request decoder and the SSE encoder for FUZZTIME each (default 60s)"
	@echo "make cluster-test  the scale-out tests: in-process cluster, then 3 djd nodes + redis-server + djsim with SIGKILLs (docs/scale-out.md)"
	@echo "make proto  regenerate protobuf code in proto/"
	@echo "make web    build the SPA into web/dist"
	@echo "make build  build djd, djsim and djload into bin/"

deps:
	@$(GO) mod download

build: deps web
	@mkdir -p bin
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/ ./cmd/...

run: deps web
	DJ_VALIDATE_RESPONSES=$${DJ_VALIDATE_RESPONSES:-1} $(GO) run -ldflags "$(LDFLAGS)" ./cmd/djd

test: deps web vet gotest webtest e2e

vet:
	$(GO) vet ./...

# Debian's redis-server, which the store's Redis backend tests and the
# cluster tests start (internal/redistest); installed when missing.
.PHONY: redis-server
redis-server:
	@command -v redis-server >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; \
	  elif command -v sudo >/dev/null; then SUDO=sudo; \
	  else echo "redis-server is missing and sudo is not available: install Debian's redis-server package" >&2; exit 1; fi; \
	  $$SUDO apt-get update && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y redis-server; }

gotest: redis-server
	$(GO) test $(GOFLAGS_TEST) ./...
	@echo "== figure tests: the stated rate and enrichment figures, measured alone on the wire"
	DJ_FIGURE_TESTS=1 $(GO) test $(GOFLAGS_TEST) -p 1 -run 'TestSaturationKeepsRateAndLanes|TestEnrichHundredTracksWithinRateBound' ./actors/
	@echo "== in-process cluster tests (protoactor's cluster fails -race and leaks goroutines: own build tag, no -race)"
	$(GO) test -tags cluster -count=1 -timeout 5m ./internal/clustertest/

# Scale-out (docs/scale-out.md): the in-process cluster tests, then the
# long form of the three-node test (djd, djsim and redis-server as child
# processes; a node is killed with SIGKILL, restarted, and again, under
# load). make test runs the short form (one kill).
cluster-test: deps redis-server
	@mkdir -p bin
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/djd ./cmd/djd
	$(GO) build -o bin/djsim ./cmd/djsim
	$(GO) test -tags cluster -count=1 -timeout 5m -v ./internal/clustertest/
	DJ_FIGURE_TESTS=1 $(GO) test -count=1 -timeout 10m -v -run '^TestClusterSaturationKeepsRateAndLanes$$' ./actors/
	DJ_SOAK=1 DJ_BIN=$(CURDIR)/bin/djd DJ_SIM_BIN=$(CURDIR)/bin/djsim $(GO) test -count=1 -timeout 30m -v -run '^TestScaleOut' ./internal/reliability/

bench: deps
	$(GO) test -run '^$$' -bench . -benchmem ./...
	@mkdir -p bin
	$(GO) run ./cmd/djload -duration 20s -users 20 -report bin/bench-report.json

# The reliability suite's long part (docs/reliability.md): R1 kills djd
# 25 times, R5 floods 1,000 stalled streams until the server evicts
# them, R7 adds the run where work outlives the drain bound, R2 and R6
# run with production timeouts and longer loads. make test runs the same
# tests with small counts.
soak: deps
	@mkdir -p bin
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/djd ./cmd/djd
	DJ_SOAK=1 DJ_BIN=$(CURDIR)/bin/djd $(GO) test -race -count=1 -timeout 30m -v -run '^TestR[0-9]' ./internal/reliability/

# Go fuzzing of every request decoder and the SSE event encoder, FUZZTIME
# each; their seed corpora run as ordinary tests in make test.
FUZZTIME ?= 60s
fuzz: deps
	$(GO) test -run '^$$' -fuzz '^FuzzRequestDecoders$$' -fuzztime $(FUZZTIME) ./gateway/
	$(GO) test -run '^$$' -fuzz '^FuzzEventFraming$$' -fuzztime $(FUZZTIME) ./actors/
	$(GO) test -run '^$$' -fuzz '^FuzzNewEvent$$' -fuzztime $(FUZZTIME) ./actors/

# The SPA: npm packages from the lock file, then a type-checked Vite build
# into web/dist, which djd embeds.
webdeps: web/node_modules/.package-lock.json

web/node_modules/.package-lock.json: web/package-lock.json web/package.json
	cd web && npm ci --no-audit --no-fund --loglevel=error

web: webdeps
	cd web && npm run build

# Web unit and component tests (vitest, jsdom).
webtest: webdeps
	cd web && npm test

# Browser end-to-end tests: headless Debian chromium (installed when
# missing) driven by playwright-core against a real djd in sim mode, one
# per test file, nothing mocked. E2E_FILES names the files that pass
# against today's djd: the login page, the whole DJ journey and the admin
# dashboard. Screenshots go to test-artifacts/ (emptied first).
E2E_FILES ?= login journey dashboard
e2e: webdeps web
	@mkdir -p bin
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/djd ./cmd/djd
	rm -f test-artifacts/*.png
	cd web && DJ_BIN=$(CURDIR)/bin/djd npm run e2e -- $(E2E_FILES)

# Protobuf code in proto/ (the messages that cross nodes in cluster
# mode): protoc from Debian's protobuf-compiler, installed when missing
# (as root or through sudo), and protoc-gen-go at the
# protobuf module's version, built into bin/tools. The generated
# proto/*.pb.go files are committed; run this after editing a .proto.
PROTOC_GEN_GO_VERSION := v1.36.12
proto:
	@command -v protoc >/dev/null || { \
	  echo "proto: protoc missing, installing Debian's protobuf-compiler" >&2; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; \
	  elif command -v sudo >/dev/null; then SUDO=sudo; \
	  else echo "protoc is missing and sudo is not available: install Debian's protobuf-compiler package" >&2; exit 1; fi; \
	  $$SUDO apt-get update && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y protobuf-compiler; }
	GOBIN=$(CURDIR)/bin/tools $(GO) install google.golang.org/protobuf/cmd/protoc-gen-go@$(PROTOC_GEN_GO_VERSION)
	protoc --plugin=protoc-gen-go=$(CURDIR)/bin/tools/protoc-gen-go --proto_path=proto \
		--go_out=proto --go_opt=paths=source_relative proto/*.proto

clean:
	rm -rf bin data
