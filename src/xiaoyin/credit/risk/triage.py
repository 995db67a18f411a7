"""Post-loan early warning: a behavioural model ranks the active book so reviewers check the riskiest first.

``train_behaviour`` fits a scorecard (``train.train``) and a LightGBM model on repayment history plus
derived features (max delay, months overdue, utilisation and its trend, payment ratio), compares
them on a stratified holdout and keeps the one that ranks better. ``triage`` ranks a book and, when
outcomes are known, reports the capture curve: for each review budget the share of bads caught.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import shutil
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from xiaoyin.core.errors import InvalidInput, NotFound
from xiaoyin.credit.risk import metrics

BEHAVIOUR_FILE = "behaviour.json"
LGBM_FILE = "lgbm.txt"
BUDGETS = tuple(round(0.1 * i, 1) for i in range(1, 11))
LGBM_PARAMS = {"objective": "binary", "learning_rate": 0.03, "num_leaves": 15, "min_data_in_leaf": 80,
               "feature_fraction": 0.8, "bagging_fraction": 0.8, "bagging_freq": 1, "lambda_l2": 5.0,
               "num_threads": 1, "verbosity": -1, "seed": 42, "deterministic": True}
LGBM_ROUNDS = 400

# Lending Club loan_status -> bad (1) / good (0); any other status is excluded.
LC_BAD = {"charged off", "default", "late (31-120 days)", "late (16-30 days)",
          "does not meet the credit policy. status:charged off"}
LC_GOOD = {"current", "fully paid", "does not meet the credit policy. status:fully paid"}

_PAY = re.compile(r"^pay_(\d+)$", re.I)
_BILL = re.compile(r"^bill_amt(\d+)$", re.I)
_PAYAMT = re.compile(r"^pay_amt(\d+)$", re.I)


# ---------------------------------------------------------------- features


def _cols(df: pd.DataFrame, pat: re.Pattern) -> list[str]:
    """Matching columns ordered most recent first (PAY_0/PAY_1 before PAY_2 ...)."""
    found = [(int(m.group(1)), c) for c in df.columns if (m := pat.match(str(c)))]
    return [c for _, c in sorted(found)]


def _num(df: pd.DataFrame, cols: list[str]) -> np.ndarray:
    return np.column_stack([pd.to_numeric(df[c], errors="coerce").to_numpy(dtype=float) for c in cols])


def behaviour_features(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` plus derived repayment features where the monthly columns exist (Taiwan layout)."""
    out = df.copy()
    pay, bill, paid = _cols(df, _PAY), _cols(df, _BILL), _cols(df, _PAYAMT)
    limit_col = next((c for c in df.columns if str(c).lower() in ("limit_bal", "credit_limit", "limit")), None)
    with np.errstate(divide="ignore", invalid="ignore"):
        if pay:
            p = _num(df, pay)
            out["max_delay"] = np.nanmax(np.where(np.isnan(p), -np.inf, p), axis=1)
            out["months_overdue"] = (p > 0).sum(axis=1)
            out["recent_overdue_3m"] = (p[:, :3] > 0).sum(axis=1)
            out["delay_trend"] = p[:, 0] - np.nanmean(p, axis=1)
        if bill:
            b = _num(df, bill)
            if limit_col is not None:
                lim = pd.to_numeric(df[limit_col], errors="coerce").to_numpy(dtype=float)
                lim = np.where(lim > 0, lim, np.nan)
                out["util_latest"] = b[:, 0] / lim
                out["util_mean"] = np.nanmean(b, axis=1) / lim
                out["util_trend"] = (b[:, 0] - b[:, -1]) / lim
            out["bill_growth"] = (b[:, 0] - b[:, -1]) / (np.abs(b[:, -1]) + 1.0)
        if paid and bill:
            a = _num(df, paid)
            n = min(a.shape[1], b.shape[1]) - 1
            if n >= 1:
                # the payment in month i settles the bill of month i+1 (one month earlier)
                due = np.clip(b[:, 1:n + 1], 0, None).sum(axis=1)
                out["pay_ratio"] = np.clip(a[:, :n].sum(axis=1) / np.where(due > 0, due, np.nan), 0, 5)
                out["pay_ratio_recent"] = np.clip(a[:, 0] / np.where(b[:, 1] > 0, b[:, 1], np.nan), 0, 5)
            out["months_no_payment"] = (a == 0).sum(axis=1)
    for c in out.columns.difference(df.columns):
        out[c] = out[c].replace([np.inf, -np.inf], np.nan)
    return out


