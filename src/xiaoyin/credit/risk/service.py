"""The credit-risk domain's typed entry points for the faces (CLI ``xiaoyin risk ...`` and REST).

Models are addressed by a MODEL_DIR path or by a registered name (its champion; a segment's champion
when the application carries the segment value). Loaded models and policies are cached per path and
file version. Every decision is stored with the model version and the inputs it saw.
"""

from __future__ import annotations

import dataclasses
import json
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from xiaoyin.core.audit import service as audit
from xiaoyin.core.auth.principal import Permission, Principal, acting_user
from xiaoyin.core.db import session_scope, utcnow
from xiaoyin.core.errors import InvalidInput, NotFound
from xiaoyin.core.jsonutil import to_jsonable
from xiaoyin.credit.risk import registry
from xiaoyin.credit.risk.decide import Decision
from xiaoyin.credit.risk.decide import decide as _decide
from xiaoyin.credit.risk.policy import Policy, load_policy
from xiaoyin.credit.risk.registry import EventInfo, ModelInfo
from xiaoyin.credit.risk.store import RiskDecision

_lock = threading.Lock()
_models: OrderedDict[tuple[str, int], Any] = OrderedDict()
_policies: dict[tuple[str, int], Policy] = {}
_CACHE_SIZE = 32


# ---------------------------------------------------------------- loading and caching


def _stamp(f: Path) -> int:
    try:
        return f.stat().st_mtime_ns
    except OSError:
        raise NotFound(f"模型文件不存在：{f}") from None


def load_model(model_dir: str | Path):
    """A ScorecardModel (``model.json``) or BehaviourModel (``behaviour.json``), cached per path+version."""
    from xiaoyin.credit.risk.model import ScorecardModel
    from xiaoyin.credit.risk.triage import BEHAVIOUR_FILE, BehaviourModel

    p = Path(model_dir).resolve()
    if (p / BEHAVIOUR_FILE).is_file():
        key_file, cls = p / BEHAVIOUR_FILE, BehaviourModel
    elif (p / "model.json").is_file():
        key_file, cls = p / "model.json", ScorecardModel
    else:
        raise NotFound(f"不是模型目录：{model_dir}（缺少 model.json）")
    key = (str(p), _stamp(key_file))
    with _lock:
        m = _models.get(key)
        if m is not None:
            _models.move_to_end(key)
            return m
    m = cls.load(p)
    with _lock:
        _models[key] = m
        while len(_models) > _CACHE_SIZE:
            _models.popitem(last=False)
    return m


def get_policy(policy_path: str | Path | None = None) -> Policy:
    """The compiled policy at ``policy_path`` (default bundled policy), recompiled when the file changes."""
    from xiaoyin.credit.risk.policy import DEFAULT_POLICY

    p = Path(policy_path).resolve() if policy_path else DEFAULT_POLICY
    key = (str(p), _stamp(p) if p.exists() else 0)
    with _lock:
        pol = _policies.get(key)
    if pol is None:
        pol = load_policy(p)
        with _lock:
            _policies[key] = pol
    return pol


def clear_caches() -> None:
    with _lock:
        _models.clear()
        _policies.clear()


def _resolve(model: str | Path, application: Mapping[str, Any] | None = None,
             registered_only: bool = False) -> tuple[Any, str]:
    """(model, name) for a MODEL_DIR or registered name, routed to the application's segment model.

    ``registered_only`` (the REST API) accepts registered model names only, never a path.
    """
    p = Path(model)
    if not registered_only and p.is_dir():
        m = load_model(p)
        segs = (getattr(m, "meta", None) or {}).get("segments") or {}
        if application is not None and segs.get("column"):
            value = application.get(segs["column"])
            rel = (segs.get("dirs") or {}).get(str(value)) if value is not None else None
            if rel and (p / rel / "model.json").is_file():
                return load_model(p / rel), m.name
        return m, m.name
    name = registry.check_name(str(model))
    champ = registry.champion(name)
    if champ is None:
        raise NotFound(f"模型不存在：{model}（既不是模型目录，也不是已登记且有冠军版本的模型名）")
    m = load_model(champ.path)
    segs = (getattr(m, "meta", None) or {}).get("segments") or {}
    if application is not None and segs.get("column"):
        value = application.get(segs["column"])
        if value is not None:
            seg_champ = registry.champion(name, str(value))
            if seg_champ is not None:
                return load_model(seg_champ.path), name
    return m, name


