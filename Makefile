# The two commands of the README: `make run` (the app) and `make test` (the tests).
# Both do every set-up step they need first, so they work on a fresh machine.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.requirements-installed
DATA   := data/FashionMNIST/raw/t10k-labels-idx1-ubyte

.PHONY: run test setup system-packages bench lint

run: setup
	$(PY) -m streamlit run app.py

test: setup
	$(PY) -m pytest

setup: system-packages $(STAMP) $(DATA)

# Debian's offline copy of Fashion-MNIST, Chromium and an emoji font (for the browser tests), PostgreSQL
# (the class board's tests start a throw-away cluster) and nginx (the replicas test, `python -m deploy`).
# Only where apt-get can run as root; elsewhere torchvision downloads the data and those tests skip
# (under CI=true they fail instead).
system-packages:
	@if [ ! -d /usr/share/datasets/fashion-mnist ] || [ ! -x /usr/bin/chromium ] || [ ! -x /usr/sbin/nginx ] \
	    || ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then \
	  if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist chromium \
	      fonts-noto-color-emoji postgresql nginx >/dev/null; \
	  else \
	    echo "note: not root or no apt-get; skipping the Debian packages (dataset-fashion-mnist, chromium, postgresql, nginx)"; \
	  fi; \
	fi

$(STAMP): requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q -r requirements.txt
	touch $(STAMP)

$(DATA): | $(STAMP)
	$(PY) -m explorer data

bench: setup
	$(PY) bench/train_speed.py

lint: setup
	$(PY) -m ruff check .
