# Two commands on a fresh machine: `make demo` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TORCH_VERSION ?= 2.13.0

.PHONY: install demo test fuzz lint eval bench clean postgres postgres-down

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# The CPU build of torch first: an unpinned torch would pull a CUDA build of several GB.
	$(BIN)/pip install -q "torch==$(TORCH_VERSION)"
	$(BIN)/pip install -q -e '.[dev,postgres]'
	touch $(STAMP)

install: $(STAMP)

## Serve the bundled demo site on 127.0.0.1, crawl it twice (day 1, day 2) and print a summary.
demo: $(STAMP)
	$(BIN)/radar demo

## Lint, type-check and run every test (corpus tests skip where ../shared/corpus is absent).
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	$(BIN)/python bench/code_shape.py
	$(BIN)/pytest -q

## A long fuzz pass over the parsers and the settings loader (make test runs a short one).
fuzz: $(STAMP)
	RADAR_FUZZ_EXAMPLES=$${RADAR_FUZZ_EXAMPLES:-5000} $(BIN)/pytest -q -p no:cacheprovider tests/test_fuzz.py

## Start a real Elasticsearch 8.19 and OpenSearch 2.19 node (Java 17, mvn); `make test` uses them.
engines: $(STAMP)
	$(BIN)/python -m tests.es_testserver.engines up

engines-down: $(STAMP)
	$(BIN)/python -m tests.es_testserver.engines down

## Start a throw-away PostgreSQL (Debian's package) on 127.0.0.1; the store contract tests use it.
postgres: $(STAMP)
	$(BIN)/python -m tests.pg_testserver up

postgres-down: $(STAMP)
	$(BIN)/python -m tests.pg_testserver down

## Quality figures on ../shared/corpus (printed and written to bench/results/).
eval: $(STAMP)
	$(BIN)/python bench/eval_changelogs.py
	$(BIN)/python bench/eval_feeds.py
	$(BIN)/python bench/eval_articles.py

bench: $(STAMP)
	$(BIN)/python bench/crawl_bench.py

clean:
	rm -rf radar-data bench/results .pytest_cache .mypy_cache .ruff_cache
