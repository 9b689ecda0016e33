# Layanan — the two commands are `make run` and `make test` (see README.md).
VENV ?= .venv
PY := $(VENV)/bin/python
SYSTEM_PYTHON ?= python3
DEV_ENV := DEBUG=1
# Every make target is a developer's: no production secrets needed (layanan/settings.py DEV_MODE).
export LAYANAN_DEV ?= 1
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: eval-import run test test-fast lint bench bench-quick setup browser axe messages demo clean help worker channels

help:
	@echo "make run     - set up, migrate, load the five seed agencies, serve on http://127.0.0.1:8000"
	@echo "make test    - set up and run the whole test suite (SQLite unless DATABASE_URL is set)"
	@echo "make lint    - ruff"
	@echo "make bench   - benchmarks (prints 'bench:' lines)"
	@echo "make eval-import - the importer against the hand-checked seed data"

$(STAMP): pyproject.toml
	test -x $(PY) || $(SYSTEM_PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $@

setup: $(STAMP)

# Debian's Chromium drives the browser tests (Playwright cannot download its own here).
browser:
	@test -x /usr/bin/chromium || (echo "Installing Chromium from Debian…" && \
		apt-get install -y -q chromium chromium-driver >/dev/null) || \
		(echo "Chromium is missing: apt-get install chromium chromium-driver" && exit 1)
	@# pdftotext reads the survey and evaluation report PDFs back (tests/test_browser_survey.py,
	@# tests/test_browser_reports.py).
	@test -x /usr/bin/pdftotext || (echo "Installing poppler-utils (pdftotext) from Debian…" && \
		apt-get install -y -q poppler-utils >/dev/null) || \
		(echo "pdftotext is missing: apt-get install poppler-utils" && exit 1)

# Debian's dovecot-imapd: the e-mail intake tests poll a real IMAP server on loopback (tests/imap.py).
channels:
	@test -x /usr/sbin/dovecot || (echo "Installing dovecot-imapd from Debian…" && \
		(apt-get install -y -q dovecot-imapd >/dev/null || \
		 (apt-get update -q >/dev/null && apt-get install -y -q dovecot-imapd >/dev/null))) || \
		(echo "dovecot is missing: apt-get install dovecot-imapd" && exit 1)

# axe-core (the accessibility checks the browser tests run inside Chromium) from the npm registry,
# into node_modules/ (not in the repository).
axe:
	@test -f node_modules/axe-core/axe.min.js || npm install --no-save --no-audit --no-fund --silent axe-core@4

messages: setup
	$(PY) manage.py compilemessages -v0 --ignore=.venv

run: setup messages
	$(DEV_ENV) $(PY) manage.py migrate --noinput -v0
	$(DEV_ENV) $(PY) manage.py load_demo
	@echo ""
	@echo "Layanan: http://127.0.0.1:8000/  (petugas: http://127.0.0.1:8000/akun/masuk/)"
	@# The background worker (notifications, SLA sweep) runs beside the web server.
	$(DEV_ENV) $(PY) manage.py run_huey --workers 2 & worker=$$!; \
	trap "kill $$worker 2>/dev/null" EXIT INT TERM; \
	$(DEV_ENV) $(PY) manage.py runserver 127.0.0.1:8000

worker: setup
	$(DEV_ENV) $(PY) manage.py run_huey --workers 2

demo: setup
	$(DEV_ENV) $(PY) manage.py migrate --noinput -v0
	$(DEV_ENV) $(PY) manage.py load_demo

test: setup browser axe channels messages
	@# No persistent connections in tests: the live server's request threads would keep them open.
	DB_CONN_MAX_AGE=0 $(PY) -m pytest -q -p no:cacheprovider

test-fast: setup channels
	$(PY) -m pytest -q -m "not browser" -x

lint: setup
	$(PY) -m ruff check .

eval-import: setup
	$(PY) -m layanan.importer.evaluate

bench: setup
	$(PY) bench/run.py

bench-quick: setup
	$(PY) bench/run.py --quick

clean:
	rm -rf var/ staticfiles/ .pytest_cache
