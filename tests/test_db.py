"""Database layer on both engines: migrations reach head and match the ORM, writes are transactional."""

from __future__ import annotations

import pytest
from sqlalchemy import select

import xiaoyin.core.audit.store  # these tables take part in the migration check
import xiaoyin.core.auth.store
import xiaoyin.core.ledger.store
import xiaoyin.credit.documents.store
import xiaoyin.credit.risk.store  # noqa: F401
from xiaoyin.core.db import Base, get_engine, session_scope
from xiaoyin.core.errors import AlreadyExists, InvalidInput, NotFound
from xiaoyin.knowledge import service
from xiaoyin.knowledge.store import KnowledgeBase


def test_migrations_match_models(db_home: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine = get_engine()
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    assert engine.dialect.name == ("postgresql" if db_home == "postgres" else "sqlite")


def test_session_rolls_back_on_error(db_home: str) -> None:
    with pytest.raises(RuntimeError):
        with session_scope() as s:
            s.add(KnowledgeBase(name="rolled-back", description=""))
            s.flush()
            raise RuntimeError("boom")
    with session_scope() as s:
        assert s.scalar(select(KnowledgeBase).where(KnowledgeBase.name == "rolled-back")) is None


def test_kb_lifecycle(db_home: str) -> None:
    info = service.create_kb("信贷制度", "贷款管理制度")
    assert info.name == "信贷制度" and info.documents == 0
    with pytest.raises(AlreadyExists):
        service.create_kb("信贷制度")
    assert service.create_kb("信贷制度", exist_ok=True).name == "信贷制度"
    assert [k.name for k in service.list_kbs()] == ["信贷制度"]
    service.delete_kb("信贷制度")
    with pytest.raises(NotFound):
        service.get_kb("信贷制度")


@pytest.mark.parametrize("bad", ["", "  ", "../etc", "a/b", ".hidden", "x" * 101])
def test_bad_kb_names_rejected(home, bad: str) -> None:
    with pytest.raises(InvalidInput):
        service.create_kb(bad)
