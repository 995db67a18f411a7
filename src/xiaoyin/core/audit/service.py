"""The audit trail: every state change and every question, appended to the tamper-evident ledger.

:func:`record` appends the event to ledger log ``audit`` and indexes it in ``audit_events`` in the
caller's transaction, so an action and its audit entry commit or roll back together. :func:`verify`
re-checks the ledger (hash chain, signed heads, anchors) and every index row against its entry, and
names the first altered one.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from xiaoyin.core.audit.store import AuditEvent
from xiaoyin.core.auth.principal import Permission, Principal
from xiaoyin.core.db import session_scope, utcnow
from xiaoyin.core.ledger import service as ledger
from xiaoyin.core.ledger.store import LedgerEntry, LedgerLog

AUDIT_LOG = "audit"

Outcome = Literal["ok", "denied", "failed"]


class AuditRecord(BaseModel):
    """One audit event as staff and auditors see it."""

    id: int
    at: datetime
    username: str
    branch: str | None
    action: str
    target: str | None
    outcome: str
    details: dict[str, Any]
    ledger_seq: int


class AuditPage(BaseModel):
    total: int
    events: list[AuditRecord]


class AuditFilter(BaseModel):
    """Filters for listing and export; all optional."""

    since: datetime | None = None
    until: datetime | None = None
    username: str | None = None
    branch: str | None = None
    action: str | None = Field(None, description="an action, or a prefix ending in '.' (e.g. 'kb.')")
    outcome: Outcome | None = None


class AuditVerification(BaseModel):
    """The result of :func:`verify`."""

    ok: bool
    entries: int
    indexed: int
    first_bad_seq: int | None = Field(None, description="the first ledger entry that was altered or is missing")
    problems: list[str]


@contextmanager
def _session(session: Session | None) -> Iterator[Session]:
    if session is not None:
        yield session
    else:
        with session_scope() as s:
            yield s


def _payload(at: datetime, principal: Principal, action: str, target: str | None, outcome: str,
             details: dict[str, Any]) -> dict[str, Any]:
    return {
        "at": at.isoformat(timespec="microseconds"), "user": principal.username, "branch": principal.branch,
        "via": principal.via, "roles": sorted(r.value for r in principal.roles), "action": action,
        "target": target, "outcome": outcome, "details": details,
    }


def record(principal: Principal, action: str, *, target: str | None = None, outcome: Outcome = "ok",
           details: dict[str, Any] | None = None, session: Session | None = None) -> AuditRecord:
    """Append one event. With ``session=`` it joins the caller's transaction (one commit for both)."""
    details = json.loads(json.dumps(details or {}, ensure_ascii=False, default=str))
    target = target[:255] if target else None
    at = utcnow()
    payload = _payload(at, principal, action, target, outcome, details)
    with _session(session) as s:
        receipt = ledger.append(AUDIT_LOG, payload, kind=action, ref=(target or None) and target[:200], session=s)
        row = AuditEvent(at=at, username=principal.username, branch=principal.branch, action=action,
                         target=target, outcome=outcome, details=details, ledger_seq=receipt.seq)
        s.add(row)
        s.flush()
        return _record(row)


def _record(row: AuditEvent) -> AuditRecord:
    return AuditRecord(id=row.id, at=row.at, username=row.username, branch=row.branch, action=row.action,
                       target=row.target, outcome=row.outcome, details=row.details or {},
                       ledger_seq=row.ledger_seq)


def _filtered(f: AuditFilter) -> Select:
    q = select(AuditEvent)
    if f.since:
        q = q.where(AuditEvent.at >= f.since)
    if f.until:
        q = q.where(AuditEvent.at < f.until)
    if f.username:
        q = q.where(AuditEvent.username == f.username)
    if f.branch:
        q = q.where(AuditEvent.branch == f.branch)
    if f.action:
        q = (q.where(AuditEvent.action.startswith(f.action, autoescape=True)) if f.action.endswith(".")
             else q.where(AuditEvent.action == f.action))
    if f.outcome:
        q = q.where(AuditEvent.outcome == f.outcome)
    return q


