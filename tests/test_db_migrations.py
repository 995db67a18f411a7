"""Migrations are explicit: ``xiaoyin db upgrade`` / ``db current`` on SQLite and PostgreSQL, the check
on first use (a database behind head fails with ``db_not_migrated``), and the auto-migrate rule for
an empty embedded database."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from tests.conftest import REPO, _reset, fresh_pg_url
from xiaoyin.cli import app
from xiaoyin.core import db
from xiaoyin.core.errors import InvalidInput
from xiaoyin.core.settings import Settings, get_settings

CLI = str(Path(sys.executable).with_name("xiaoyin"))
OLD = "0002_risk"  # an older revision than head


@pytest.fixture
def bare_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh XIAOYIN_HOME whose database nobody has migrated (unlike the ``home`` fixture)."""
    h = tmp_path / "home"
    monkeypatch.setenv("XIAOYIN_HOME", str(h))
    monkeypatch.delenv("XIAOYIN_DATABASE_URL", raising=False)
    monkeypatch.delenv("XIAOYIN_AUTO_MIGRATE", raising=False)
    monkeypatch.setenv("XIAOYIN_CONFIG", str(tmp_path / "none.toml"))
    _reset()
    yield h
    _reset()


def _flat(s: str) -> str:
    return " ".join(s.split())  # rich wraps long lines at the terminal width


