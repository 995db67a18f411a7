"""The audit trail: events land in the ledger and the index in one transaction, filters and CSV export
work, and verification names the first altered or deleted entry."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import delete, select, update

from xiaoyin.core.audit import service as audit
from xiaoyin.core.audit.store import AuditEvent
from xiaoyin.core.auth.principal import Principal, Role
from xiaoyin.core.db import session_scope
from xiaoyin.core.errors import Forbidden

AUDITOR = Principal("shen", roles=frozenset({Role.AUDITOR}), branch="HQ")
STAFF = Principal("xiao", branch="SZ01")


def _fill() -> None:
    audit.record(STAFF, "kb.ask", target="laws", details={"question": "电子签名法第十一条？", "chunks": ["ab" * 32]})
    audit.record(STAFF, "kb.upload", target="laws/签名法.md")
    audit.record(AUDITOR, "audit.read", outcome="ok")
    audit.record(STAFF, "risk.decide", target="APP-1", outcome="denied", details={"reason": "forbidden"})


def test_record_list_filter_export(db_home: str) -> None:
    _fill()
    page = audit.list_events(AUDITOR)
    assert page.total == 4 and [e.action for e in page.events][0] == "risk.decide"  # newest first
    assert audit.list_events(AUDITOR, audit.AuditFilter(action="kb.")).total == 2
    assert audit.list_events(AUDITOR, audit.AuditFilter(username="xiao", outcome="denied")).total == 1
    assert audit.list_events(AUDITOR, audit.AuditFilter(action="kb%")).total == 0  # LIKE wildcards are literal
    with pytest.raises(Forbidden):
        audit.list_events(STAFF)
    text = audit.export_csv(AUDITOR, audit.AuditFilter(username="xiao"))
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == audit.CSV_COLUMNS and len(rows) == 4 and "电子签名法第十一条" in rows[1][7]
    assert audit.list_events(AUDITOR, audit.AuditFilter(action="audit.export")).total == 1  # the export is audited


def test_csv_cells_cannot_carry_formulas(db_home: str) -> None:
    audit.record(STAFF, "kb.upload", target="=HYPERLINK(\"http://x\")")
    text = audit.export_csv(AUDITOR)
    assert "'=HYPERLINK" in text


def test_rollback_drops_the_event_with_the_action(db_home: str) -> None:
    with pytest.raises(RuntimeError):
        with session_scope() as s:
            audit.record(STAFF, "kb.delete", target="x", session=s)
            raise RuntimeError("the action failed")
    assert audit.list_events(AUDITOR).total == 0
    assert audit.verify().ok


def test_verify_names_first_altered_row(db_home: str) -> None:
    _fill()
    assert audit.verify().ok and audit.verify().entries == 4
    with session_scope() as s:
        seq = s.scalar(select(AuditEvent.ledger_seq).where(AuditEvent.action == "kb.upload"))
        s.execute(update(AuditEvent).where(AuditEvent.ledger_seq == seq).values(target="laws/other.md"))
    v = audit.verify()
    assert not v.ok and v.first_bad_seq == seq and "altered" in v.problems[0]


def test_verify_finds_deleted_row_and_altered_ledger(db_home: str) -> None:
    from xiaoyin.core.ledger.store import LedgerEntry

    _fill()
    with session_scope() as s:
        s.execute(delete(AuditEvent).where(AuditEvent.action == "audit.read"))
    v = audit.verify()
    assert not v.ok and v.first_bad_seq == 2 and "deleted" in " ".join(v.problems)
    with session_scope() as s:
        e = s.scalar(select(LedgerEntry).where(LedgerEntry.seq == 0))
        e.leaf_data = e.leaf_data.replace("电子签名法", "票据法")
    v = audit.verify()
    assert not v.ok and v.first_bad_seq == 0
