# gk-extract: `make run` (demo extraction) and `make test` (whole suite) on a fresh machine.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO := corpus/demo
OUT ?= out/demo

.PHONY: run test bench setup system-deps demo-corpus lint clean

setup: system-deps $(STAMP)

# LibreOffice (headless) and CJK fonts for .doc/.wps files; installs as root on Debian/Ubuntu,
# otherwise says what to install. Fast and silent when they are already there.
system-deps:
	@sh scripts/install-system-deps.sh

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,ocr]'
	touch $(STAMP)

DEMO_STORE ?= out/demo-store

# The whole product offline: serve the bundled demo government site on loopback, crawl it
# politely into a store, extract the store, write the dataset and print the summary.
run: setup
	$(BIN)/gk-extract demo --store $(DEMO_STORE) --out $(OUT)
	@echo "dataset: $(OUT)/{reports,cells,sections,checks}.parquet"
	@echo "review it in your browser: $(BIN)/gk-extract review $(OUT) --store $(DEMO_STORE)"
	@echo "  (prints http://127.0.0.1:8765/?token=... to open; Ctrl-C stops it)"

test: setup
	$(BIN)/pytest

bench: setup
	$(BIN)/pip install --quiet -e '.[dev,ocr,bench]'
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/pdf.py
	$(BIN)/python benchmarks/ocr.py
	$(BIN)/python benchmarks/ocr_accuracy.py --count 20
	$(BIN)/python benchmarks/panel.py
	$(BIN)/python benchmarks/floors.py
	$(BIN)/python benchmarks/scale.py
	$(BIN)/python benchmarks/corpora.py

# Regenerate the bundled demo corpus (deterministic: same seed, same bytes).
demo-corpus: setup
	rm -rf $(DEMO)
	$(BIN)/python -m gk_extract.testing.synth $(DEMO) --count 24 --seed 2024 --with-junk --panel

lint: setup
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

clean:
	rm -rf $(VENV) out build *.egg-info .pytest_cache .hypothesis
