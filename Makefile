# 小银 xiaoyin — the two set-up commands are `make demo` and `make test`.
PY      ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed-stamp
export XIAOYIN_HOME ?= .xiaoyin

.PHONY: install fonts demo serve test lint bench lock clean

# A TrueType CJK font for generated credit documents (Debian fonts-wqy-microhei; reportlab cannot
# use the OpenType Noto CJK fonts). Installed with apt-get when missing.
CJK_FONT := /usr/share/fonts/truetype/wqy/wqy-microhei.ttc

$(STAMP): requirements.lock requirements-nodeps.txt pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.lock
	$(BIN)/python -m pip install -q --no-deps -r requirements-nodeps.txt
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $(STAMP)

install: fonts $(STAMP)

fonts:
	@if [ -f $(CJK_FONT) ]; then exit 0; fi; \
	SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	if command -v apt-get >/dev/null; then \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq fonts-wqy-microhei >/dev/null 2>&1 || \
	  { $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq fonts-wqy-microhei >/dev/null; }; \
	else echo "请安装 TrueType 中文字体 / install a TrueType CJK font (Debian: fonts-wqy-microhei) or set XIAOYIN_DOCS__FONT_PATH"; exit 1; fi

## Load the demo knowledge base and serve the platform on http://127.0.0.1:8000
demo: install
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
