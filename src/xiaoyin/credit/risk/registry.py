"""Model registry: versions per name and segment, one champion each, promote and roll back with audit.

A registered MODEL_DIR is copied to ``<home>/models/risk/<name>/<version>``; its segment models
(``segments/<value>/``) are registered too, as rows with that ``segment``. Every register, promote
and rollback is written to ``risk_model_events`` with who did it and when.
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import select

from xiaoyin.core.db import session_scope, utcnow
from xiaoyin.core.errors import InvalidInput, NotFound
from xiaoyin.core.settings import get_settings
from xiaoyin.credit.risk.store import RiskModel, RiskModelEvent

_NAME = re.compile(r"^(?![.\-])[\w.\-]{1,100}$")


class ModelInfo(BaseModel):
    """One registered model version (of a name and segment; ``""`` is the pooled model)."""

    name: str
    version: str
    segment: str
    path: str
    status: str = Field(description="champion | challenger | retired")
    metrics: dict[str, Any] = Field(description="from the training report: rows, bad_rate, cv, target_mapping")
    created_by: str | None
    created_at: datetime


class EventInfo(BaseModel):
    """One register, promote or rollback in a model name's audit trail."""

    name: str
    segment: str
    action: str = Field(description="register | promote | rollback")
    from_version: str | None
    to_version: str | None
    user: str | None
    note: str
    created_at: datetime


def _info(r: RiskModel) -> ModelInfo:
    return ModelInfo(name=r.name, version=r.version, segment=r.segment, path=r.path, status=r.status,
                     metrics=dict(r.metrics or {}), created_by=r.created_by, created_at=r.created_at)


def check_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME.match(name):
        raise InvalidInput(f"模型名称无效：{name!r}（仅限字母、数字、汉字、下划线、点和连字符，最长100字符）")
    return name


def _load(model_dir: Path):
    from xiaoyin.credit.risk.model import ScorecardModel

    if not (Path(model_dir) / "model.json").is_file():
        raise InvalidInput(f"不是模型目录（缺少 model.json）：{model_dir}")
    return ScorecardModel.load(Path(model_dir))


def model_version(model_dir: Path) -> str:
    """The content version of a MODEL_DIR (from its ``model.json``)."""
    return _load(model_dir).version


def _segment_of(model_dir: Path) -> tuple[str, str]:
    """(segment value, version) of a segment MODEL_DIR."""
    m = _load(model_dir)
    seg = (m.meta or {}).get("segment")
    return (str(seg.get("value")) if isinstance(seg, dict) and seg.get("value") is not None
            else model_dir.name), m.version


