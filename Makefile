# The two set-up commands of the README. Each installs what is missing, builds, then runs.
CARGO ?= cargo

.PHONY: demo test deps build bench golden

deps:
	@bash tools/install-deps.sh

build: deps
	$(CARGO) build --release --locked

## Run the built-in example (no downloads) and print where its outputs are.
demo: build
	$(CARGO) run --release --locked -q -p starmill -- demo

## Everything CI checks: formatting, lints, the whole test suite.
test: deps
	$(CARGO) fmt --all --check
	$(CARGO) clippy --locked --workspace --all-targets -- -D warnings
	bash tools/test-venv.sh
	$(CARGO) test --locked --workspace --release

## Benchmarks (see docs/benchmarks.md); not part of the tests.
bench: build
	bash tools/bench.sh