def _cli(*args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(app, list(args))
    if res.exception and not isinstance(res.exception, SystemExit):
        raise res.exception
    return res.exit_code, res.stdout, _flat(res.stderr)


# ------------------------------------------------------------------------------- the commands


def test_db_upgrade_and_current_on_a_fresh_sqlite_home(bare_home: Path) -> None:
    head = db.head_revision()
    code, out, _ = _cli("db", "current")
    assert code == 1 and "current: 无 none" in out and head in out and "xiaoyin db upgrade" in out
    assert not (bare_home / "xiaoyin.db").exists() or db.current_revision() is None  # current never migrates

    code, out, _ = _cli("db", "upgrade")
    assert code == 0, out
    assert f"已升级 upgraded: 无 none → {head}" in out and "数据库已是最新 database at head" in out
    assert str(bare_home.resolve() / "xiaoyin.db") in out

    code, out, _ = _cli("db", "current", "--json")
    assert code == 0 and json.loads(out) == {"database": f"sqlite:///{bare_home.resolve() / 'xiaoyin.db'}",
                                             "current": head, "head": head, "up_to_date": True}
    code, out, _ = _cli("db", "upgrade")  # idempotent: nothing to do, says so
    assert code == 0 and "已升级" not in out and "database at head" in out


def test_db_upgrade_to_a_revision_then_to_head(bare_home: Path) -> None:
    code, out, _ = _cli("db", "upgrade", "--revision", OLD)
    assert code == 0 and f"→ {OLD}" in out and f"database at revision {OLD}" in out
    code, out, _ = _cli("db", "current")
    assert code == 1 and f"current: {OLD}" in out and "not at head" in out
    code, out, _ = _cli("db", "upgrade")
    assert code == 0 and f"{OLD} → {db.head_revision()}" in out

    code, _, err = _cli("db", "upgrade", "--revision", "no-such-revision")
    assert code == 2 and "[invalid_input]" in err
    with pytest.raises(InvalidInput):
        db.upgrade(revision="no-such-revision")
    assert db.upgrade(revision=OLD) == db.head_revision()  # an upgrade never goes back


def test_cli_entry_point_upgrades_a_fresh_home(tmp_path: Path) -> None:
    """The installed ``xiaoyin`` script, as ``make demo`` runs it."""
    env = {**os.environ, "XIAOYIN_HOME": str(tmp_path / "home"), "XIAOYIN_CONFIG": str(tmp_path / "none.toml"),
           "XIAOYIN_AUTO_MIGRATE": "false"}
    env.pop("XIAOYIN_DATABASE_URL", None)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([CLI, *args], env=env, capture_output=True, text=True, timeout=300)

    before = run("kb", "list")  # auto-migrate off: an empty database is refused with the clear message
    assert before.returncode == 2 and "[db_not_migrated]" in before.stderr
    assert "xiaoyin db upgrade" in _flat(before.stderr) and "Traceback" not in before.stderr
    up = run("db", "upgrade")
    assert up.returncode == 0 and "database at head" in up.stdout, up.stderr
    assert run("kb", "list").returncode == 0
    cur = run("db", "current", "--json")
    assert cur.returncode == 0 and json.loads(cur.stdout)["up_to_date"] is True

    env["XIAOYIN_HOME"] = str(tmp_path / "old-home")  # a database behind head: the server does not start
    assert run("db", "upgrade", "--revision", OLD).returncode == 0
    srv = run("serve", "--host", "127.0.0.1", "--port", "9")
    assert srv.returncode == 2 and "[db_not_migrated]" in srv.stderr and OLD in srv.stderr


@pytest.mark.postgres
def test_db_upgrade_and_current_on_postgresql(tmp_path: Path) -> None:
    url = fresh_pg_url(upgrade=False)
    env = {**os.environ, "XIAOYIN_HOME": str(tmp_path / "home"), "XIAOYIN_CONFIG": str(tmp_path / "none.toml"),
           "XIAOYIN_DATABASE_URL": url}
    env.pop("XIAOYIN_AUTO_MIGRATE", None)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([CLI, *args], env=env, capture_output=True, text=True, timeout=300)

    head = db.head_revision()
    cur = run("db", "current", "--json")
    assert cur.returncode == 1 and json.loads(cur.stdout)["current"] is None
    assert "xiaoyin:xiaoyin" not in cur.stdout  # never the credentials
    refused = run("kb", "list")  # PostgreSQL: never migrated as a side effect, even when empty
    assert refused.returncode == 2 and "[db_not_migrated]" in refused.stderr
    up = run("db", "upgrade")
    assert up.returncode == 0 and f"无 none → {head}" in up.stdout and "database at head" in up.stdout, up.stderr
    cur = run("db", "current")
    assert cur.returncode == 0 and f"current: {head}" in cur.stdout and "up to date" in cur.stdout
    assert run("kb", "list").returncode == 0


# --------------------------------------------------------------- a database behind head


def _behind(bare_home: Path) -> None:
    db.upgrade(revision=OLD)
    _reset()  # a new process, as it were: nothing checked yet


def test_service_call_on_a_database_behind_head_fails_clearly(bare_home: Path) -> None:
    from xiaoyin.knowledge import service

    _behind(bare_home)
    with pytest.raises(db.DatabaseNotMigrated) as exc:
        service.list_kbs()
    e = exc.value
    assert e.code == "db_not_migrated" and e.http_status == 503
    assert "数据库未升级到最新版本，请运行 xiaoyin db upgrade" in e.message
    assert f"database is at revision {OLD}, head is {db.head_revision()}" in e.message
    assert "`xiaoyin db upgrade`" in e.message
    assert db.current_revision() == OLD  # using it did not migrate it

    code, _, err = _cli("kb", "list")  # the CLI renders it like any handled error
    assert code == 2 and "[db_not_migrated]" in err and OLD in err

    db.upgrade()  # once upgraded, the same process goes on
    assert service.list_kbs() == []


def test_server_on_a_database_behind_head_answers_with_the_error(bare_home: Path) -> None:
    from fastapi.testclient import TestClient

    from xiaoyin.api.app import create_app

    _behind(bare_home)
    with TestClient(create_app()) as c:
        r = c.get("/api/health")
        assert r.status_code == 503
        err = r.json()["error"]
        assert err["code"] == "db_not_migrated" and "xiaoyin db upgrade" in err["message"]
        assert err["details"] == {"current": OLD, "head": db.head_revision()}
        db.upgrade()
        assert c.get("/api/health").status_code == 200  # recovers without a restart


def test_database_newer_than_the_code_is_named(bare_home: Path) -> None:
    db.upgrade()
    with db.get_engine().begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    _reset()
    with pytest.raises(db.DatabaseTooNew) as exc:
        db.get_engine()
    assert exc.value.code == "db_revision_unknown" and "9999_future" in exc.value.message


# ------------------------------------------------------------------------ the auto-migrate rule


def test_empty_embedded_database_is_created_at_first_use(bare_home: Path) -> None:
    """The embedded SQLite default (no database_url): an empty database gets its schema on first use."""
    from xiaoyin.knowledge import service

    assert service.list_kbs() == []
    assert db.current_revision() == db.head_revision()


@pytest.mark.parametrize("how", ["auto_migrate_off", "configured_url"])
def test_empty_database_refused_without_auto_migrate(bare_home: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    if how == "auto_migrate_off":
        monkeypatch.setenv("XIAOYIN_AUTO_MIGRATE", "false")
    else:  # a configured database is operated: explicit upgrades only, even for a SQLite URL
        monkeypatch.setenv("XIAOYIN_DATABASE_URL", f"sqlite:///{tmp_path / 'configured.db'}")
    _reset()
    with pytest.raises(db.DatabaseNotMigrated) as exc:
        db.get_engine()
    assert "revision none" in exc.value.message and "xiaoyin db upgrade" in exc.value.message
    assert db.current_revision() is None
    db.upgrade()
    assert db.get_engine() is not None


def test_auto_migrate_never_touches_a_database_with_tables(bare_home: Path) -> None:
    """Tables but no Alembic revision (made by something else): refused, not migrated over."""
    eng = create_engine(get_settings().db_url)
    with eng.begin() as conn:
        conn.execute(text("CREATE TABLE foreign_table (id INTEGER PRIMARY KEY)"))
    eng.dispose()
    with pytest.raises(db.DatabaseNotMigrated) as exc:
        db.get_engine()
    assert "has tables (1) but no migration revision" in exc.value.message


def test_auto_migrate_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XIAOYIN_AUTO_MIGRATE", raising=False)
    assert Settings(database_url=None).migrate_empty_database is True
    assert Settings(database_url="postgresql+psycopg://u:p@h/d").migrate_empty_database is False
    assert Settings(database_url="postgresql+psycopg://u:p@h/d", auto_migrate=True).migrate_empty_database is True
    assert Settings(database_url=None, auto_migrate=False).migrate_empty_database is False


def test_settings_does_not_import_db() -> None:
    """The dependency is one-way: core.db imports core.settings, never the other way round."""
    tree = ast.parse((REPO / "src/xiaoyin/core/settings.py").read_text(encoding="utf-8"))
    names = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    names |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not any(m and m.startswith("xiaoyin") for m in names), names
    proc = subprocess.run([sys.executable, "-c", "import sys, xiaoyin.core.settings as s; s.reset_settings(); "
                           "assert 'xiaoyin.core.db' not in sys.modules"], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
