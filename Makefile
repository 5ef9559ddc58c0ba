# Two commands do everything on a fresh machine: `make serve` and `make test` (see README.md).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The install stamp is named after the lock's hash, so editing requirements.lock reinstalls.
STAMP := $(VENV)/.installed-$(shell sha1sum requirements.lock | cut -c1-12)
SITE := site
CHROMIUM := /usr/bin/chromium

export NO_MKDOCS_2_WARNING := 1
export MPLBACKEND := Agg
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help venv build serve test lock clean

help:
	@echo "make serve   build the site and serve it at http://127.0.0.1:8000 (first run installs .venv)"
	@echo "make test    run every check: tests, doc fences, strict build, link/anchor check"
	@echo "make build   write the static site to $(SITE)/"

$(STAMP): requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "pip==26.3"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@rm -f $(VENV)/.installed-*
	@touch $@

venv: $(STAMP)

# Browser tests drive Debian's Chromium (Playwright never downloads a browser here).
$(CHROMIUM):
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null

build: $(STAMP)
	$(BIN)/mkdocs build --strict --site-dir $(SITE)

serve: $(STAMP)
	$(BIN)/mkdocs serve --strict --dev-addr 127.0.0.1:8000

test: $(STAMP) $(CHROMIUM)
	$(BIN)/mkdocs build --strict --site-dir $(SITE)
	$(BIN)/lychee --offline --include-fragments --no-progress --index-files index.html \
	  --root-dir "$(CURDIR)/$(SITE)" '$(SITE)/**/*.html'
	$(BIN)/python -m pytest

# Re-pin every package from the current .venv (after a deliberate upgrade).
lock:
	( sed -n '1,3p' requirements.lock; $(BIN)/python -m pip freeze --exclude-editable ) > requirements.lock.new
	mv requirements.lock.new requirements.lock

clean:
	rm -rf $(SITE) .pytest_cache
