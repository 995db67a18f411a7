"""One credit decision: knock-out rules, the scorecard, cut-offs, post-score rules, limit and price.

Precedence: any ``reject`` (rule or cut-off) wins; otherwise any ``refer`` rule sends the case to
a person; otherwise the cut-off decides, and an ``approve`` rule may lift a cut-off ``refer``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from xiaoyin.credit.risk.policy import Policy, is_missing

if TYPE_CHECKING:
    from xiaoyin.credit.risk.model import ScorecardModel

OUTCOME_ZH = {"approve": "通过", "reject": "拒绝", "refer": "转人工审核"}


@dataclass
class Decision:
    """The answer for one application; ``reasons`` are Chinese reason codes, rules first."""

    outcome: str
    score: float
    pd: float
    suggested_limit: float | None
    price_band: str | None
    interest_rate: float | None
    reasons: list[dict[str, Any]]
    rules_fired: list[dict[str, str]]
    model_name: str
    model_version: str
    policy: str
    latency_ms: float
    challenger_pd: float | None = None
    segment: str = ""
    id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def outcome_zh(self) -> str:
        return OUTCOME_ZH[self.outcome]

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["outcome_zh"] = self.outcome_zh
        return d


def _clean(application: Mapping[str, Any]) -> dict[str, Any]:
    """A plain dict with NaN/blank values as None (never mutates the caller's mapping)."""
    return {str(k): (None if is_missing(v) else v) for k, v in application.items()}


def decide(model: ScorecardModel, application: Mapping[str, Any], policy: Policy, top_reasons: int = 3) -> Decision:
    """Decide on ``application`` with ``model`` under the precompiled ``policy``."""
    t0 = time.perf_counter()
    if not isinstance(application, Mapping):
        from xiaoyin.core.errors import InvalidInput

        raise InvalidInput("申请数据必须是 JSON 对象（字段: 值）")
    app = _clean(application)
    pre = policy.evaluate("pre_score", app)
    res = model.score_one(app, top_reasons=top_reasons)
    score, pd = float(res.score), float(res.pd)
    post = policy.evaluate("post_score", {**app, "score": score, "pd": pd})
    fired = pre + post
    actions = {f.action for f in fired}
    cut = policy.cutoff(score)
    if "reject" in actions or cut == "reject":
        outcome = "reject"
    elif "refer" in actions:
        outcome = "refer"
    elif cut == "refer" and "approve" in actions:
        outcome = "approve"
    else:
        outcome = cut

    rank = {"reject": 0, "refer": 1, "approve": 2}
    ranked: list[tuple[int, dict[str, Any]]] = [
        (rank[f.action], {"source": "rule", "code": f.id, "text": f.reason, "action": f.action}) for f in fired]
    if cut != "approve" and "reject" not in actions:
        c = policy.spec.cutoffs
        text = (f"信用评分{score:.0f}分，低于拒绝线{c.reject_below:g}分" if cut == "reject"
                else f"信用评分{score:.0f}分，处于人工审核区间（{c.reject_below:g}～{c.approve_from:g}分）")
        ranked.append((rank[cut], {"source": "cutoff", "code": f"CUTOFF_{cut.upper()}", "text": text,
                                   "action": cut}))
    reasons = [r for _, r in sorted(ranked, key=lambda t: t[0])]
    for r in res.reasons[:top_reasons]:
        reasons.append({"source": "model", "code": r.feature, "text": r.text,
                        "points_lost": round(float(r.points_lost), 2), "bin": r.bin})

    limit = band_name = rate = None
    if outcome != "reject":
        band = policy.band(score)
        band_name, rate = band.name, policy.rate(band)
        limit = policy.limit(band, app)
    return Decision(
        outcome=outcome, score=round(score, 2), pd=round(pd, 6), suggested_limit=limit, price_band=band_name,
        interest_rate=rate, reasons=reasons, rules_fired=[f.to_dict() for f in fired],
        model_name=model.name, model_version=model.version, policy=f"{policy.name}@{policy.version}",
        latency_ms=round((time.perf_counter() - t0) * 1000, 3),
        challenger_pd=None if res.challenger_pd is None else round(float(res.challenger_pd), 6),
        segment=_segment_value(model),
    )


def _segment_value(model: ScorecardModel) -> str:
    seg = (model.meta or {}).get("segment")
    return str(seg.get("value", "")) if isinstance(seg, dict) else ""