# ---------------------------------------------------------------- training


def train_model(data_path: str | Path, target: str, out_dir: str | Path, id_col: str | None = None,
                exclude: Sequence[str] = (), segment: str | None = None,
                config: Mapping[str, Any] | Any = None) -> dict[str, Any]:
    """Train a scorecard + challenger into ``out_dir``; returns the report (with ``out_dir``)."""
    from xiaoyin.credit.risk.train import TrainConfig, train

    if isinstance(config, Mapping):
        known = {f.name for f in dataclasses.fields(TrainConfig)}
        unknown = set(config) - known
        if unknown:
            raise InvalidInput(f"未知的训练参数：{', '.join(sorted(unknown))}")
        config = TrainConfig(**config)
    res = train(Path(data_path), target, out_dir=Path(out_dir), id_col=id_col, exclude=tuple(exclude),
                segment=segment, config=config)
    return {**res.report, "out_dir": str(res.out_dir)}


def train_early_warning(data_path: str | Path, target: str, out_dir: str | Path, id_col: str | None = None,
                        exclude: Sequence[str] = (), kinds: Sequence[str] = ("scorecard", "lgbm"),
                        budget: float = 0.4) -> dict[str, Any]:
    """Train the post-loan behavioural model; returns its holdout comparison and choice."""
    from xiaoyin.credit.risk.triage import train_behaviour

    m = train_behaviour(Path(data_path), target, out_dir=Path(out_dir), id_col=id_col, exclude=exclude,
                        kinds=kinds, budget=budget)
    return {"out_dir": str(out_dir), "version": m.version, "kind": m.kind, **to_jsonable(m.metrics)}


# ---------------------------------------------------------------- decisions


class DecisionResult(BaseModel):
    """A decision as the faces report it: the :class:`Decision` plus its outcome in Chinese."""

    outcome: str = Field(description="approve | refer | reject")
    score: float
    pd: float = Field(description="probability of default")
    suggested_limit: float | None
    price_band: str | None
    interest_rate: float | None
    reasons: list[dict[str, Any]] = Field(description="reason codes, policy rules first")
    rules_fired: list[dict[str, Any]]
    model_name: str
    model_version: str
    policy: str
    latency_ms: float
    challenger_pd: float | None = None
    segment: str = ""
    id: str | None = Field(None, description="the stored decision (GET /api/risk/decisions/{id})")
    extra: dict[str, Any] = Field(default_factory=dict)
    outcome_zh: str

    @classmethod
    def of(cls, d: Decision) -> DecisionResult:
        return cls.model_validate(to_jsonable(d.to_dict()))


class StoredDecision(BaseModel):
    """A stored decision with the inputs it saw, its model version, reasons and rules."""

    id: str
    model_name: str
    model_version: str
    segment: str
    policy: str
    inputs: dict[str, Any]
    outcome: str
    score: float
    pd: float
    suggested_limit: float | None
    price_band: str | None
    interest_rate: float | None
    reasons: list[dict[str, Any]]
    rules_fired: list[dict[str, Any]]
    latency_ms: float
    user: str | None
    created_at: datetime


