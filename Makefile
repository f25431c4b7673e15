# Two commands do all set-up on a fresh clone: `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NODE_STAMP := tests/node/node_modules/.installed

.PHONY: demo test lint bench install node-deps clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

$(NODE_STAMP): tests/node/package.json
	cd tests/node && npm install --no-audit --no-fund --ignore-scripts --silent
	touch $(NODE_STAMP)

node-deps: $(NODE_STAMP)

# Packages the React/Next.js model airplanes and the docs' TS snippets are type-checked against.
TYPECHECK_STAMP := tests/typecheck/node_modules/.installed
.PHONY: typecheck-deps
$(TYPECHECK_STAMP): tests/typecheck/package.json
	cd tests/typecheck && npm install --no-audit --no-fund --ignore-scripts --silent
	touch $(TYPECHECK_STAMP)

typecheck-deps: $(TYPECHECK_STAMP)
test: $(TYPECHECK_STAMP)

demo: $(STAMP)
	$(BIN)/posthog-lsp demo

test: $(STAMP) $(NODE_STAMP)
	$(BIN)/ruff check lsp_server tests bench
	$(BIN)/python -m pytest -q
	$(MAKE) --no-print-directory test-vscode

lint: $(STAMP)
	$(BIN)/ruff check lsp_server tests bench

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) tests/node/node_modules tests/typecheck/node_modules vscode-client/node_modules .e2e

# VS Code extension: `make vsix` packages vscode-client/posthog-lsp.vsix (with the server wheel inside),
# `make test-vscode` runs its unit tests, `make test-e2e` drives it in a real VS Code (code-server + chromium).
VSCODE_STAMP := vscode-client/node_modules/.installed
.PHONY: vsix test-vscode test-e2e

$(VSCODE_STAMP): vscode-client/package.json vscode-client/package-lock.json
	cd vscode-client && npm ci --no-audit --no-fund --silent
	touch $(VSCODE_STAMP)

vsix: $(STAMP) $(VSCODE_STAMP)
	rm -f vscode-client/bundled/*.whl
	$(BIN)/python -m pip wheel --quiet --no-deps -w vscode-client/bundled .
	cd vscode-client && npm run --silent package

test-vscode: $(STAMP) $(VSCODE_STAMP)
	cd vscode-client && npm test --silent

test-e2e: vsix
	bash tests/e2e/run.sh

# Every model airplane, stripped of PostHog, integrated offline, then run against the local sink.
.PHONY: integrate-smoke
integrate-smoke: $(STAMP) $(NODE_STAMP) $(TYPECHECK_STAMP)
	$(BIN)/python -m pytest -q tests/integrate_smoke
