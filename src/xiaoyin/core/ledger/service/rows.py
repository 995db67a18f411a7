"""Helpers shared by the ledger service modules: names, sessions, log rows, the per-log lock."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from xiaoyin.core.db import session_scope, utcnow
from xiaoyin.core.errors import InvalidInput, NotFound
from xiaoyin.core.ledger.canonical import canonical_json
from xiaoyin.core.ledger.hashing import HASH_ALGS, get_hash
from xiaoyin.core.ledger.merkle import Frontier
from xiaoyin.core.ledger.service.models import EntryInfo, LogInfo
from xiaoyin.core.ledger.signing import SignedTreeHead
from xiaoyin.core.ledger.store import LedgerEntry, LedgerLog, LedgerTreeHead

#: one logger for the whole service package (its name is the one operators configure)
log_ = logging.getLogger("xiaoyin.core.ledger.service")


def _check_name(name: str, what: str, max_len: int) -> None:
    if not isinstance(name, str) or not name.strip() or len(name) > max_len or any(ord(c) < 32 for c in name):
        raise InvalidInput(f"invalid ledger {what} {name!r} (1-{max_len} printable characters)")


@contextmanager
def _session(session: Session | None) -> Iterator[Session]:
    if session is not None:
        yield session
    else:
        with session_scope() as s:
            yield s


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _find_log(session: Session, name: str) -> LedgerLog | None:
    return session.scalar(select(LedgerLog).where(LedgerLog.name == name))


def _require_log(session: Session, name: str) -> LedgerLog:
    row = _find_log(session, name)
    if row is None:
        raise NotFound(f"ledger log {name!r} does not exist")
    return row


def _ensure_log(session: Session, name: str, hash_alg: str | None = None) -> LedgerLog:
    row = _find_log(session, name)
    if row is not None:
        return row
    _check_name(name, "log name", 100)
    if hash_alg is None:
        from xiaoyin.core.settings import get_settings

        hash_alg = get_settings().ledger.hash
    if hash_alg not in HASH_ALGS:
        raise InvalidInput(f"unknown ledger hash algorithm {hash_alg!r}; use one of {', '.join(HASH_ALGS)}")
    values = dict(name=name, hash_alg=hash_alg, tree_size=0, frontier="[]", created_at=utcnow())
    dialect = _dialect(session)
    if dialect in ("sqlite", "postgresql"):  # two creators racing: the second one does nothing
        mod = __import__(f"sqlalchemy.dialects.{dialect}", fromlist=["insert"])
        session.execute(mod.insert(LedgerLog).values(**values).on_conflict_do_nothing(index_elements=["name"]))
    else:  # pragma: no cover - other engines
        session.add(LedgerLog(**values))
        session.flush()
    row = _find_log(session, name)
    assert row is not None
    return row


def _lock_log(session: Session, log_id: int) -> LedgerLog:
    """The log row, re-read under the per-log write lock."""
    if _dialect(session) == "sqlite":  # take SQLite's write lock before reading the state
        session.execute(
            update(LedgerLog).where(LedgerLog.id == log_id).values(tree_size=LedgerLog.tree_size),
            execution_options={"synchronize_session": False},
        )
    stmt = select(LedgerLog).where(LedgerLog.id == log_id).with_for_update()
    return session.scalars(stmt.execution_options(populate_existing=True)).one()


def _frontier(row: LedgerLog) -> Frontier:
    return Frontier(get_hash(row.hash_alg), row.tree_size, [bytes.fromhex(x) for x in json.loads(row.frontier)])


def _sth(row: LedgerTreeHead, log: LedgerLog) -> SignedTreeHead:
    return SignedTreeHead(log=log.name, hash_alg=log.hash_alg, tree_size=row.tree_size, root_hash=row.root_hash,
                          timestamp=row.timestamp, key_id=row.key_id, signature=row.signature,
                          anchor_receipt=row.anchor_receipt)


def _leaf_text(payload: Any, kind: str, ref: str | None) -> str:
    _check_name(kind, "entry kind", 50)
    if ref is not None:
        _check_name(ref, "entry ref", 200)
    return canonical_json({"kind": kind, "payload": payload, "ref": ref})


def _log_info(row: LedgerLog) -> LogInfo:
    return LogInfo(name=row.name, hash_alg=row.hash_alg, tree_size=row.tree_size,
                   root_hash=_frontier(row).root().hex(), created_at=row.created_at)


def _entry_info(e: LedgerEntry, row: LedgerLog) -> EntryInfo:
    try:
        payload = json.loads(e.leaf_data).get("payload")
    except (ValueError, AttributeError):
        payload = None
    return EntryInfo(log=row.name, seq=e.seq, kind=e.kind, ref=e.ref, payload=payload, leaf_data=e.leaf_data,
                     leaf_hash=e.leaf_hash, created_at=e.created_at)