def decide(model_dir_or_registered_name: str | Path, application: Mapping[str, Any], user: str | None = None,
           policy_path: str | Path | None = None, *, registered_only: bool = False,
           principal: Principal | None = None) -> Decision:
    """Decide on one application and store the decision (id in ``Decision.id``).

    ``principal``: the credit officer (needs ``credit.decide``); the decision is stored under their
    name and audited in the same transaction. None: the platform (batch scoring, benchmarks)."""
    user = acting_user(principal, Permission.CREDIT_DECIDE, user)
    if not isinstance(application, Mapping):
        raise InvalidInput("申请数据必须是 JSON 对象（字段: 值）")
    model, name = _resolve(model_dir_or_registered_name, application, registered_only)
    if not hasattr(model, "score_one"):
        raise InvalidInput("该模型是贷后预警模型，不能用于审批决策")
    policy = get_policy(policy_path)
    d = _decide(model, application, policy)
    d.model_name = name
    d.id = str(uuid.uuid4())
    with session_scope() as s:
        s.add(RiskDecision(
            id=d.id, model_name=name, model_version=d.model_version, segment=d.segment, policy=d.policy,
            inputs=to_jsonable(dict(application)), outcome=d.outcome, score=d.score, pd=d.pd,
            suggested_limit=d.suggested_limit, price_band=d.price_band, interest_rate=d.interest_rate,
            reasons=to_jsonable(d.reasons), rules_fired=to_jsonable(d.rules_fired), latency_ms=d.latency_ms,
            user=user, created_at=utcnow(),
        ))
        if principal is not None:
            audit.record(principal, "risk.decide", target=d.id, session=s, details={
                "model": name, "version": d.model_version, "outcome": d.outcome, "score": d.score,
                "reasons": to_jsonable(d.reasons)[:5], "rules_fired": to_jsonable(d.rules_fired)})
    return d


def _stored(r: RiskDecision) -> StoredDecision:
    return StoredDecision(id=r.id, model_name=r.model_name, model_version=r.model_version, segment=r.segment,
                          policy=r.policy, inputs=r.inputs, outcome=r.outcome, score=r.score, pd=r.pd,
                          suggested_limit=r.suggested_limit, price_band=r.price_band,
                          interest_rate=r.interest_rate, reasons=r.reasons, rules_fired=r.rules_fired,
                          latency_ms=r.latency_ms, user=r.user, created_at=r.created_at)


def get_decision(decision_id: str) -> StoredDecision:
    """A stored decision with its inputs, model version, reasons and rules."""
    with session_scope() as s:
        r = s.get(RiskDecision, str(decision_id))
        if r is None:
            raise NotFound(f"决策记录不存在：{decision_id}")
        return _stored(r)


def list_decisions(model_name: str | None = None, limit: int = 50) -> list[StoredDecision]:
    """The newest stored decisions, optionally of one model name."""
    from sqlalchemy import select

    with session_scope() as s:
        q = select(RiskDecision)
        if model_name:
            q = q.where(RiskDecision.model_name == model_name)
        rows = s.scalars(q.order_by(RiskDecision.created_at.desc()).limit(max(1, min(int(limit), 1000))))
        return [_stored(r) for r in rows]


def score_batch(model_dir: str | Path, data_path: str | Path, out_path: str | Path) -> dict[str, Any]:
    """Score every row of a CSV/Excel file; writes the input columns plus score, pd, challenger_pd."""
    from xiaoyin.credit.risk.data import load_table

    model, _ = _resolve(model_dir)
    df = load_table(Path(data_path))
    t0 = time.perf_counter()
    scored = model.score_frame(df)
    seconds = time.perf_counter() - t0
    out = df.copy()
    for c in scored.columns:
        out[c] = scored[c].to_numpy()
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(out_path, index=False, encoding="utf-8")
    return {"rows": len(df), "out_path": str(out_path), "model_version": model.version,
            "seconds": round(seconds, 4), "rows_per_s": round(len(df) / seconds, 1) if seconds > 0 else None}


# ---------------------------------------------------------------- registry


def register_model(model_dir: str | Path, name: str, user: str | None = None, note: str = "",
                   promote: bool | None = None, *, principal: Principal | None = None) -> list[ModelInfo]:
    """Register a MODEL_DIR (and its segment models) under ``name``; first version becomes champion.
    With ``principal`` (needs ``risk.manage``) the change is audited."""
    user = acting_user(principal, Permission.RISK_MANAGE, user)
    out = registry.register(model_dir, name, user=user, note=note, promote=promote)
    if principal is not None:
        audit.record(principal, "risk.register", target=name,
                     details={"versions": to_jsonable([m.model_dump(mode="json") for m in out]), "note": note})
    return out


