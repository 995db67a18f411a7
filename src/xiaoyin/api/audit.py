"""The audit log: filtered listing, CSV export and verification (auditors and administrators)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from xiaoyin.api.deps import CurrentPrincipal
from xiaoyin.core.audit import service as audit
from xiaoyin.core.auth.principal import Permission

router = APIRouter(prefix="/api/audit", tags=["audit"])


def _filters(since: datetime | None = None, until: datetime | None = None,
             username: Annotated[str | None, Query(max_length=64)] = None,
             branch: Annotated[str | None, Query(max_length=64)] = None,
             action: Annotated[str | None, Query(max_length=64)] = None,
             outcome: Annotated[str | None, Query(pattern="^(ok|denied|failed)$")] = None) -> audit.AuditFilter:
    return audit.AuditFilter(since=since, until=until, username=username, branch=branch, action=action,
                             outcome=outcome)  # type: ignore[arg-type]


Filters = Annotated[audit.AuditFilter, Depends(_filters)]


@router.get("", response_model=audit.AuditPage)
def list_events(principal: CurrentPrincipal, filters: Filters, limit: int = Query(100, ge=1, le=1000),
                offset: int = Query(0, ge=0)) -> audit.AuditPage:
    return audit.list_events(principal, filters, limit=limit, offset=offset)


@router.get("/export.csv", response_class=Response)
def export_csv(principal: CurrentPrincipal, filters: Filters) -> Response:
    text = audit.export_csv(principal, filters)
    return Response(text.encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="xiaoyin-audit.csv"'})


@router.get("/verify", response_model=audit.AuditVerification)
def verify(principal: CurrentPrincipal) -> audit.AuditVerification:
    principal.require(Permission.AUDIT_READ)
    return audit.verify()
