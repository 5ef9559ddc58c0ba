# Two commands do everything on a fresh machine: `make serve` and `make test` (see README.md).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The install stamp is named after the lock's hash, so editing requirements.lock reinstalls. Only its content
# counts, not its date: a fresh checkout or a second worktree gives the lock a new date, not a new hash.
STAMP := $(VENV)/.installed-$(shell sha1sum requirements.lock | cut -c1-12)
SITE := site
# Debian's chromium-headless-shell: the same Blink, V8 and version as Debian's chromium, built without the browser
# around them (what Playwright itself runs for headless). The browser tests took 132 s of CPU with it, 170 s with
# /usr/bin/chromium (tests/site/browser, same pages, same checks). Override with the path of another
# Chromium/Chrome (the GitHub workflow uses the runner's Chrome).
CHROMIUM ?= /usr/bin/chromium-headless-shell
export CHROMIUM
# Build and tests run offline (tools/offline/run: Python socket guard, plus an empty network namespace
# where the kernel allows); a refused connection is logged here and fails `make test` even if caught.
OFFLINE := tools/offline/run
export OFFLINE_GUARD_LOG := $(CURDIR)/artifacts/blocked-connections.log
NO_NETWORK_USED = if [ -s $(OFFLINE_GUARD_LOG) ]; then cat $(OFFLINE_GUARD_LOG); \
	  echo "make: the build or the tests tried to use the network (above)"; exit 1; fi
# Reproducible builds: the build date on every page is the last commit's time, not the clock's.
ifndef SOURCE_DATE_EPOCH
SOURCE_DATE_EPOCH := $(shell git log -1 --format=%ct 2>/dev/null || stat -c %Y mkdocs.yml)
endif
export SOURCE_DATE_EPOCH

export NO_MKDOCS_2_WARNING := 1
export MPLBACKEND := Agg
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export PYTHONDONTWRITEBYTECODE := 1
# `import handbook` (the site's plumbing: hooks, ledger, figures, excerpts) in the build, tests and scripts.
export PYTHONPATH := $(CURDIR)

.PHONY: help venv build serve test format bench bench-gpu lock clean

help:
	@echo "make serve   build the site and serve it at http://127.0.0.1:8000 (first run installs .venv)"
	@echo "make test    run every check: tests, doc fences, strict build, link/anchor check"
	@echo "make build   write the static site to $(SITE)/"
	@echo "make format  rewrite the Python files as ruff formats them, and apply ruff's safe fixes"
	@echo "make bench   time the build and make test, size every page: writes BENCHMARKS.md"
	@echo "make bench-gpu  on a CUDA GPU: time the vision encoder, window vs full: writes snippets/data/gpu_wall_times.json"

$(STAMP):
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "pip==26.3"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@rm -f $(VENV)/.installed-*
	@touch $@

venv: $(STAMP)

# transformers 4.52.4 (the analysis' release) in its own directory: the versions page and its test run it
# in a subprocess with PYTHONPATH=$(TF_4_52_4), on top of .venv's torch (see requirements-4.52.4.lock).
TF_4_52_4 := $(VENV)/tf-4.52.4
TF_4_52_4_STAMP := $(TF_4_52_4)/.installed-$(shell sha1sum requirements-4.52.4.lock | cut -c1-12)

$(TF_4_52_4_STAMP): | $(STAMP)
	rm -rf $(TF_4_52_4)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --target $(TF_4_52_4) \
	  -r requirements-4.52.4.lock
	@touch $@

# Browser tests drive Debian's Chromium headless shell (Playwright never downloads a browser here).
$(CHROMIUM):
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium-headless-shell >/dev/null

build: $(STAMP) $(TF_4_52_4_STAMP)
	$(OFFLINE) $(BIN)/mkdocs build --strict --site-dir $(SITE)

serve: $(STAMP) $(TF_4_52_4_STAMP)
	$(BIN)/mkdocs serve --strict --dev-addr 127.0.0.1:8000

# pytest over the machine's cores (pytest-xdist), two at most: the builds it reads are made before it starts.
# loadgroup keeps the tests that share one snippet's run on one worker (tests/site/test_snippets.py), and every
# test that uses the browser on one worker, with one Chromium (tests/conftest.py); the rest as `load`.
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); echo $$(( n < 2 ? 1 : 2 )))
DEPLOY_SITE := artifacts/deploy-site
DEPLOY_LOG := artifacts/deploy-build.log
# What make test writes once the builds, the network check after them and the link check are done ("ok", or
# "failed"); pytest, started before the builds, waits for it before any worker starts (tests/conftest.py).
BUILDS_DONE := artifacts/builds-done

test: $(STAMP) $(TF_4_52_4_STAMP) $(CHROMIUM)
	@mkdir -p $(dir $(OFFLINE_GUARD_LOG)) && rm -f $(OFFLINE_GUARD_LOG) $(BUILDS_DONE)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@# pytest first, in the background: its controller starts the warm parent its workers are forked from
	@# (handbook/snippet_server.py), whose imports run while the builds do; then it waits for $(BUILDS_DONE).
	@# The two builds at once: site/, and the deploy-style build that tests/site/test_reproducible.py
	@# compares with it byte for byte (artifacts/deploy-site/, SITE_URL=DEPLOY_URL of handbook/site_build.py).
	HANDBOOK_BUILDS_DONE=$(BUILDS_DONE) $(OFFLINE) $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup & tests=$$!; \
	  built() { echo "$$1" > $(BUILDS_DONE).part && mv $(BUILDS_DONE).part $(BUILDS_DONE); }; \
	  failed() { built failed; wait $$tests || true; exit 1; }; \
	  $(OFFLINE) $(BIN)/python -m handbook.site_build $(DEPLOY_SITE) > $(DEPLOY_LOG) 2>&1 & deploy=$$!; \
	  $(OFFLINE) $(BIN)/mkdocs build --strict --site-dir $(SITE) || { kill $$deploy; wait $$deploy || true; failed; }; \
	  wait $$deploy || { tail -n 40 $(DEPLOY_LOG); echo "make: the deploy-style build failed ($(DEPLOY_LOG))"; failed; }; \
	  ( $(NO_NETWORK_USED) ) || failed; \
	  $(OFFLINE) $(BIN)/lychee --offline --include-fragments --no-progress --index-files index.html \
	    --root-dir "$(CURDIR)/$(SITE)" '$(SITE)/**/*.html' || failed; \
	  built ok; \
	  wait $$tests
	@$(NO_NETWORK_USED)

# Timings and page sizes of the handbook itself, reported in BENCHMARKS.md (a slow result never fails it).
bench: $(STAMP) $(TF_4_52_4_STAMP)
	$(BIN)/python scripts/bench.py

# Whole vision encoder on a CUDA GPU, window vs full layout per attention implementation (docs/beyond/cost.md).
bench-gpu: $(STAMP)
	$(BIN)/python scripts/gpu_wall_time.py

# Re-pin every package from the current .venv (after a deliberate upgrade).
# The same two ruff checks make test runs first; `make format` fixes what they find.
format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

lock:
	( sed -n '1,3p' requirements.lock; $(BIN)/python -m pip freeze --exclude-editable ) > requirements.lock.new
	mv requirements.lock.new requirements.lock

clean:
	rm -rf $(SITE) .pytest_cache