def list_models(name: str | None = None, segment: str | None = None) -> list[ModelInfo]:
    return registry.list_models(name, segment)


def promote(name: str, version: str, user: str | None = None, segment: str | None = None,
            note: str = "", *, principal: Principal | None = None) -> ModelInfo:
    """Make ``version`` the champion (audited with ``principal``, who needs ``risk.manage``)."""
    user = acting_user(principal, Permission.RISK_MANAGE, user)
    out = registry.promote(name, version, user, segment=segment, note=note)
    if principal is not None:
        audit.record(principal, "risk.promote", target=name,
                     details={"version": version, "segment": segment, "note": note})
    return out


def rollback(name: str, user: str | None = None, segment: str = "", note: str = "", *,
             principal: Principal | None = None) -> ModelInfo:
    """Put the previous champion back (audited with ``principal``, who needs ``risk.manage``)."""
    user = acting_user(principal, Permission.RISK_MANAGE, user)
    out = registry.rollback(name, user, segment=segment, note=note)
    if principal is not None:
        audit.record(principal, "risk.rollback", target=name, details={"segment": segment, "note": note,
                                                                        "champion": to_jsonable(out.model_dump(mode="json"))})
    return out


def model_events(name: str) -> list[EventInfo]:
    return registry.events(name)


# ---------------------------------------------------------------- monitoring and early warning


def monitor(model_dir: str | Path, data_path: str | Path, out_html: str | Path | None = None, *,
            baseline_path: str | Path | None = None, time_col: str | None = None, target: str | None = None,
            thresholds: Mapping[str, float] | None = None) -> dict[str, Any]:
    """PSI/CSI against the baseline, KS/AUC by window when ``target`` is given; optional HTML report."""
    from xiaoyin.credit.risk.data import load_table
    from xiaoyin.credit.risk.monitor import Thresholds, write_html
    from xiaoyin.credit.risk.monitor import monitor as _monitor

    model, _ = _resolve(model_dir)
    if not hasattr(model, "bin_labels"):
        raise InvalidInput("监控需要评分卡模型目录（含 model.json）")
    th = Thresholds()
    if thresholds:
        unknown = set(thresholds) - {f.name for f in dataclasses.fields(Thresholds)}
        if unknown:
            raise InvalidInput(f"未知的告警阈值：{', '.join(sorted(unknown))}")
        th = dataclasses.replace(th, **thresholds)
    df = load_table(Path(data_path))
    base = load_table(Path(baseline_path)) if baseline_path else None
    rep = _monitor(model, df, baseline_df=base, time_col=time_col, target=target, thresholds=th)
    out = rep.to_dict()
    if out_html:
        out["html"] = str(write_html(rep, out_html))
    return out


def triage(model_dir: str | Path, data_path: str | Path, budget: float = 0.4, out_path: str | Path | None = None,
           *, target: str | None = None, id_col: str | None = None, catch_rate: float = 0.9) -> dict[str, Any]:
    """Rank the active book riskiest first; with ``target`` report the capture curve and checks cut."""
    from xiaoyin.credit.risk.data import load_table
    from xiaoyin.credit.risk.triage import triage as _triage

    model, _ = _resolve(model_dir)
    df = load_table(Path(data_path))
    rep = _triage(model, df, budget=budget, target=target, id_col=id_col, catch_rate=catch_rate)
    out = to_jsonable(rep.to_dict())
    if out_path:
        out_path = Path(out_path)
        out_path.parent.mkdir(parents=True, exist_ok=True)
        rep.ranked.to_csv(out_path, index=False, encoding="utf-8")
        out["out_path"] = str(out_path)
    return out


def to_json(obj: Any) -> str:
    """JSON text of a service result (Decision, a model or a dict), Chinese kept readable."""
    if isinstance(obj, Decision):
        obj = obj.to_dict()
    elif isinstance(obj, BaseModel):
        obj = obj.model_dump(mode="json")
    return json.dumps(to_jsonable(obj), ensure_ascii=False, indent=1)
