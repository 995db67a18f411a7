"""Shared fixtures: an isolated XIAOYIN_HOME per test, and database URLs for SQLite and PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
PG_URL = os.environ.get("XIAOYIN_TEST_PG_URL")


def _reset() -> None:
    from xiaoyin.core.settings import reset_settings
    from xiaoyin.knowledge import service

    service.close_indexes()
    reset_settings()


def _upgrade(target: Any = None) -> None:
    """Migrate a fresh database (URL or engine; default: configured) to head explicitly, as
    ``xiaoyin db upgrade`` does."""
    from xiaoyin.core import db

    db.upgrade(target)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh data directory (SQLite database, migrated to head, and indexes inside it) for one test."""
    h = tmp_path / "home"
    monkeypatch.setenv("XIAOYIN_HOME", str(h))
    monkeypatch.delenv("XIAOYIN_DATABASE_URL", raising=False)
    monkeypatch.setenv("XIAOYIN_CONFIG", str(tmp_path / "none.toml"))
    _reset()
    _upgrade()
    yield h
    _reset()


def _fresh_pg_schema(url: str) -> None:
    from sqlalchemy import create_engine, text

    eng = create_engine(url)
    with eng.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    eng.dispose()


def fresh_pg_url(*, upgrade: bool = True) -> str:
    """The test PostgreSQL server's URL with a fresh schema, migrated to head explicitly (``upgrade=False``:
    left empty); skips without a server (fails under CI)."""
    if not PG_URL:
        if os.environ.get("CI"):
            pytest.fail("CI must provide XIAOYIN_TEST_PG_URL (see .ci/run)")
        pytest.skip("XIAOYIN_TEST_PG_URL not set (run .ci/run, or start PostgreSQL and set it)")
    _fresh_pg_schema(PG_URL)
    if upgrade:
        from sqlalchemy import create_engine

        eng = create_engine(PG_URL)
        try:
            _upgrade(eng)
        finally:
            eng.dispose()
    return PG_URL


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_home(request: pytest.FixtureRequest, home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Run a test once on SQLite and once on a real PostgreSQL server (a fresh schema, migrated, each time)."""
    if request.param == "postgres":
        monkeypatch.setenv("XIAOYIN_DATABASE_URL", fresh_pg_url())
        _reset()
    yield request.param


TEST_ADMIN_PASSWORD = "Xiaoyin#2026pass"


def admin_token(env: dict[str, str], username: str = "tester") -> str:
    """Create an administrator in the database ``env`` names (through the real CLI, as an operator
    would) and return an API token acting as them, for tests that call a served API."""
    import subprocess
    import sys

    cli = str(Path(sys.executable).with_name("xiaoyin"))
    r = subprocess.run([cli, "admin", "create", username, "--password", TEST_ADMIN_PASSWORD], env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    r = subprocess.run([cli, "--admin", "admin", "token-create", username, "--name", "tests"], env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout.strip().splitlines()[-1]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def import_all_stores() -> None:
    """Put every domain's tables on ``Base.metadata`` (for comparing migrations with the ORM)."""
    import xiaoyin.core.audit.store
    import xiaoyin.core.auth.store
    import xiaoyin.core.ledger.store
    import xiaoyin.credit.documents.store
    import xiaoyin.credit.risk.store
    import xiaoyin.knowledge.store  # noqa: F401


def free_port() -> int:
    """A free TCP port on loopback for a test server."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, proc: Any, log_text: Any = lambda: "", timeout: float = 60.0) -> None:
    """Poll ``url``/api/health until it answers 200; raise with the server's log if the process exits
    or ``timeout`` seconds pass."""
    import contextlib
    import time

    import httpx

    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                return
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("server did not start:\n" + log_text())
        time.sleep(0.2)
