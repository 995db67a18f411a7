"""Reading: logs, signed tree heads, entries, the public key."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from xiaoyin.core.errors import NotFound
from xiaoyin.core.ledger import signing
from xiaoyin.core.ledger.service.models import EntryInfo, LogInfo
from xiaoyin.core.ledger.service.rows import _entry_info, _log_info, _require_log, _session, _sth
from xiaoyin.core.ledger.signing import SignedTreeHead
from xiaoyin.core.ledger.store import LedgerEntry, LedgerLog, LedgerTreeHead


def list_logs(*, session: Session | None = None) -> list[LogInfo]:
    """Every log with its size and current root."""
    with _session(session) as s:
        return [_log_info(r) for r in s.scalars(select(LedgerLog).order_by(LedgerLog.name))]


def tree_head(log: str, tree_size: int | None = None, *, session: Session | None = None) -> SignedTreeHead:
    """The newest signed tree head of ``log`` (or the one of exactly ``tree_size``)."""
    with _session(session) as s:
        row = _require_log(s, log)
        stmt = select(LedgerTreeHead).where(LedgerTreeHead.log_id == row.id)
        if tree_size is None:
            stmt = stmt.order_by(LedgerTreeHead.tree_size.desc()).limit(1)
        else:
            stmt = stmt.where(LedgerTreeHead.tree_size == tree_size)
        head = s.scalar(stmt)
        if head is None:
            raise NotFound(f"ledger log {log!r} has no signed tree head"
                           + (f" of size {tree_size}" if tree_size is not None else ""))
        return _sth(head, row)


def get_entry(log: str, seq: int, *, session: Session | None = None) -> EntryInfo:
    """Entry ``seq`` of ``log``, payload decoded from the stored canonical JSON."""
    with _session(session) as s:
        row = _require_log(s, log)
        e = s.scalar(select(LedgerEntry).where(LedgerEntry.log_id == row.id, LedgerEntry.seq == seq))
        if e is None:
            raise NotFound(f"ledger log {log!r} has no entry {seq}")
        return _entry_info(e, row)


def entries_by_ref(ref: str, log: str | None = None, *, session: Session | None = None) -> list[EntryInfo]:
    """Entries recorded with external reference ``ref`` (e.g. an application number), oldest first."""
    with _session(session) as s:
        stmt = select(LedgerEntry, LedgerLog).join(LedgerLog, LedgerLog.id == LedgerEntry.log_id).where(
            LedgerEntry.ref == ref)
        if log is not None:
            stmt = stmt.where(LedgerLog.name == log)
        return [_entry_info(e, lg) for e, lg in s.execute(stmt.order_by(LedgerLog.name, LedgerEntry.seq))]


def public_key_pem() -> str:
    """The ledger's Ed25519 public key (PEM), for auditors and anchors. Never creates a key:
    :class:`LedgerKeyMissing` when there is none."""
    return signing.public_pem(signing.load_private_key().public_key())


def key_id() -> str:
    """The ledger key's id (first 16 hex of SHA-256 over the raw public key); never creates a key."""
    return signing.key_id(signing.load_private_key().public_key())
