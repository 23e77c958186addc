# Two commands do everything: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask
DEMO := zukunftsstadt/demo/demo-data.json

.PHONY: run test setup system-deps lint node-start node-stop clean

$(VENV)/.installed: pyproject.toml
	@echo "Richte die virtuelle Umgebung in $(VENV) ein …"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	@touch $@

setup: $(VENV)/.installed system-deps

# Test tools from npm (axe-core for the accessibility checks in the browser tests).
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	@touch $@

# The search node needs a Java runtime (17+) and the German hunspell dictionary; the browser
# tests need Chromium. As root, missing Debian packages are installed; otherwise the command
# to run is printed.
system-deps:
	@missing=""; \
	if [ -n "$(WITH_BROWSER)" ] && ! command -v chromium >/dev/null 2>&1; then missing="$$missing chromium"; fi; \
	if [ -z "$$HUNSPELL_DIR" ] && [ ! -f /usr/share/hunspell/de_DE.dic ]; then missing="$$missing hunspell-de-de"; fi; \
	if [ -z "$$ELASTICSEARCH_URL" ] && ! command -v java >/dev/null 2>&1 && [ -z "$$JAVA_HOME" ]; then missing="$$missing default-jre-headless"; fi; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installiere Debian-Pakete:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "Bitte installieren Sie:$$missing (z. B. sudo apt-get install$$missing)"; exit 1; \
	  fi; \
	fi

run: setup
	$(FLASK) db upgrade
	$(FLASK) search node start
	$(FLASK) catalogue load --demo $(DEMO)
	$(FLASK) search rebuild
	@echo "Die Anwendung läuft unter http://127.0.0.1:5000 (Beenden mit Strg+C)."
	$(FLASK) run --host 127.0.0.1 --port 5000

test: WITH_BROWSER=1
test: setup node_modules/.installed
	$(BIN)/ruff check .
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check .

node-start: setup
	$(FLASK) search node start

node-stop: setup
	$(FLASK) search node stop

clean:
	-$(FLASK) search node stop
	rm -rf $(VENV) instance
