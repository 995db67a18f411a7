"""A trained scorecard (plus optional LightGBM challenger): load/save and fast scoring with reason codes.

Scoring uses plain Python/numpy lookups over the precomputed bin table in ``model.json``; optbinning is
never called here. Missing values, unseen categories and text in numeric columns fall into each
feature's Missing/Special bins and never raise.
"""

from __future__ import annotations

import hashlib
import json
import math
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from xiaoyin.core.errors import InvalidInput, NotFound
from xiaoyin.credit.risk.binning import FeatureBins
from xiaoyin.credit.risk.challenger import encode_matrix
from xiaoyin.credit.risk.data import SEQ_OPS_ZH, add_derived, derived_record

MODEL_FILE = "model.json"
CHALLENGER_FILE = "challenger.txt"

# Chinese labels for the columns of the bundled data sets (German, Taiwan, Give Me Some Credit).
FEATURE_LABELS_ZH: dict[str, str] = {
    "status_of_existing_checking_account": "支票账户状态",
    "duration_in_month": "贷款期限",
    "credit_history": "信用历史",
    "purpose": "贷款用途",
    "credit_amount": "贷款金额",
    "savings_account_and_bonds": "储蓄账户及债券",
    "present_employment_since": "现职工作年限",
    "installment_rate_in_percentage_of_disposable_income": "月供占可支配收入比例",
    "personal_status_and_sex": "婚姻状况与性别",
    "other_debtors_or_guarantors": "其他债务人或担保人",
    "present_residence_since": "现住址居住年限",
    "property": "财产状况",
    "age_in_years": "年龄",
    "other_installment_plans": "其他分期计划",
    "housing": "住房情况",
    "number_of_existing_credits_at_this_bank": "本行现有贷款笔数",
    "job": "职业",
    "number_of_people_being_liable_to_provide_maintenance_for": "供养人数",
    "telephone": "电话登记",
    "foreign_worker": "外籍劳工",
    "limit_bal": "授信额度",
    "sex": "性别",
    "education": "教育程度",
    "marriage": "婚姻状况",
    "age": "年龄",
    "pay": "还款状态",
    "pay_amt": "还款金额",
    "bill_amt": "账单金额",
    "pay_0": "最近一期还款状态",
    "pay_1": "最近一期还款状态",
    **{f"pay_{i}": f"前第{i}期还款状态" for i in range(2, 7)},
    **{f"bill_amt{i}": f"前第{i}期账单金额" for i in range(1, 7)},
    **{f"pay_amt{i}": f"前第{i}期还款金额" for i in range(1, 7)},
    "revolvingutilizationofunsecuredlines": "循环额度使用率",
    "numberoftime30_59dayspastduenotworse": "30-59天逾期次数",
    "debtratio": "负债比率",
    "monthlyincome": "月收入",
    "numberofopencreditlinesandloans": "未结清授信及贷款数",
    "numberoftimes90dayslate": "90天以上逾期次数",
    "numberrealestateloansorlines": "房地产贷款笔数",
    "numberoftime60_89dayspastduenotworse": "60-89天逾期次数",
    "numberofdependents": "家属人数",
}


def feature_label_zh(name: str) -> str:
    """Chinese label of a known column (``duration.in.month`` and ``duration_in_month`` alike), else the name."""
    key = name.strip().lower().replace(".", "_").replace("-", "_").replace(" ", "_")
    if key not in FEATURE_LABELS_ZH and "_seq_" in key:  # derived sequence aggregate, e.g. pay_amt_seq_mean
        stem, op = name.rsplit("_seq_", 1)
        if op in SEQ_OPS_ZH:
            return f"{feature_label_zh(stem)}{SEQ_OPS_ZH[op]}"
    return FEATURE_LABELS_ZH.get(key, name)


@dataclass
class Reason:
    """One adverse reason: the points lost against the feature's best bin."""

    feature: str
    points_lost: float
    value: Any
    bin: str
    text: str


@dataclass
class ScoreResult:
    """Score of one application: total points, PD, per-feature points and bins, top reasons."""

    score: float
    pd: float
    points: dict[str, float]
    bins: dict[str, str]
    reasons: list[Reason]
    challenger_pd: float | None = None


def _is_missing(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, float):
        return not math.isfinite(v)
    if isinstance(v, str):
        return v.strip() == ""
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _fmt_value(v: Any) -> str:
    if _is_missing(v):
        return "缺失"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


@dataclass
class _Fast:
    name: str
    numeric: bool
    edges: list[float]
    cats: dict[str, int]
    specials: frozenset
    miss: int
    spec: int
    points: list[float]
    logit: list[float]
    labels: list[str]
    best: float
    label_zh: str


