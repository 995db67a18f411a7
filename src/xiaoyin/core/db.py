"""Database engine and sessions: SQLite under ``XIAOYIN_HOME`` by default, PostgreSQL by URL.

The schema is owned by Alembic migrations in ``core/migrations``, and they run when asked:
``xiaoyin db upgrade`` (:func:`upgrade`; ``make demo`` runs it first). Using a database never
migrates it: :func:`get_engine` checks once per engine that the database is at the newest revision
(:func:`ensure_current`: one read of ``alembic_version``) and raises :class:`DatabaseNotMigrated`
(code ``db_not_migrated``) when it is behind, so a server on an old database says what to run
instead of failing later with an SQL error. The one exception is an *empty* database when
``settings.auto_migrate`` is on — the default for the embedded SQLite file under ``XIAOYIN_HOME``
only (see :class:`~xiaoyin.core.settings.Settings`): its schema is created at first use.

Domains declare their ORM classes on :class:`Base`. This module depends on
:mod:`xiaoyin.core.settings`, never the other way round: ``reset_settings`` reaches :func:`dispose`
through the hook registered at the bottom.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from sqlalchemy import JSON, MetaData, create_engine, event, inspect
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from xiaoyin.core.errors import InvalidInput, XiaoyinError
from xiaoyin.core.settings import get_settings, on_reset

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: JSON stored as JSONB on PostgreSQL and as JSON text elsewhere.
JSONType = JSON().with_variant(JSONB(), "postgresql")

MIGRATIONS = Path(__file__).parent / "migrations"


class Base(DeclarativeBase):
    """Declarative base for every table of the platform."""

    metadata = MetaData(naming_convention=NAMING)


class DatabaseNotMigrated(XiaoyinError):
    """The database's schema is older than this code's (or absent): run ``xiaoyin db upgrade``."""

    code = "db_not_migrated"
    http_status = 503


class DatabaseTooNew(XiaoyinError):
    """The database was migrated by a newer xiaoyin than this one."""

    code = "db_revision_unknown"
    http_status = 503


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


_lock = threading.RLock()
_engines: dict[str, Engine] = {}
_checked: set[str] = set()  # URLs whose database was found at head by this process


def _make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def _resolve(target: str | Engine | None) -> tuple[Engine, str]:
    """The cached engine for a URL (default: the configured database) and its key; not checked."""
    if isinstance(target, Engine):
        with _lock:
            key = next((u for u, e in _engines.items() if e is target), None)
        return target, key or target.url.render_as_string(hide_password=False)
    url = target or get_settings().db_url
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _engines[url] = _make_engine(url)
        return engine, url


def _engine(target: str | Engine | None) -> Engine:
    return _resolve(target)[0]


def _auto_migrate(url: str) -> bool:
    st = get_settings()
    return st.migrate_empty_database if url == st.db_url else bool(st.auto_migrate)


def get_engine(url: str | None = None) -> Engine:
    """The engine for ``url`` (default: the configured database), checked on first use.

    Raises :class:`DatabaseNotMigrated` while the database is behind the newest migration (checked
    again on the next call, so a running server recovers once ``xiaoyin db upgrade`` has run)."""
    engine, key = _resolve(url)
    if key not in _checked:
        with _lock:
            if key not in _checked:
                ensure_current(engine, auto_migrate=_auto_migrate(key))
                _checked.add(key)
    return engine


def _alembic_config():  # -> alembic.config.Config
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


@lru_cache(maxsize=1)
def _scripts():  # -> alembic.script.ScriptDirectory
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config())


def head_revision() -> str:
    """The newest migration this code knows (e.g. ``"0004_documents"``)."""
    head = _scripts().get_current_head()
    assert head is not None, "no migrations found"
    return head


def current_revision(target: str | Engine | None = None) -> str | None:
    """The revision the database is at (None: never migrated, e.g. empty). Never migrates."""
    from alembic.migration import MigrationContext

    with _engine(target).connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _known(revision: str) -> bool:
    from alembic.util import CommandError

    try:
        return _scripts().get_revision(revision) is not None
    except CommandError:
        return False


def ensure_current(target: str | Engine | None = None, *, auto_migrate: bool = False) -> None:
    """Check that the database is at :func:`head_revision`; raise :class:`DatabaseNotMigrated` if not.

    ``auto_migrate``: an *empty* database (no revision, no tables) is migrated to head instead. A
    database with data is never upgraded here. :class:`DatabaseTooNew` when its revision is unknown."""
    engine = _engine(target)
    current, head = current_revision(engine), head_revision()
    if current == head:
        return
    if current is None:
        with engine.connect() as conn:
            tables = inspect(conn).get_table_names()
        if not tables and auto_migrate:
            upgrade(engine)
            return
        what = (f"database has tables ({len(tables)}) but no migration revision" if tables
                else "database has no schema yet (revision none)")
        raise DatabaseNotMigrated(
            f"数据库未升级到最新版本，请运行 xiaoyin db upgrade / {what}, head is {head}: "
            "run `xiaoyin db upgrade`", current=None, head=head)
    if not _known(current):
        raise DatabaseTooNew(
            f"数据库版本比本程序新 / database is at revision {current}, which this xiaoyin does not know "
            f"(its head is {head}): upgrade xiaoyin, or configure another database", current=current, head=head)
    raise DatabaseNotMigrated(
        f"数据库未升级到最新版本，请运行 xiaoyin db upgrade / database is at revision {current}, head is {head}: "
        "run `xiaoyin db upgrade`", current=current, head=head)


def upgrade(target: str | Engine | None = None, revision: str = "head") -> str | None:
    """Run Alembic migrations on the database (URL or engine; default: configured) up to ``revision``.

    Returns the revision the database is at afterwards. An unknown or older target is :class:`InvalidInput`."""
    from alembic import command
    from alembic.util import CommandError

    engine, key = _resolve(target)
    cfg = _alembic_config()
    try:
        with _lock, engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    except CommandError as e:
        raise InvalidInput(f"无法升级数据库 / cannot upgrade the database to {revision!r}: {e}") from None
    after = current_revision(engine)
    with _lock:
        if after == head_revision():
            _checked.add(key)
        else:
            _checked.discard(key)
    return after


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """A transactional session: committed on success, rolled back on any error."""
    factory = sessionmaker(bind=get_engine(url), expire_on_commit=False)
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def dispose() -> None:
    """Close every engine and forget which databases were checked (tests and settings changes)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
        _checked.clear()


on_reset(dispose)
