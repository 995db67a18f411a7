"""Shared fixtures: an isolated XIAOYIN_HOME per test, and database URLs for SQLite and PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
PG_URL = os.environ.get("XIAOYIN_TEST_PG_URL")


def _reset() -> None:
    from xiaoyin.core.settings import reset_settings
    from xiaoyin.knowledge import service

    service.close_indexes()
    reset_settings()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh data directory (SQLite database and indexes inside it) for one test."""
    h = tmp_path / "home"
    monkeypatch.setenv("XIAOYIN_HOME", str(h))
    monkeypatch.delenv("XIAOYIN_DATABASE_URL", raising=False)
    monkeypatch.setenv("XIAOYIN_CONFIG", str(tmp_path / "none.toml"))
    _reset()
    yield h
    _reset()


def _fresh_pg_schema(url: str) -> None:
    from sqlalchemy import create_engine, text

    eng = create_engine(url)
    with eng.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    eng.dispose()


def fresh_pg_url() -> str:
    """The test PostgreSQL server's URL with an empty schema; skips without one (fails under CI)."""
    if not PG_URL:
        if os.environ.get("CI"):
            pytest.fail("CI must provide XIAOYIN_TEST_PG_URL (see .ci/run)")
        pytest.skip("XIAOYIN_TEST_PG_URL not set (run .ci/run, or start PostgreSQL and set it)")
    _fresh_pg_schema(PG_URL)
    return PG_URL


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_home(request: pytest.FixtureRequest, home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Run a test once on SQLite and once on a real PostgreSQL server (empty schema each time)."""
    if request.param == "postgres":
        monkeypatch.setenv("XIAOYIN_DATABASE_URL", fresh_pg_url())
        _reset()
    yield request.param