def list_events(principal: Principal, filters: AuditFilter | None = None, *, limit: int = 100,
                offset: int = 0) -> AuditPage:
    """Newest first; needs ``audit.read``."""
    principal.require(Permission.AUDIT_READ)
    f = filters or AuditFilter()
    limit = max(1, min(limit, 1000))
    with session_scope() as s:
        q = _filtered(f)
        total = s.scalar(select(func.count()).select_from(q.subquery())) or 0
        rows = s.scalars(q.order_by(AuditEvent.ledger_seq.desc()).limit(limit).offset(max(0, offset)))
        return AuditPage(total=total, events=[_record(r) for r in rows])


CSV_COLUMNS = ["ledger_seq", "at", "username", "branch", "action", "target", "outcome", "details"]


def export_csv(principal: Principal, filters: AuditFilter | None = None) -> str:
    """The filtered events as CSV (UTF-8 with BOM, so Excel opens Chinese correctly); the export is audited."""
    principal.require(Permission.AUDIT_READ)
    f = filters or AuditFilter()
    buf = io.StringIO()
    buf.write("\ufeff")
    w = csv.writer(buf)
    w.writerow(CSV_COLUMNS)
    n = 0
    with session_scope() as s:
        for r in s.scalars(_filtered(f).order_by(AuditEvent.ledger_seq)):
            w.writerow([r.ledger_seq, r.at.isoformat(timespec="seconds"), r.username, r.branch or "", r.action,
                        _csv_safe(r.target or ""), r.outcome,
                        _csv_safe(json.dumps(r.details, ensure_ascii=False, sort_keys=True))])
            n += 1
    record(principal, "audit.export", details={"rows": n, "filters": f.model_dump(mode="json", exclude_none=True)})
    return buf.getvalue()


def _csv_safe(text: str) -> str:
    """Neutralise spreadsheet formulas (CSV injection): a cell may not start with = + - @."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def verify() -> AuditVerification:
    """Check the audit ledger and that each indexed event still says what its ledger entry says."""
    problems: list[str] = []
    first_bad: int | None = None

    def bad(seq: int | None, message: str) -> None:
        nonlocal first_bad
        problems.append(message)
        if seq is not None and (first_bad is None or seq < first_bad):
            first_bad = seq

    with session_scope() as s:
        log = s.scalar(select(LedgerLog).where(LedgerLog.name == AUDIT_LOG))
        if log is None:
            n_rows = s.scalar(select(func.count()).select_from(AuditEvent)) or 0
            if n_rows:
                bad(0, f"{n_rows} audit rows but no audit ledger (deleted)")
            return AuditVerification(ok=not problems, entries=0, indexed=n_rows, problems=problems,
                                     first_bad_seq=first_bad)
    report = ledger.verify(AUDIT_LOG)
    for lv in report.logs:
        for p in lv.problems:
            bad(p.seq, f"ledger: {p.message}")
    with session_scope() as s:
        entries = {e.seq: e.leaf_data for e in s.scalars(
            select(LedgerEntry).where(LedgerEntry.log_id == log.id).order_by(LedgerEntry.seq))}
        rows = {r.ledger_seq: r for r in s.scalars(select(AuditEvent))}
        for seq, leaf in entries.items():
            row = rows.get(seq)
            if row is None:
                bad(seq, f"entry {seq}: its audit row was deleted")
                continue
            try:
                stored = json.loads(leaf)["payload"]
            except (ValueError, KeyError, TypeError):
                bad(seq, f"entry {seq}: ledger payload unreadable")
                continue
            if not _row_matches(row, stored):
                bad(seq, f"entry {seq}: audit row altered ({row.action} by {row.username} at {row.at:%Y-%m-%d %H:%M:%S})")
        for seq in sorted(set(rows) - set(entries)):
            bad(seq, f"audit row {seq} has no ledger entry (inserted outside the ledger)")
        return AuditVerification(ok=not problems, entries=len(entries), indexed=len(rows),
                                 first_bad_seq=first_bad, problems=problems)


def _row_matches(row: AuditEvent, stored: dict[str, Any]) -> bool:
    return (stored.get("at") == row.at.isoformat(timespec="microseconds") and stored.get("user") == row.username
            and stored.get("branch") == row.branch and stored.get("action") == row.action
            and stored.get("target") == row.target and stored.get("outcome") == row.outcome
            and stored.get("details") == (row.details or {}))
