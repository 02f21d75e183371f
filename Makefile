# Entry points for humans and CI. `make test` installs what the tests need on a fresh machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help

.PHONY: help deps install build demo test lint typecheck unit clean

help:
	@echo "make demo       run Junction on the embedded default with two simulated Trino clusters"
	@echo "make test       install test dependencies, build, lint, typecheck and run every test"
	@echo "make build      compile shared/, proxy/, operator/ and the test fixtures"
	@echo "make lint       biome lint + format check"
	@echo "make typecheck  tsc --noEmit over the whole repository"
	@echo "make fuzz       100,000 fuzz cases against the proxy (make test runs 3,000); FUZZ_SEED=<n> replays one run"
	@echo "make chaos      the chaos suite at full size (make test runs a short version)"
	@echo "make image-test build the image with buildah (no daemon) and smoke-test it with podman"

node_modules/.install-stamp: package.json package-lock.json shared/package.json proxy/package.json operator/package.json
	npm ci --no-audit --no-fund
	@touch $@

install: node_modules/.install-stamp

deps:
	bash scripts/ensure-test-deps.sh
	bash scripts/trino/ensure-trino.sh
	bash scripts/trino/ensure-clients.sh
	bash scripts/kube/ensure-control-plane.sh
	bash scripts/helm/ensure-helm.sh

build: install
	npm run build
	npx tsc -p test/tsconfig.build.json

demo: build
	bash scripts/demo.sh

lint: install
	npm run lint

typecheck: install
	npm run typecheck

unit: build
	npm test

SUMMARY := node_modules/.cache/jest-summary

test: deps build lint typecheck
	@mkdir -p node_modules/.cache && rm -f $(SUMMARY)
	@echo "== jest: unit, integration and end-to-end suites (simulated Trino, real Redis, real kube-apiserver)"
	JEST_SUMMARY_FILE=$(SUMMARY) npm test -- --ci --testPathIgnorePatterns '/test/trino/' '/test/image/'
	@echo "== jest: real Trino suite, alone (starting two coordinators takes both cores for a while)"
	JEST_SUMMARY_FILE=$(SUMMARY) npm test -- --ci test/trino
	@awk '{p+=$$1; f+=$$2; s+=$$3} END {printf "\nall suites: %d passed, %d failed, %d skipped\n", p, f, s}' $(SUMMARY)

clean:
	rm -rf node_modules shared/dist proxy/dist operator/dist test/dist

.PHONY: fuzz

# Property-based fuzzing of client input (test/fuzz, docs/reliability.md): make test runs 3,000 cases;
# this runs FUZZ_CASES (default 100,000, about 8 minutes on 2 cores).
fuzz: build
	FUZZ_CASES=$${FUZZ_CASES:-100000} npm test -- --ci test/fuzz/client-input

.PHONY: chaos

# The chaos suite (test/chaos, docs/reliability.md) at full size: 200 retrying clients, 10-second Redis
# pauses and partitions (make test runs it with 40 clients and 3 seconds). Rows also in CHAOS_REPORT.
chaos: build
	CHAOS_FULL=1 CHAOS_REPORT=$${CHAOS_REPORT:-node_modules/.cache/chaos-report.json} npm test -- --ci test/chaos

.PHONY: image-test

# Builds the image from the Dockerfile with buildah (base images assembled locally from Debian's
# packages and this machine's node; scripts/image/build-image.sh) and runs it with podman: non-root,
# read-only root filesystem, all capabilities dropped. A first run takes ~10 minutes, later ones less.
image-test: build
	JUNCTION_IMAGE_TEST=1 npm test -- --ci test/image

.PHONY: bench bench-quick

# Benchmarks (bench/run.mjs; method and latest table in docs/performance.md). Installs HAProxy and
# nginx from Debian when missing. Full run ~12 minutes; keep the machine otherwise idle.
bench: install
	npm run build
	node bench/run.mjs
	node bench/queue.mjs

bench-quick: install
	npm run build
	node bench/run.mjs --quick
	node bench/queue.mjs --rounds 30 --seconds 1