def lending_club_target(status: pd.Series) -> pd.Series:
    """Map Lending Club ``loan_status`` to 1 (Charged Off/Late/Default), 0 (Current/Fully Paid), NaN (other)."""
    s = status.astype(str).str.strip().str.lower()
    return pd.Series(np.where(s.isin(LC_BAD), 1.0, np.where(s.isin(LC_GOOD), 0.0, np.nan)), index=status.index)


def prepare_lending_club(df: pd.DataFrame, target: str = "loan_status") -> pd.DataFrame:
    """Rows with a usable status only, ``target`` replaced by 0/1 (Grace Period etc. are excluded)."""
    if target not in df.columns:
        raise InvalidInput(f"数据缺少贷款状态列 {target} / column '{target}' not found")
    y = lending_club_target(df[target])
    out = df.loc[y.notna()].copy()
    out[target] = y[y.notna()].astype(int)
    return out


# ---------------------------------------------------------------- capture curve


def capture_curve(y: Sequence[float], risk: Sequence[float], budgets: Sequence[float] = BUDGETS
                  ) -> list[dict[str, float]]:
    """For each review share, the share of bads caught by reviewing the riskiest that share of the book."""
    y = np.asarray(y, dtype=float)
    r = np.asarray(risk, dtype=float)
    keep = np.isfinite(y)
    y, r = y[keep], np.nan_to_num(r[keep], nan=-np.inf)
    n, bads = len(y), y.sum()
    if n == 0 or bads == 0:
        return []
    cum = np.cumsum(y[np.argsort(-r, kind="mergesort")])
    out = []
    for b in budgets:
        k = int(math.ceil(b * n - 1e-9))
        caught = cum[k - 1] if k > 0 else 0.0
        out.append({"budget": float(b), "reviewed": k, "capture": float(caught / bads),
                    "precision": float(caught / k) if k else 0.0, "lift": float(caught / bads / b) if b else 0.0})
    return out


def review_share_for(y: Sequence[float], risk: Sequence[float], catch_rate: float) -> float:
    """The smallest share of the book to review (riskiest first) that catches ``catch_rate`` of the bads."""
    y = np.asarray(y, dtype=float)
    r = np.asarray(risk, dtype=float)
    keep = np.isfinite(y)
    y, r = y[keep], np.nan_to_num(r[keep], nan=-np.inf)
    if not len(y) or y.sum() == 0:
        return float("nan")
    cum = np.cumsum(y[np.argsort(-r, kind="mergesort")]) / y.sum()
    return float((np.searchsorted(cum, catch_rate - 1e-12) + 1) / len(y))


# ---------------------------------------------------------------- behavioural model


