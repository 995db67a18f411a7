"""Optimal binning (optbinning, CP solver, monotonic trends) into a plain, fast, serialisable bin table.

optbinning finds the split points; everything afterwards (bin assignment, WOE, IV) is ours so that
scoring never touches optbinning. Every feature has two extra bins after its regular ones:
``Missing`` (NaN, None, blank, inf) and ``Special`` (configured special codes, unseen categories,
text in a numeric column).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

MISSING = "Missing"
SPECIAL = "Special"
SMOOTH = 0.5


@dataclass
class BinningConfig:
    """Knobs passed to optbinning's OptimalBinning."""

    monotonic: str | None = "auto_asc_desc"
    max_n_bins: int = 8
    max_n_prebins: int = 20
    min_prebin_size: float = 0.05
    min_bin_size: float | None = 0.05
    special_codes: Sequence[float] = ()
    time_limit: float = 10.0
    peak_min_rows: int = 5000  # below this many rows, peak/valley trends fall back to auto_asc_desc


@dataclass
class FeatureBins:
    """One feature's bins: regular bins, then Missing, then Special."""

    name: str
    kind: str  # "numeric" | "categorical"
    edges: list[float] = field(default_factory=list)
    categories: dict[str, int] = field(default_factory=dict)
    labels: list[str] = field(default_factory=list)
    count: list[int] = field(default_factory=list)
    bad: list[int] = field(default_factory=list)
    woe: list[float] = field(default_factory=list)
    iv: float = 0.0
    special_codes: list[float] = field(default_factory=list)

    @property
    def n_regular(self) -> int:
        return len(self.labels) - 2

    @property
    def missing_idx(self) -> int:
        return len(self.labels) - 2

    @property
    def special_idx(self) -> int:
        return len(self.labels) - 1

    def indices(self, values: pd.Series | Sequence[Any]) -> np.ndarray:
        """Vectorised bin index of each value (never fails: odd values go to Missing/Special)."""
        s = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
        s = s.reset_index(drop=True)
        if self.kind == "numeric":
            if s.dtype.kind in "biuf":
                v = s.to_numpy(dtype=float, na_value=np.nan)
                missing = ~np.isfinite(v)
                text = np.zeros(len(v), dtype=bool)
            else:
                obj = s.astype(object)
                blank = obj.isna().to_numpy() | (obj.astype(str).str.strip() == "").to_numpy()
                v = pd.to_numeric(obj.where(~blank, None), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
                missing = blank | np.isinf(v)
                text = np.isnan(v) & ~missing
            idx = np.searchsorted(np.asarray(self.edges, dtype=float), v, side="right").astype(np.int64)
            idx[text] = self.special_idx
            if self.special_codes:
                idx[np.isin(v, self.special_codes)] = self.special_idx
            idx[missing] = self.missing_idx
            return idx.astype(np.int64)
        obj = s.astype(object)
        keys = obj.astype(str).str.strip()
        missing = obj.isna().to_numpy() | (keys == "").to_numpy()
        mapped = keys.map(self.categories).to_numpy(dtype=float, na_value=np.nan)
        idx = np.where(np.isnan(mapped), self.special_idx, mapped).astype(np.int64).copy()
        idx[missing] = self.missing_idx
        return idx

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FeatureBins:
        return cls(**d)


def _fmt(x: float) -> str:
    return f"{x:.6g}"


def _numeric_labels(edges: Sequence[float]) -> list[str]:
    pts = ["-inf", *(_fmt(e) for e in edges), "inf"]
    return [f"[{pts[i]}, {pts[i + 1]})" if i else f"(-inf, {pts[1]})" for i in range(len(pts) - 1)]


def woe_iv(idx: np.ndarray, y: np.ndarray, n_bins: int) -> tuple[list[int], list[int], list[float], float]:
    """Counts, bads, WOE (ln of bad share over good share; positive = riskier, 0 for empty bins) and IV."""
    count = np.bincount(idx, minlength=n_bins).astype(float)
    bad = np.bincount(idx, weights=y.astype(float), minlength=n_bins)
    good = count - bad
    tb, tg = max(bad.sum(), 1.0), max(good.sum(), 1.0)
    woe = np.log((bad + SMOOTH) / (tb + SMOOTH)) - np.log((good + SMOOTH) / (tg + SMOOTH))
    woe[count == 0] = 0.0
    iv = float(np.sum((bad / tb - good / tg) * woe))
    return count.astype(int).tolist(), bad.astype(int).tolist(), np.round(woe, 6).tolist(), round(iv, 6)


_PEAKY = {"auto", "auto_heuristic"}  # automatic trends that may pick a peak or valley


def _optimal_splits(x: np.ndarray, y: np.ndarray, name: str, kind: str, cfg: BinningConfig) -> list:
    from optbinning import OptimalBinning  # heavy import, training only

    specials = list(cfg.special_codes) if kind == "numeric" and cfg.special_codes else None
    trend = cfg.monotonic
    if trend in _PEAKY and len(y) < cfg.peak_min_rows:  # a peak on a small sample is mostly noise
        trend = "auto_asc_desc"
    ob = OptimalBinning(name=name, dtype="numerical" if kind == "numeric" else "categorical", solver="cp",
                        monotonic_trend=trend if kind == "numeric" else "auto_asc_desc",
                        max_n_bins=cfg.max_n_bins, max_n_prebins=cfg.max_n_prebins,
                        min_prebin_size=cfg.min_prebin_size, min_bin_size=cfg.min_bin_size,
                        special_codes=specials, time_limit=cfg.time_limit)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ob.fit(x, y)
    if ob.status not in ("OPTIMAL", "FEASIBLE"):
        log.warning("binning %s: solver status %s, using pre-bins", name, ob.status)
    return list(ob.splits)


def fit_feature(values: pd.Series, y: np.ndarray, kind: str, cfg: BinningConfig) -> FeatureBins:
    """Fit the bins of one feature on training values ``values`` and 0/1 target ``y``."""
    name = str(values.name)
    fb = FeatureBins(name=name, kind=kind, special_codes=[float(c) for c in cfg.special_codes]
                     if kind == "numeric" else [])
    if kind == "numeric":
        x = values.to_numpy(dtype=float, na_value=np.nan)
        try:
            splits = _optimal_splits(x, y, name, kind, cfg)
        except Exception as exc:  # a failed solver must not stop training
            log.warning("binning %s failed (%s); single bin", name, exc)
            splits = []
        fb.edges = [float(s) for s in splits]
        fb.labels = [*_numeric_labels(fb.edges), MISSING, SPECIAL]
    else:
        obj = values.astype(object)
        x = obj.where(obj.notna(), np.nan).to_numpy(dtype=object)
        try:
            groups = _optimal_splits(x, y, name, kind, cfg)
        except Exception as exc:
            log.warning("binning %s failed (%s); one bin per category", name, exc)
            groups = [[c] for c in pd.unique(obj.dropna())]
        seen = set(obj.dropna().astype(str))
        cats: dict[str, int] = {}
        labels: list[str] = []
        for i, g in enumerate(groups):
            members = [str(c) for c in g]
            cats.update({m: i for m in members})
            joined = " | ".join(members)
            labels.append(joined if len(joined) <= 60 else joined[:57] + "...")
        leftover = sorted(seen - set(cats))
        if leftover:  # categories optbinning did not place: own bin
            cats.update({c: len(labels) for c in leftover})
            labels.append(" | ".join(leftover)[:60])
        fb.categories = cats
        fb.labels = [*labels, MISSING, SPECIAL]
    idx = fb.indices(values)
    fb.count, fb.bad, fb.woe, fb.iv = woe_iv(idx, y, len(fb.labels))
    return fb


def fit_all(X: pd.DataFrame, y: np.ndarray, numeric: Sequence[str], categorical: Sequence[str],
            cfg: BinningConfig) -> dict[str, FeatureBins]:
    """Fit bins for every feature column of ``X``."""
    out: dict[str, FeatureBins] = {}
    for col in X.columns:
        if col in numeric:
            out[col] = fit_feature(X[col], y, "numeric", cfg)
        elif col in categorical:
            out[col] = fit_feature(X[col], y, "categorical", cfg)
    return out


def woe_matrix(bins: dict[str, FeatureBins], X: pd.DataFrame, features: Sequence[str]) -> np.ndarray:
    """WOE-encoded matrix (rows x features)."""
    cols = [np.asarray(bins[f].woe)[bins[f].indices(X[f])] if f in X.columns
            else np.full(len(X), bins[f].woe[bins[f].missing_idx]) for f in features]
    return np.column_stack(cols) if cols else np.empty((len(X), 0))
