# One target per check, used the same way on a laptop and in CI (.ci/run).
VENV   := .venv
PY     := $(VENV)/bin/python
BIN    := $(VENV)/bin
# pytest-xdist workers: the browser suites dominate; 2 cores here.
WORKERS ?= 2

.PHONY: install run demo test test-fast lint fmt typecheck check bench schema clean

install:
	@bash scripts/install.sh

run: install        ## scan the bundled demo site (offline), then give the dashboard its history
	@$(BIN)/cookie-audit demo --out results/demo
	@$(BIN)/cookie-audit dashboard-demo --scan results/demo/scan.json

demo: run

test: install       ## the whole suite, browser and database tests included
	@bash scripts/test-setup.sh
	$(BIN)/pytest -n $(WORKERS) --dist loadgroup

test-fast: install  ## only the tests that need no browser
	$(BIN)/pytest -m "not browser" -n $(WORKERS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: install
	$(BIN)/mypy

check: lint typecheck test

bench: install      ## benchmarks; results are written into BENCHMARKS.md by hand
	@bash scripts/test-setup.sh
	$(PY) -m benchmarks

schema: install     ## regenerate schemas/scan.schema.json from scanner/model.py
	$(PY) -c "import json, scanner.model as m; print(json.dumps(m.json_schema(), indent=2))" > schemas/scan.schema.json

clean:
	rm -rf .pytest_cache .mypy_cache .ruff_cache results build *.egg-info
