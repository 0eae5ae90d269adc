# Onceonly — `make help` lists every target.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
ENV := source tools/env.sh &&
UV := $(ENV) uv

.PHONY: help
help: ## Show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: sync
sync: ## Install uv if missing and the locked Python environment
	@tools/install.sh uv
	@$(UV) sync --locked --quiet

.PHONY: proto
proto: sync ## Regenerate libs/contracts from protos/
	@tools/gen-protos.sh
	@echo "generated into libs/contracts/src"

.PHONY: proto-check
proto-check: sync ## Fail when the committed generated code drifts from protos/
	@scratch=$$(mktemp -d); trap 'rm -rf "$$scratch"' EXIT; \
	 tools/gen-protos.sh "$$scratch"; \
	 diff -r -x __pycache__ -x '*.typed' -x '__init__.py' "$$scratch/onceonly" libs/contracts/src/onceonly \
	   && echo "generated code matches protos/" \
	   || { echo "libs/contracts is stale: run 'make proto' and commit" >&2; exit 1; }

.PHONY: lint
lint: sync ## ruff, mypy (strict), buf lint and buf breaking against main
	@tools/install.sh buf
	$(UV) run --locked ruff check .
	$(UV) run --locked ruff format --check .
	$(UV) run --locked mypy libs services tests bench
	$(ENV) buf lint
	$(ENV) tools/buf-breaking.sh

.PHONY: fmt
fmt: sync ## Format and autofix with ruff
	$(UV) run --locked ruff format .
	$(UV) run --locked ruff check --fix .

.PHONY: pg-up
pg-up: ## Start a local PostgreSQL (Debian package) on 127.0.0.1:5432; no-op when running
	@deploy/local/postgres/postgres.sh up

.PHONY: pg-down
pg-down: ## Stop the local PostgreSQL
	@deploy/local/postgres/postgres.sh down

.PHONY: kafka-up
kafka-up: ## Start the local Kafka (KRaft, one node) on 127.0.0.1:9092 and wait until ready
	@deploy/local/kafka/kafka.sh up

.PHONY: kafka-down
kafka-down: ## Stop the local Kafka
	@deploy/local/kafka/kafka.sh down

.PHONY: kafka-wipe
kafka-wipe: ## Stop the local Kafka and delete its data
	@deploy/local/kafka/kafka.sh wipe

.PHONY: tools
tools: ## Install the pinned outside tools the tests use (buf, grpcurl, compose, kubeconform, kustomize, chromium)
	@tools/install.sh uv
	@tools/install.sh buf
	@tools/install.sh grpcurl
	@tools/install.sh compose
	@tools/install.sh kubeconform
	@tools/install.sh kustomize
	@tools/install.sh chromium

.PHONY: test
test: sync tools pg-up kafka-up ## Run the whole test suite against real PostgreSQL and Kafka
	$(MAKE) --no-print-directory proto-check
	$(ENV) tools/test.sh

.PHONY: run
run: sync kafka-up ## Run the whole stack, seeded, with the Bình Dương 2024 demo; Ctrl-C stops it
	$(ENV) deploy/local/run.sh

.PHONY: up
up: sync kafka-up ## Start the whole stack in the background; returns once every part is ready
	$(ENV) deploy/local/run.sh up

.PHONY: down
down: ## Stop the stack that `make up` started
	$(ENV) deploy/local/run.sh down

.PHONY: bench
bench: sync ## Run the benchmarks and write bench/report.md (BENCH_LARGE=1: also the 10⁷-citizen store)
	$(ENV) bench/run.sh

.PHONY: bench-large
bench-large: sync ## make bench with BENCH_LARGE=1 (~10 min more); its growth points go to bench/growth/
	$(ENV) BENCH_LARGE=1 bench/run.sh

.PHONY: clean
clean: ## Delete local state under var/ (stores, logs, broker data)
	-deploy/local/kafka/kafka.sh down
	rm -rf var