@dataclass
class BehaviourModel:
    """A ranked early-warning model: a scorecard or a LightGBM booster over derived features."""

    kind: str  # scorecard | lgbm
    name: str
    target: str
    target_mapping: dict
    features: list[str]
    categorical: dict[str, list[str]] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    version: str = ""
    scorecard: Any = None  # ScorecardModel
    booster: Any = None  # lightgbm.Booster

    def _matrix(self, df: pd.DataFrame) -> np.ndarray:
        cols = []
        for c in self.features:
            if c not in df.columns:
                cols.append(np.full(len(df), np.nan))
            elif c in self.categorical:
                codes = {v: i for i, v in enumerate(self.categorical[c])}
                s = df[c]
                cols.append(s.astype(str).str.strip().map(codes).where(s.notna()).to_numpy(dtype=float,
                                                                                          na_value=np.nan))
            else:
                v = pd.to_numeric(df[c], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
                cols.append(np.where(np.isfinite(v), v, np.nan))
        return np.column_stack(cols) if cols else np.empty((len(df), 0))

    def score_frame(self, df: pd.DataFrame) -> pd.DataFrame:
        """Column ``pd`` (probability of going bad) per row, plus ``score`` for a scorecard."""
        feats = behaviour_features(df)
        if self.kind == "scorecard":
            return self.scorecard.score_frame(feats)[["score", "pd"]]
        return pd.DataFrame({"pd": self.booster.predict(self._matrix(feats), num_threads=1)}, index=df.index)

    def save(self, path: Path) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        body = ""
        if self.kind == "lgbm":
            body = self.booster.model_to_string(num_iteration=-1)
            (path / LGBM_FILE).write_text(body, encoding="utf-8")
        else:
            self.scorecard.save(path / "scorecard")
            body = self.scorecard.version
        meta = {k: v for k, v in asdict(self).items() if k not in ("scorecard", "booster", "version")}
        self.version = hashlib.sha256((json.dumps(meta, sort_keys=True, default=str) + body).encode()).hexdigest()[:12]
        (path / BEHAVIOUR_FILE).write_text(json.dumps({**meta, "version": self.version}, ensure_ascii=False,
                                                      indent=1, default=str), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> BehaviourModel:
        path = Path(path)
        f = path / BEHAVIOUR_FILE
        if not f.is_file():
            raise NotFound(f"不是预警模型目录（缺少 {BEHAVIOUR_FILE}）：{path}")
        d = json.loads(f.read_text(encoding="utf-8"))
        m = cls(**d)
        if m.kind == "lgbm":
            import lightgbm as lgb

            m.booster = lgb.Booster(model_str=(path / LGBM_FILE).read_text(encoding="utf-8"))
        else:
            from xiaoyin.credit.risk.model import ScorecardModel

            m.scorecard = ScorecardModel.load(path / "scorecard")
        return m


def _fit_lgbm(X: pd.DataFrame, y: np.ndarray, seed: int) -> tuple[Any, list[str], dict[str, list[str]]]:
    import lightgbm as lgb

    feats = list(X.columns)
    cats: dict[str, list[str]] = {}
    for c in feats:
        if not pd.api.types.is_numeric_dtype(X[c]) or pd.api.types.is_bool_dtype(X[c]):
            num = pd.to_numeric(X[c], errors="coerce")
            if num.notna().sum() >= 0.95 * X[c].notna().sum():
                continue
            vc = X[c].dropna().astype(str).str.strip().value_counts()
            cats[c] = [str(v) for v in vc.index[:200]]
    m = BehaviourModel("lgbm", "", "", {}, feats, cats)
    params = {**LGBM_PARAMS, "seed": seed}
    booster = lgb.train(params, lgb.Dataset(m._matrix(X), label=y, feature_name=[f"f{i}" for i in range(len(feats))],
                                            categorical_feature=[feats.index(c) for c in cats] or "auto",
                                            free_raw_data=True), num_boost_round=LGBM_ROUNDS)
    return booster, feats, cats


def _evaluate(y: np.ndarray, risk: np.ndarray, budget: float) -> dict[str, float]:
    curve = capture_curve(y, risk, (budget,))
    return {"auc": metrics.auc(y, risk), "ks": metrics.ks(y, risk),
            f"capture_at_{budget:g}": curve[0]["capture"] if curve else float("nan")}


def train_behaviour(
    data: pd.DataFrame | str | Path,
    target: str,
    *,
    out_dir: str | Path,
    id_col: str | None = None,
    exclude: Sequence[str] = (),
    kinds: Sequence[str] = ("scorecard", "lgbm"),
    holdout: float = 0.25,
    budget: float = 0.4,
    seed: int = 42,
    config: Any = None,
    name: str | None = None,
) -> BehaviourModel:
    """Fit the candidate ``kinds`` on a stratified split, keep the better ranker (holdout AUC), save it."""
    from sklearn.model_selection import train_test_split

    from xiaoyin.credit.risk.data import load_table, map_target

    t0 = time.perf_counter()
    df = load_table(data)
    if df.empty:
        raise InvalidInput("数据为空 / data is empty")
    if target not in df.columns:
        raise InvalidInput(f"数据缺少目标列 {target} / target column '{target}' not found")
    bad_kinds = set(kinds) - {"scorecard", "lgbm"}
    if bad_kinds or not kinds:
        raise InvalidInput(f"未知的模型类型 {sorted(bad_kinds)}（可选 scorecard, lgbm）")
    for c in [id_col, *exclude]:
        if c and c not in df.columns:
            raise InvalidInput(f"数据缺少列 {c} / column '{c}' not found")
    df = df.loc[df[target].notna()].reset_index(drop=True)
    y, mapping = map_target(df[target], target)
    feats_df = behaviour_features(df.drop(columns=[target]))
    drop = [c for c in [id_col, *exclude] if c]
    X = feats_df.drop(columns=drop)
    idx_tr, idx_te = train_test_split(np.arange(len(df)), test_size=holdout, stratify=y, random_state=seed)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    cands: dict[str, BehaviourModel] = {}
    evals: dict[str, dict[str, float]] = {}
    yte = y[idx_te]
    if "lgbm" in kinds:
        booster, feats, cats = _fit_lgbm(X.iloc[idx_tr], y[idx_tr], seed)
        m = BehaviourModel("lgbm", name or "behaviour", target, mapping, feats, cats, booster=booster)
        cands["lgbm"] = m
        evals["lgbm"] = _evaluate(yte, m.booster.predict(m._matrix(X.iloc[idx_te]), num_threads=1), budget)
    if "scorecard" in kinds:
        from xiaoyin.credit.risk.train import TrainConfig, train

        cfg = config or TrainConfig(challenger=False, cv_folds=0, seed=seed)  # holdout judges
        tr = X.iloc[idx_tr].copy()
        tr[target] = df[target].iloc[idx_tr].to_numpy()
        res = train(tr, target, out_dir=out_dir / "_scorecard_tmp", config=cfg)
        sc = res.model
        cands["scorecard"] = BehaviourModel("scorecard", name or "behaviour", target, sc.target_mapping,
                                            list(sc.features), scorecard=sc)
        evals["scorecard"] = _evaluate(yte, sc.score_frame(X.iloc[idx_te])["pd"].to_numpy(), budget)
        shutil.rmtree(out_dir / "_scorecard_tmp", ignore_errors=True)
    best = max(evals, key=lambda k: (evals[k]["auc"], k == "scorecard"))
    model = cands[best]
    model.metrics = {"chosen": best, "holdout": evals, "holdout_share": holdout, "rows": len(df),
                     "bad_rate": float(y.mean()), "budget": budget,
                     "fit_seconds": round(time.perf_counter() - t0, 2)}
    model.save(out_dir)
    return model


# ---------------------------------------------------------------- triage


@dataclass
class TriageReport:
    rows: int
    budget: float
    reviewed: int
    ranked: pd.DataFrame  # id, pd, rank, review, risk_level (riskiest first)
    capture: list[dict[str, float]] = field(default_factory=list)
    capture_at_budget: float | None = None
    catch_rate: float = 0.9
    review_share_at_catch: float | None = None
    checks_cut: float | None = None
    auc: float | None = None
    bad_rate: float | None = None
    model_version: str = ""

    def to_dict(self, top: int = 20) -> dict[str, Any]:
        d = {k: v for k, v in asdict(self).items() if k != "ranked"}
        d["top"] = self.ranked.head(top).to_dict(orient="records")
        return d


def _risk_level(pct: np.ndarray) -> np.ndarray:
    return np.where(pct <= 0.1, "高", np.where(pct <= 0.4, "中", "低"))


def triage(model: Any, book_df: pd.DataFrame, budget: float = 0.4, target: str | None = None, *,
           id_col: str | None = None, catch_rate: float = 0.9) -> TriageReport:
    """Rank ``book_df`` riskiest first and mark the top ``budget`` share for review.

    ``model`` is a :class:`BehaviourModel` or a ``ScorecardModel`` (anything with ``score_frame``
    returning ``pd``). With ``target`` the capture curve and the cut in manual checks at
    ``catch_rate`` are reported.
    """
    if not 0 < budget <= 1:
        raise InvalidInput(f"复核比例须在 (0, 1] 之间：{budget}")
    if not 0 < catch_rate <= 1:
        raise InvalidInput(f"目标捕获率须在 (0, 1] 之间：{catch_rate}")
    if not isinstance(book_df, pd.DataFrame) or book_df.empty:
        raise InvalidInput("贷款清单为空 / the book is empty")
    for c in (target, id_col):
        if c and c not in book_df.columns:
            raise InvalidInput(f"数据缺少列 {c} / column '{c}' not found")
    features = book_df.drop(columns=[target]) if target else book_df
    risk = model.score_frame(features)["pd"].to_numpy(dtype=float)
    n = len(book_df)
    order = np.argsort(-np.nan_to_num(risk, nan=-np.inf), kind="mergesort")
    k = int(math.ceil(budget * n - 1e-9))
    rank = np.empty(n, dtype=int)
    rank[order] = np.arange(1, n + 1)
    ids = book_df[id_col].to_numpy() if id_col else book_df.index.to_numpy()
    ranked = pd.DataFrame({"id": ids, "pd": risk, "rank": rank, "review": rank <= k,
                           "risk_level": _risk_level(rank / n)}).iloc[order].reset_index(drop=True)
    rep = TriageReport(rows=n, budget=budget, reviewed=k, ranked=ranked, catch_rate=catch_rate,
                       model_version=getattr(model, "version", ""))
    if target:
        from xiaoyin.credit.risk.monitor import outcomes

        y = outcomes(book_df[target], getattr(model, "target_mapping", {}) or {})
        if np.isfinite(y).sum() and np.nansum(y) > 0:
            rep.capture = capture_curve(y, risk)
            rep.capture_at_budget = capture_curve(y, risk, (budget,))[0]["capture"]
            share = review_share_for(y, risk, catch_rate)
            rep.review_share_at_catch = share
            rep.checks_cut = 1.0 - share
            rep.auc = metrics.auc(y[np.isfinite(y)], risk[np.isfinite(y)])
            rep.bad_rate = float(np.nanmean(y))
            ranked["bad"] = y[order]
    return rep