def _metrics(model_dir: Path) -> dict[str, Any]:
    try:
        rep = json.loads((model_dir / "report.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: rep[k] for k in ("rows", "bad_rate", "cv", "target_mapping") if k in rep}


def _event(s, name: str, segment: str, action: str, frm: str | None, to: str | None, user: str | None,
           note: str) -> None:
    s.add(RiskModelEvent(name=name, segment=segment, action=action, from_version=frm, to_version=to,
                         user=user, note=note, created_at=utcnow()))


def register(model_dir: str | Path, name: str, *, user: str | None = None, note: str = "",
             promote: bool | None = None) -> list[ModelInfo]:
    """Copy and record ``model_dir`` (and its segment models) under ``name``; idempotent per version.

    ``promote`` None makes a version champion only where its name/segment has none yet.
    Returns the pooled model first, then one entry per segment.
    """
    check_name(name)
    src = Path(model_dir)
    version = model_version(src)
    dest = get_settings().home / "models" / "risk" / name / version
    with session_scope() as s:
        existing = s.scalar(select(RiskModel).where(RiskModel.name == name, RiskModel.segment == "",
                                                    RiskModel.version == version))
        if existing is None:
            if dest.exists():
                shutil.rmtree(dest)  # a copy left by an interrupted registration
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copytree(src, dest)
    entries = [("", version, dest)]
    seg_root = dest / "segments"
    if seg_root.is_dir():
        entries += [(*_segment_of(p), p) for p in sorted(seg_root.iterdir()) if (p / "model.json").is_file()]
    out: list[ModelInfo] = []
    with session_scope() as s:
        for segment, ver, path in entries:
            row = s.scalar(select(RiskModel).where(RiskModel.name == name, RiskModel.segment == segment,
                                                   RiskModel.version == ver))
            if row is None:
                metrics = _metrics(path)
                if segment:
                    metrics["parent_version"] = version
                row = RiskModel(name=name, version=ver, segment=segment, path=str(path.resolve()),
                                status="challenger", metrics=metrics, created_by=user, created_at=utcnow())
                s.add(row)
                _event(s, name, segment, "register", None, ver, user, note)
                s.flush()
            has_champion = s.scalar(select(RiskModel.id).where(
                RiskModel.name == name, RiskModel.segment == segment, RiskModel.status == "champion"))
            if promote or (promote is None and has_champion is None):
                _promote_row(s, row, user, note or ("首个版本自动设为冠军" if promote is None else ""))
            out.append(_info(row))
    return out


def _champion_row(s, name: str, segment: str) -> RiskModel | None:
    return s.scalar(select(RiskModel).where(RiskModel.name == name, RiskModel.segment == segment,
                                            RiskModel.status == "champion"))


def _promote_row(s, row: RiskModel, user: str | None, note: str) -> None:
    current = _champion_row(s, row.name, row.segment)
    if current is not None and current.id == row.id:
        return
    if current is not None:
        current.status = "challenger"
        s.flush()
    row.status = "champion"
    _event(s, row.name, row.segment, "promote", current.version if current else None, row.version, user, note)
    s.flush()


def promote(name: str, version: str, user: str | None = None, *, segment: str | None = None,
            note: str = "") -> ModelInfo:
    """Make ``version`` the champion of its name/segment (the old champion becomes a challenger).

    Promoting a pooled version also promotes the segment models registered with it.
    """
    check_name(name)
    with session_scope() as s:
        q = select(RiskModel).where(RiskModel.name == name, RiskModel.version == version)
        if segment is not None:
            q = q.where(RiskModel.segment == segment)
        rows = sorted(s.scalars(q), key=lambda r: r.segment != "")
        if not rows:
            raise NotFound(f"未登记的模型版本：{name} {version}")
        row = rows[0]
        _promote_row(s, row, user, note)
        if row.segment == "":
            for child in s.scalars(select(RiskModel).where(RiskModel.name == name, RiskModel.segment != "")):
                if (child.metrics or {}).get("parent_version") == version:
                    _promote_row(s, child, user, note or f"随合并模型 {version} 一同晋升")
        return _info(row)


def rollback(name: str, user: str | None = None, *, segment: str = "", note: str = "") -> ModelInfo:
    """Put back the champion that the current one replaced; the current one is retired."""
    check_name(name)
    with session_scope() as s:
        current = _champion_row(s, name, segment)
        if current is None:
            raise NotFound(f"模型 {name}{'/' + segment if segment else ''} 没有冠军版本")
        ev = s.scalar(select(RiskModelEvent).where(
            RiskModelEvent.name == name, RiskModelEvent.segment == segment, RiskModelEvent.action == "promote",
            RiskModelEvent.to_version == current.version, RiskModelEvent.from_version.is_not(None),
        ).order_by(RiskModelEvent.id.desc()).limit(1))
        prev = None if ev is None else s.scalar(select(RiskModel).where(
            RiskModel.name == name, RiskModel.segment == segment, RiskModel.version == ev.from_version))
        if prev is None:
            raise InvalidInput(f"模型 {name} 当前冠军 {current.version} 之前没有可回滚的版本")
        current.status = "retired"
        s.flush()
        prev.status = "champion"
        _event(s, name, segment, "rollback", current.version, prev.version, user, note)
        s.flush()
        return _info(prev)


def list_models(name: str | None = None, segment: str | None = None) -> list[ModelInfo]:
    """Registered versions (newest first), optionally of one name and/or segment."""
    with session_scope() as s:
        q = select(RiskModel)
        if name is not None:
            q = q.where(RiskModel.name == name)
        if segment is not None:
            q = q.where(RiskModel.segment == segment)
        return [_info(r) for r in s.scalars(q.order_by(RiskModel.name, RiskModel.segment, RiskModel.id.desc()))]


def champion(name: str, segment: str = "") -> ModelInfo | None:
    with session_scope() as s:
        row = _champion_row(s, name, segment)
        return _info(row) if row else None


def challengers(name: str, segment: str = "") -> list[ModelInfo]:
    return [m for m in list_models(name, segment) if m.status == "challenger"]


def segments(name: str) -> list[str]:
    """The segment values with a registered model under ``name`` ("" = pooled)."""
    return sorted({m.segment for m in list_models(name)})


def events(name: str, segment: str | None = None) -> list[EventInfo]:
    """The audit trail of ``name`` in order."""
    with session_scope() as s:
        q = select(RiskModelEvent).where(RiskModelEvent.name == name)
        if segment is not None:
            q = q.where(RiskModelEvent.segment == segment)
        return [EventInfo(name=e.name, segment=e.segment, action=e.action, from_version=e.from_version,
                          to_version=e.to_version, user=e.user, note=e.note, created_at=e.created_at)
                for e in s.scalars(q.order_by(RiskModelEvent.id))]
