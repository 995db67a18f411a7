"""LightGBM challenger: raw features (categories as integer codes, native categorical splits)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

# Small shallow trees with row/column subsampling and L2: one default set tuned by 5-fold CV to hold on
# German (1k rows), Taiwan (30k) and Give Me Some Credit (150k); early stopping picks the rounds per fit.
PARAMS: dict[str, Any] = {
    "objective": "binary", "learning_rate": 0.05, "num_leaves": 6, "min_child_samples": 30,
    "subsample": 0.7, "subsample_freq": 1, "colsample_bytree": 0.7, "reg_lambda": 5.0,
    "n_jobs": 1, "verbose": -1, "min_data_per_group": 30, "cat_smooth": 10.0,
}
MAX_ROUNDS = 800
EARLY_STOP = 60


def make_spec(X: pd.DataFrame, numeric: Sequence[str], categorical: Sequence[str]) -> dict[str, Any]:
    """Feature list and category vocabularies (sorted) for the challenger."""
    feats = [c for c in X.columns if c in numeric or c in categorical]
    cats = {c: sorted(X[c].dropna().astype(str).str.strip().unique().tolist()) for c in feats if c in categorical}
    return {"features": feats, "categorical": cats}


def encode_matrix(df: pd.DataFrame, spec: dict[str, Any], cat_maps: dict[str, dict[str, int]] | None = None
                  ) -> np.ndarray:
    """Numeric matrix for LightGBM: numbers as floats, categories as codes, missing/unseen/inf as NaN."""
    if cat_maps is None:
        cat_maps = {c: {v: i for i, v in enumerate(vals)} for c, vals in spec["categorical"].items()}
    cols = []
    for c in spec["features"]:
        if c not in df.columns:
            cols.append(np.full(len(df), np.nan))
        elif c in cat_maps:
            s = df[c].astype(object)
            cols.append(s.astype(str).str.strip().map(cat_maps[c]).where(s.notna())
                        .to_numpy(dtype=float, na_value=np.nan))
        else:
            v = pd.to_numeric(df[c], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            cols.append(np.where(np.isfinite(v), v, np.nan))
    return np.column_stack(cols) if cols else np.empty((len(df), 0))


def fit_challenger(X: pd.DataFrame, y: np.ndarray, spec: dict[str, Any], *, seed: int = 42,
                   rounds: int | None = None) -> tuple[Any, int]:
    """Train the booster; with ``rounds`` None, early-stop on a stratified 15% validation split.

    Returns (booster, number of rounds used).
    """
    import lightgbm as lgb
    from sklearn.model_selection import train_test_split

    M = encode_matrix(X, spec)
    cat_idx = [j for j, c in enumerate(spec["features"]) if c in spec["categorical"]]
    params = {**PARAMS, "seed": seed}
    if rounds is None:
        tr, va = train_test_split(np.arange(len(y)), test_size=0.15, stratify=y, random_state=seed)
        dtr = lgb.Dataset(M[tr], y[tr], categorical_feature=cat_idx, free_raw_data=False)
        dva = lgb.Dataset(M[va], y[va], reference=dtr, categorical_feature=cat_idx)
        booster = lgb.train(params, dtr, num_boost_round=MAX_ROUNDS, valid_sets=[dva],
                            callbacks=[lgb.early_stopping(EARLY_STOP, verbose=False)])
        best = max(booster.best_iteration, 20)
        booster = lgb.train(params, lgb.Dataset(M, y, categorical_feature=cat_idx), num_boost_round=best)
        return booster, best
    booster = lgb.train(params, lgb.Dataset(M, y, categorical_feature=cat_idx), num_boost_round=rounds)
    return booster, rounds
