# Two commands: `make serve` (set up and run the helpdesk) and `make test` (set up and run every test).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: serve test setup lint eval bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# torch is pinned in constraints.txt: the local CPU build, not a CUDA download
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

serve: setup
	$(BIN)/helpdesk check
	$(BIN)/helpdesk entries

lint: setup
	$(BIN)/ruff check assistant catalogue indexer web tests

test: setup lint
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) var
