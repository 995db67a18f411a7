# 小银 xiaoyin — the two set-up commands are `make demo` and `make test`.
PY      ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed-stamp
export XIAOYIN_HOME ?= .xiaoyin

.PHONY: install fonts demo serve test lint bench lock clean

# System packages the code, the demo and the test suite need: CJK fonts for generated documents
# (reportlab needs TrueType: fonts-wqy-microhei; the demo scans and parse fixtures use Noto CJK; the
# independent test-document generator uses other faces). tests/test_setup_contract.py checks that
# every font path the code names is provided by one of these packages. Debian's Chromium runs the browser
# tests (Playwright drives /usr/bin/chromium; no browser is downloaded). python-ldap (LDAP / AD sign-in) has
# no wheel on PyPI: pip builds it against OpenLDAP's and Cyrus SASL's headers.
SYSTEM_PACKAGES := fonts-wqy-microhei fonts-wqy-zenhei fonts-arphic-uming fonts-arphic-ukai fonts-noto-cjk \
                   chromium chromium-driver \
                   gcc python3-dev libldap2-dev libsasl2-dev

$(STAMP): requirements.lock requirements-nodeps.txt pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.lock
	$(BIN)/python -m pip install -q --no-deps -r requirements-nodeps.txt
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $(STAMP)

install: fonts $(STAMP)

fonts:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	if command -v apt-get >/dev/null; then \
	  echo "installing $$missing"; \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null 2>&1 || \
	  { $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; }; \
	else echo "请安装中文字体 / install these Debian packages or their equivalents: $$missing"; exit 1; fi

## Migrate the database, load the demo knowledge base and serve the platform on http://127.0.0.1:8000
demo: install
	$(BIN)/xiaoyin db upgrade
	$(BIN)/xiaoyin demo
	$(BIN)/xiaoyin serve --host 127.0.0.1 --port 8000

serve: install
	$(BIN)/xiaoyin serve

lint: install
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/lint-imports

## Run the whole test suite (PostgreSQL tests run when XIAOYIN_TEST_PG_URL is set; .ci/run sets it)
test: install lint
	$(BIN)/python -m pytest

## Benchmarks; results are written to bench-results/ and summarised in docs/benchmarks.md
bench: install
	$(BIN)/python benchmarks/run_all.py

## Re-resolve the pinned dependencies (needs uv: pip install uv)
lock:
	uv pip compile pyproject.toml --extra asr --extra dev --python-version 3.11 \
	    --python-platform x86_64-manylinux_2_28 -o requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
