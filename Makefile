# Two commands do everything: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask
DEMO := zukunftsstadt/demo/demo-data.json

.PHONY: run test quality language-data districts setup system-deps lint node-start node-stop clean

$(VENV)/.installed: pyproject.toml
	@echo "Richte die virtuelle Umgebung in $(VENV) ein …"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	@touch $@

# The stable analysis plugin for the local search node (search/plugin, Maven); rebuilt only
# when its sources change, installed by search/node_install.py. Not built for ELASTICSEARCH_URL.
PLUGIN_ZIP := search/plugin/target/zukunftsstadt-analysis.zip
PLUGIN_SRC := search/plugin/pom.xml $(shell find search/plugin/src -type f 2>/dev/null)

$(PLUGIN_ZIP): $(PLUGIN_SRC) | system-deps
	@echo "Baue das Analyse-Plugin (Maven) …"
	cd search/plugin && mvn -B -q package
	@touch $@

# KERN (@kern-ux/native), served by the app itself: its CSS, the Fira Sans faces the CSS names
# and its licence, copied into the package's static folder (no CDN, nothing fetched at run time).
KERN := zukunftsstadt/static/kern
KERN_DIST := node_modules/@kern-ux/native/dist

setup: $(VENV)/.installed system-deps $(KERN)/.installed $(if $(ELASTICSEARCH_URL),,$(PLUGIN_ZIP))

# From npm: the KERN design system and axe-core (accessibility checks in the browser tests).
node_modules/.installed: package.json package-lock.json | system-deps
	npm ci --no-audit --no-fund --silent
	@touch $@

$(KERN)/.installed: node_modules/.installed
	@echo "Kopiere das KERN-Designsystem nach $(KERN) …"
	rm -rf $(KERN) && mkdir -p $(KERN)/fonts/fira-sans
	cp $(KERN_DIST)/kern.min.css node_modules/@kern-ux/native/LICENSE.md $(KERN)/
	cp $(KERN_DIST)/fonts/fira-sans.css $(KERN)/fonts/
	for face in $$(grep -o 'fira-sans/[A-Za-z-]*\.woff2' $(KERN_DIST)/fonts/fira-sans.css); do \
	  cp $(KERN_DIST)/fonts/$$face $(KERN)/fonts/fira-sans/; done
	@touch $@

# The search node needs a Java runtime (17+) and the German hunspell dictionary, its analysis
# plugin a JDK and Maven; the browser tests need Chromium, the page styles (KERN) npm. As root,
# missing Debian packages are installed; otherwise the command to run is printed.
system-deps:
	@missing=""; \
	if [ -n "$(WITH_BROWSER)" ] && ! command -v chromium >/dev/null 2>&1; then missing="$$missing chromium"; fi; \
	if [ -z "$$HUNSPELL_DIR" ] && [ ! -f /usr/share/hunspell/de_DE.dic ]; then missing="$$missing hunspell-de-de"; fi; \
	if [ -z "$$ELASTICSEARCH_URL" ] && ! command -v java >/dev/null 2>&1 && [ -z "$$JAVA_HOME" ]; then missing="$$missing default-jre-headless"; fi; \
	if [ -z "$$ELASTICSEARCH_URL" ] && ! command -v javac >/dev/null 2>&1; then missing="$$missing default-jdk-headless"; fi; \
	if [ -z "$$ELASTICSEARCH_URL" ] && ! command -v mvn >/dev/null 2>&1; then missing="$$missing maven"; fi; \
	if ! command -v npm >/dev/null 2>&1; then missing="$$missing npm"; fi; \
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

# Search, coverage and overlap metrics on the development and the held-out evaluation set.
quality: setup
	$(FLASK) search node start
	$(BIN)/python bench/quality.py

# Regenerate search/data/analysis/ (decompounding dictionary, stop words, synonyms) from
# Debian's wngerman, hunspell-de-de, openthesaurus-de-text and trans-de-en.
language-data:
	$(BIN)/python -m search.language_data

# Regenerate zukunftsstadt/data/districts.json (Kreis names by AGS) from the npm package
# landkreise-deutschland (Destatis, CC BY 4.0).
districts:
	tmp=$$(mktemp -d) && (cd $$tmp && npm pack --silent landkreise-deutschland@3.0.0 >/dev/null \
	  && tar xzf landkreise-deutschland-3.0.0.tgz) \
	  && $(BIN)/python -m zukunftsstadt.districts $$tmp/package/data/districts.json; rm -rf $$tmp

lint: setup
	$(BIN)/ruff check .

node-start: setup
	$(FLASK) search node start

node-stop: setup
	$(FLASK) search node stop

clean:
	-$(FLASK) search node stop
	rm -rf $(VENV) instance
