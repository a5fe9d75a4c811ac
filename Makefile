# urbanrisk: two commands from a fresh clone.
#   make demo  - create .venv, install urbanrisk, run the default recipe, print where the map is
#                (Baltimore: the shipped city with fire stations, hospitals and a shelter in its data;
#                the Chinese sample: make demo RECIPE=recipes/beijing-wudaokou.yaml)
#   make test  - same environment plus test extras, run the whole test suite
# Both are idempotent: the environment is rebuilt only when pyproject.toml changes.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
RECIPE ?= recipes/baltimore.yaml

.PHONY: demo test lint bench clean-venv browser screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

# A real browser for the map/report tests: Debian's chromium and a CJK font (as root, e.g. in CI).
# Without root the browser tests are skipped locally and fail under CI=true.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	      chromium fonts-wqy-microhei >/dev/null; \
	  else echo "chromium missing and not root: browser tests will be skipped"; fi; }

demo: $(VENV)/.installed
	$(BIN)/urbanrisk run $(RECIPE)

test: $(VENV)/.installed-test browser
	$(BIN)/python -m pytest -q -n auto --dist loadfile --no-loadscope-reorder

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/lint-imports

screenshots: $(VENV)/.installed-test browser
	$(BIN)/python docs/make_screenshots.py $(RECIPE)

bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/run.py

clean-venv:
	rm -rf $(VENV)