@dataclass
class ScorecardModel:
    """A WOE logistic scorecard with points, optional LightGBM challenger, and its metadata."""

    name: str
    target: str
    target_mapping: dict
    features: list[str]
    bins: dict[str, FeatureBins]
    coefs: dict[str, float]
    intercept: float
    scaling: dict[str, float]
    points: dict[str, list[float]]
    meta: dict = field(default_factory=dict)
    challenger: Any = None  # lightgbm.Booster
    challenger_spec: dict | None = None  # {"features": [...], "categorical": {col: [categories]}}
    version: str = ""
    derived: list[dict] = field(default_factory=list)  # data.sequence_specs computed from raw columns

    def __post_init__(self) -> None:
        self._fast = [
            _Fast(name=f, numeric=b.kind == "numeric", edges=list(b.edges), cats=dict(b.categories),
                  specials=frozenset(b.special_codes), miss=b.missing_idx, spec=b.special_idx,
                  points=list(self.points[f]), logit=[self.coefs[f] * w for w in b.woe], labels=list(b.labels),
                  best=max(self.points[f]), label_zh=feature_label_zh(f))
            for f in self.features for b in [self.bins[f]]
        ]
        self._ch_cat: dict[str, dict[str, int]] = {}
        if self.challenger_spec:
            self._ch_cat = {c: {str(v): i for i, v in enumerate(cats)}
                            for c, cats in self.challenger_spec.get("categorical", {}).items()}

    # ---- scoring -------------------------------------------------------------------------------
    @staticmethod
    def _index(fs: _Fast, v: Any) -> int:
        if _is_missing(v):
            return fs.miss
        if fs.numeric:
            if isinstance(v, bool):
                x = float(v)
            elif isinstance(v, int | float | np.number):
                x = float(v)
            else:
                try:
                    x = float(str(v).strip())
                except ValueError:
                    return fs.spec
                if not math.isfinite(x):
                    return fs.miss if math.isinf(x) else fs.spec
            if fs.specials and x in fs.specials:
                return fs.spec
            return bisect_right(fs.edges, x)
        return fs.cats.get(str(v).strip(), fs.spec)

    def with_derived(self, df: pd.DataFrame) -> pd.DataFrame:
        """``df`` plus the model's derived columns (computed from the raw columns; no-op without any)."""
        return add_derived(df, self.derived) if self.derived else df

    def score_one(self, record: Mapping[str, Any], top_reasons: int = 3, *, challenger: bool = True) -> ScoreResult:
        """Score one application (a mapping column -> value); never raises for missing/unseen values."""
        if self.derived:
            record = derived_record(record, self.derived)
        total = 0.0
        logit = self.intercept
        pts: dict[str, float] = {}
        bins: dict[str, str] = {}
        lost: list[tuple[float, _Fast, int, Any]] = []
        for fs in self._fast:
            v = record.get(fs.name)
            i = self._index(fs, v)
            p = fs.points[i]
            total += p
            logit += fs.logit[i]
            pts[fs.name] = p
            bins[fs.name] = fs.labels[i]
            if fs.best - p > 1e-9:
                lost.append((fs.best - p, fs, i, v))
        lost.sort(key=lambda t: -t[0])
        reasons = []
        for amount, fs, i, v in lost[:top_reasons]:
            shown = _fmt_value(v)
            if i == fs.spec and not _is_missing(v):
                shown += "，未见过的取值"
            reasons.append(Reason(feature=fs.name, points_lost=round(amount, 2), value=v, bin=fs.labels[i],
                                  text=f"{fs.label_zh}（{shown}）拉低评分 {amount:.1f} 分"))
        ch = self._challenger_one(record) if challenger and self.challenger is not None else None
        return ScoreResult(score=round(total, 2), pd=1.0 / (1.0 + math.exp(-logit)), points=pts, bins=bins,
                           reasons=reasons, challenger_pd=ch)

    def _challenger_one(self, record: Mapping[str, Any]) -> float:
        row = np.empty((1, len(self.challenger_spec["features"])), dtype=float)
        for j, c in enumerate(self.challenger_spec["features"]):
            v = record.get(c)
            if c in self._ch_cat:
                row[0, j] = np.nan if _is_missing(v) else self._ch_cat[c].get(str(v).strip(), np.nan)
            else:
                try:
                    x = float(v) if not _is_missing(v) else np.nan
                except (TypeError, ValueError):
                    x = np.nan
                row[0, j] = x if math.isfinite(x) else np.nan
        return float(self.challenger.predict(row, num_threads=1)[0])

    def _indices(self, df: pd.DataFrame) -> dict[str, np.ndarray]:
        df = self.with_derived(df)
        n = len(df)
        return {f: self.bins[f].indices(df[f]) if f in df.columns
                else np.full(n, self.bins[f].missing_idx, dtype=np.int64) for f in self.features}

    def challenger_matrix(self, df: pd.DataFrame) -> np.ndarray:
        """The challenger's numeric input matrix (categories as codes; unseen -> NaN)."""
        return encode_matrix(self.with_derived(df), self.challenger_spec or {"features": [], "categorical": {}},
                             self._ch_cat)

    def score_frame(self, df: pd.DataFrame) -> pd.DataFrame:
        """Vectorised scores: columns ``score``, ``pd``, ``challenger_pd`` (NaN without a challenger)."""
        df = self.with_derived(df)
        n = len(df)
        total = np.zeros(n)
        logit = np.full(n, self.intercept)
        for fs, idx in zip(self._fast, self._indices(df).values(), strict=True):
            total += np.asarray(fs.points)[idx]
            logit += np.asarray(fs.logit)[idx]
        ch = (self.challenger.predict(self.challenger_matrix(df), num_threads=1)
              if self.challenger is not None and n else np.full(n, np.nan))
        return pd.DataFrame({"score": np.round(total, 2), "pd": 1.0 / (1.0 + np.exp(-logit)),
                             "challenger_pd": ch}, index=df.index)

    def bin_labels(self, df: pd.DataFrame) -> pd.DataFrame:
        """Per selected feature, the label of the bin each row falls in (for CSI)."""
        return pd.DataFrame({f: np.asarray(self.bins[f].labels, dtype=object)[idx]
                             for f, idx in self._indices(df).items()}, index=df.index)

    # ---- persistence ---------------------------------------------------------------------------
    def _payload(self) -> dict[str, Any]:
        return {
            "format": 1, "name": self.name, "target": self.target, "target_mapping": self.target_mapping,
            "features": self.features, "intercept": self.intercept, "scaling": self.scaling,
            "bins": {f: {**self.bins[f].to_dict(), "coef": self.coefs[f], "points": self.points[f]}
                     for f in self.features},
            "challenger": ({**self.challenger_spec, "file": CHALLENGER_FILE} if self.challenger is not None
                           else None),
            "meta": self.meta, "derived": self.derived,
        }

    def save(self, path: Path) -> None:
        """Write ``model.json`` (+ ``challenger.txt``) into directory ``path``; sets ``version``."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        payload = self._payload()
        body = json.dumps(payload, ensure_ascii=False, sort_keys=True, default=_json_default)
        ch_text = self.challenger.model_to_string(num_iteration=-1) if self.challenger is not None else ""
        self.version = hashlib.sha256((body + ch_text).encode("utf-8")).hexdigest()[:12]
        if ch_text:
            (path / CHALLENGER_FILE).write_text(ch_text, encoding="utf-8")
        payload["version"] = self.version
        (path / MODEL_FILE).write_text(json.dumps(payload, ensure_ascii=False, indent=1, default=_json_default),
                                       encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> ScorecardModel:
        """Load a model directory written by :meth:`save` (or by ``train``)."""
        path = Path(path)
        mf = path / MODEL_FILE if path.is_dir() else path
        if not mf.exists():
            raise NotFound(f"模型文件不存在 / no model at {path}")
        try:
            d = json.loads(mf.read_text(encoding="utf-8"))
            bins = {f: FeatureBins.from_dict({k: v for k, v in b.items() if k not in ("coef", "points")})
                    for f, b in d["bins"].items()}
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise InvalidInput(f"模型文件损坏 / corrupt model file {mf}: {exc}") from exc
        booster, spec = None, None
        if d.get("challenger"):
            cf = mf.parent / d["challenger"].get("file", CHALLENGER_FILE)
            if cf.exists():
                import lightgbm as lgb

                booster = lgb.Booster(model_str=cf.read_text(encoding="utf-8"))
                spec = {k: v for k, v in d["challenger"].items() if k != "file"}
        return cls(name=d["name"], target=d["target"], target_mapping=d["target_mapping"], features=d["features"],
                   bins=bins, coefs={f: b["coef"] for f, b in d["bins"].items()}, intercept=d["intercept"],
                   scaling=d["scaling"], points={f: b["points"] for f, b in d["bins"].items()},
                   meta=d.get("meta", {}), challenger=booster, challenger_spec=spec, version=d.get("version", ""),
                   derived=d.get("derived") or [])


def _json_default(o: Any) -> Any:
    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.floating):
        return float(o)
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, Path):
        return str(o)
    raise TypeError(f"not JSON serialisable: {type(o)}")
