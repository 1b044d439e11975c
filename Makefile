# frontdesk: `make help` lists the targets. `make test` is what CI runs (.ci/run).
SHELL := bash
.DEFAULT_GOAL := help

.PHONY: help run tools test lint fmt fuzz bench screenshots moto-start moto-stop

help: ## List the targets
	@grep -E '^[a-zA-Z0-9_%.-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-12s %s\n", $$1, $$2}'

run: ## Run the local stack on 127.0.0.1:3000 (embedded store and queue, outbox at /_local/outbox)
	go run ./cmd/frontdesk serve $(ARGS)

tools: ## Install the pinned test tools into .tools/ (moto, SAM CLI, staticcheck)
	bash scripts/tools.sh

test: ## Run every check as CI does: tools, moto, lint, go test -race against moto, SAM
	bash scripts/test.sh

fuzz: ## Fuzz every Fuzz* target for FUZZTIME each (default 30s): make fuzz FUZZTIME=5m
	FUZZTIME=$(or $(FUZZTIME),30s) bash scripts/fuzz.sh

bench: ## Run the benchmarks (ingress, bot, FAQ; see docs/cost.md); installs moto first, as on a fresh clone
	bash scripts/tools.sh
	go test -bench . -benchmem -run '^$$' ./tests/resilience/ ./shared/...

screenshots: ## Retake the console's screenshots in docs/img (headless Chromium, installed when missing)
	bash scripts/chromium.sh
	go test ./cmd/frontdesk -run '^TestConsoleInBrowser$$' -count=1 -args -screenshots "$(CURDIR)/docs/img"

lint: ## Check gofmt, run go vet and staticcheck
	bash scripts/lint.sh

fmt: ## Format all Go code with gofmt
	find . -name '*.go' -not -path './.tools/*' -not -path './.aws-sam/*' -not -path './.git/*' -print0 | xargs -0 gofmt -w

moto-start: ## Start moto in the background; scripts/moto.sh endpoint prints its URL for FRONTDESK_MOTO_ENDPOINT
	bash scripts/moto.sh start

moto-stop: ## Stop the moto started by moto-start
	bash scripts/moto.sh stop
