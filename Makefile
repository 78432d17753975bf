# The README's commands. `make run` and `make test` do all set-up on a fresh machine.
PYTHON ?= python3.11
UV_VERSION := 0.13.9
UV := .uv/bin/uv
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(PYTHON)

# Debian packages the tests need: a real MariaDB server, headless Chromium (and an emoji font
# for its screenshots), a virtual X screen with a screenshot tool for the desktop app, and
# LibreOffice to write the spreadsheets the import tests read, and poppler to render the
# PDF report.
TEST_SYSTEM_PACKAGES := mariadb-server chromium fonts-noto-color-emoji xvfb imagemagick \
  libreoffice-calc-nogui poppler-utils

.PHONY: run test test-sqlite test-mariadb lint typecheck bench system-deps clean fuzz \
  image image-check rehearsal screenshots

$(UV):
	$(PYTHON) -m venv .uv
	.uv/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

.venv/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --quiet
	@touch $@

run: .venv/.synced
	.venv/bin/barberbot db upgrade
	.venv/bin/barberbot demo
	.venv/bin/barberbot serve

system-deps:
	@missing=""; for p in $(TEST_SYSTEM_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing system packages for the tests:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else echo "Missing system packages:$$missing (install them, or run make test as root)"; exit 1; fi; \
	fi

# The SQLite and the MariaDB runs side by side: the suite waits on servers, brokers and browsers
# much of the time, so two runs fill the two cores better than one. Each run's output is shown
# whole when it ends.
test: .venv/.synced system-deps lint typecheck
	$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-mariadb

test-sqlite: .venv/.synced
	.venv/bin/pytest

test-mariadb: .venv/.synced
	.venv/bin/pytest --db=mariadb

# Schemathesis over /openapi.json with 100 examples an operation instead of the suite's 8.
fuzz: .venv/.synced
	BARBERBOT_FUZZ_EXAMPLES=100 .venv/bin/pytest -q tests/web/test_fuzz.py

lint: .venv/.synced
	.venv/bin/ruff check src tests bench deploy
	.venv/bin/ruff format --check src tests bench deploy

typecheck: .venv/.synced
	.venv/bin/mypy

bench: .venv/.synced system-deps
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; } \
	  || { echo "bench/submissions.py needs wrk: apt-get install wrk"; exit 1; }
	.venv/bin/python bench/submissions.py

# The README's pictures. Every test run writes its screenshots into build/screenshots/ (ignored by
# git); this copies them into the tracked docs/screenshots/, to be committed. Only when that
# folder holds none yet does it first run the test files that take them (those that say
# "screenshot"), on SQLite.
SCREENSHOT_TESTS = $(shell grep -rli --include='test_*.py' screenshot tests)

screenshots: .venv/.synced
	@if ! ls build/screenshots/*.png >/dev/null 2>&1; then \
	  echo "build/screenshots/ is empty: running the tests that take screenshots"; \
	  $(MAKE) --no-print-directory system-deps && .venv/bin/pytest -q $(SCREENSHOT_TESTS) || exit 1; \
	fi
	@mkdir -p docs/screenshots
	@cp build/screenshots/*.png docs/screenshots/
	@echo "Copied $$(ls build/screenshots/*.png | wc -l) screenshots from build/screenshots/ into docs/screenshots/:"
	@git status --short -- docs/screenshots/ | sed 's/^/  /'

# The container image: docker when an engine answers, else buildah on a local Debian base.
image:
	deploy/image/build.sh

# Builds the image and runs it (db upgrade, then serve answering /healthz); slow, not in `test`.
image-check:
	deploy/image/check.sh

# The manifests' topology on loopback for a minute, with kills (pytest runs a short one).
rehearsal: .venv/.synced system-deps
	.venv/bin/python deploy/rehearsal.py --seconds 60

clean:
	rm -rf .venv .uv var build .pytest_cache .mypy_cache .ruff_cache
