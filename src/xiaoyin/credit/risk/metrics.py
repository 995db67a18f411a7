"""Discrimination and stability metrics: AUC, KS, Gini, PSI (scores) and PSI on bin labels (CSI)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.stats import rankdata

_EPS = 1e-6


def _arrays(y_true: Sequence, score: Sequence) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y_true, dtype=float).ravel()
    s = np.asarray(score, dtype=float).ravel()
    if y.shape != s.shape:
        raise ValueError("y_true and score differ in length")
    keep = np.isfinite(s) & np.isfinite(y)
    return y[keep], s[keep]


def auc(y_true: Sequence, score: Sequence) -> float:
    """ROC AUC where a higher ``score`` means more likely bad (y=1); ties count half."""
    y, s = _arrays(y_true, score)
    n_pos = float((y == 1).sum())
    n_neg = float(len(y) - n_pos)
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = rankdata(s)
    return float((ranks[y == 1].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def ks(y_true: Sequence, score: Sequence) -> float:
    """Kolmogorov-Smirnov statistic: max |TPR - FPR| over thresholds."""
    y, s = _arrays(y_true, score)
    n_pos = (y == 1).sum()
    n_neg = len(y) - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    order = np.argsort(-s, kind="mergesort")
    s_sorted, y_sorted = s[order], y[order]
    tpr = np.cumsum(y_sorted == 1) / n_pos
    fpr = np.cumsum(y_sorted != 1) / n_neg
    last = np.r_[s_sorted[1:] != s_sorted[:-1], True]  # evaluate only at threshold boundaries
    return float(np.max(np.abs(tpr[last] - fpr[last])))


def gini(y_true: Sequence, score: Sequence) -> float:
    """Gini = 2*AUC - 1."""
    return 2.0 * auc(y_true, score) - 1.0


def _psi_from_counts(e: np.ndarray, a: np.ndarray) -> float:
    pe = e / max(e.sum(), 1)
    pa = a / max(a.sum(), 1)
    pe = np.clip(pe, _EPS, None)
    pa = np.clip(pa, _EPS, None)
    return float(np.sum((pa - pe) * np.log(pa / pe)))


def psi(expected: np.ndarray, actual: np.ndarray, bins: int | np.ndarray = 10) -> float:
    """Population stability index of a numeric score; ``bins`` = quantile count on ``expected`` or edges."""
    e = np.asarray(expected, dtype=float)
    a = np.asarray(actual, dtype=float)
    e = e[np.isfinite(e)]
    a = a[np.isfinite(a)]
    if len(e) == 0 or len(a) == 0:
        return float("nan")
    if np.isscalar(bins):
        edges = np.unique(np.quantile(e, np.linspace(0, 1, int(bins) + 1))[1:-1])
    else:
        edges = np.unique(np.asarray(bins, dtype=float))
    ie = np.searchsorted(edges, e, side="right")
    ia = np.searchsorted(edges, a, side="right")
    n = len(edges) + 1
    return _psi_from_counts(np.bincount(ie, minlength=n).astype(float), np.bincount(ia, minlength=n).astype(float))


def psi_categorical(expected: Sequence, actual: Sequence) -> float:
    """PSI over discrete labels (e.g. bin labels per feature = CSI); labels unseen on one side count."""
    e = np.asarray(expected, dtype=object).astype(str)
    a = np.asarray(actual, dtype=object).astype(str)
    if len(e) == 0 or len(a) == 0:
        return float("nan")
    labels, inv = np.unique(np.concatenate([e, a]), return_inverse=True)
    ce = np.bincount(inv[: len(e)], minlength=len(labels)).astype(float)
    ca = np.bincount(inv[len(e):], minlength=len(labels)).astype(float)
    return _psi_from_counts(ce, ca)
