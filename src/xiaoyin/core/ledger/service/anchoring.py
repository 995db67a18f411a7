"""Anchor publication: signed tree heads go to the configured anchor after their transaction commits."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from xiaoyin.core.db import session_scope
from xiaoyin.core.ledger.anchor import AnchorError, get_anchor
from xiaoyin.core.ledger.service.rows import _sth, log_
from xiaoyin.core.ledger.signing import SignedTreeHead
from xiaoyin.core.ledger.store import LedgerLog, LedgerTreeHead

_PENDING = "xiaoyin.ledger.pending"
_HOOKED = "xiaoyin.ledger.hooked"


def _publish_one(engine: Any, anchor: Any, sth: SignedTreeHead, row_id: int) -> None:
    """Publish one head and store its receipt; the returned receipt shows it only once stored."""
    receipt = anchor.publish(sth)
    with Session(engine) as s:
        s.execute(update(LedgerTreeHead).where(LedgerTreeHead.id == row_id).values(anchor_receipt=receipt))
        s.commit()
    sth.anchor_receipt = receipt


def _publish(engine: Any, items: list[tuple[SignedTreeHead, int]]) -> None:
    """Best-effort publication after the commit: nothing raised here may reach the caller, whose
    entries are already stored; a head that fails stays pending for :func:`publish_pending`."""
    try:
        anchor = get_anchor()
    except Exception as e:  # the data is committed; report and keep the heads pending
        for sth, _ in items:
            log_.warning("ledger: tree head %s@%d not anchored: %s (retry with publish_pending)",
                         sth.log, sth.tree_size, getattr(e, "message", None) or repr(e))
        return
    if anchor is None:
        return
    for sth, row_id in items:
        try:
            _publish_one(engine, anchor, sth, row_id)
        except AnchorError as e:
            log_.warning("ledger: tree head %s@%d not anchored: %s (retry with publish_pending)",
                         sth.log, sth.tree_size, e.message)
        except Exception:  # e.g. "database is locked" writing the receipt
            log_.exception("ledger: tree head %s@%d: anchor publication failed after the commit; the entries "
                           "are stored and the head stays pending (retry with publish_pending)",
                           sth.log, sth.tree_size)


def _after_commit(session: Session) -> None:
    items = session.info.pop(_PENDING, [])
    if not items:
        return
    try:
        _publish(session.get_bind(), items)
    except Exception:  # never turn a committed append into an error
        log_.exception("ledger: anchor publication failed after the commit for %s",
                       ", ".join(f"{sth.log}@{sth.tree_size}" for sth, _ in items))


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


def _schedule_publish(session: Session, sth: SignedTreeHead, row_id: int) -> None:
    """Publish the tree head once the transaction that stored it commits (never if it rolls back)."""
    session.info.setdefault(_PENDING, []).append((sth, row_id))
    if not session.info.get(_HOOKED):
        session.info[_HOOKED] = True
        event.listen(session, "after_commit", _after_commit)
        event.listen(session, "after_rollback", _after_rollback)


def publish_pending(log: str | None = None) -> int:
    """Publish stored tree heads that have no anchor receipt yet (after an anchor outage).
    Returns how many were published now."""
    anchor = get_anchor()
    if anchor is None:
        return 0
    with session_scope() as s:
        stmt = select(LedgerTreeHead, LedgerLog).join(LedgerLog, LedgerLog.id == LedgerTreeHead.log_id).where(
            LedgerTreeHead.anchor_receipt.is_(None))
        if log is not None:
            stmt = stmt.where(LedgerLog.name == log)
        todo = [(_sth(t, lg), t.id) for t, lg in s.execute(stmt.order_by(LedgerLog.id, LedgerTreeHead.tree_size))]
        engine = s.get_bind()
    done = 0
    for sth, row_id in todo:
        sth.anchor_receipt = anchor.publish(sth)  # raises AnchorError: the rest stay pending
        with Session(engine) as s2:
            s2.execute(update(LedgerTreeHead).where(LedgerTreeHead.id == row_id)
                       .values(anchor_receipt=sth.anchor_receipt))
            s2.commit()
        done += 1
    return done
