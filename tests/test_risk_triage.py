"""Post-loan early warning: capture curve, derived features, behavioural model choice, Taiwan target."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from xiaoyin.core.errors import InvalidInput
from xiaoyin.credit.risk.triage import (
    BehaviourModel,
    behaviour_features,
    capture_curve,
    lending_club_target,
    prepare_lending_club,
    review_share_for,
    train_behaviour,
    triage,
)

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "credit"


def synthetic_book(n: int = 1500, seed: int = 0) -> pd.DataFrame:
    """A Taiwan-shaped book: LIMIT_BAL, AGE, PAY_0/PAY_2..6, BILL_AMT1..6, PAY_AMT1..6 and a 0/1 target."""
    rng = np.random.default_rng(seed)
    risk = rng.normal(size=n)
    limit = rng.choice([20000, 50000, 100000, 200000], n)
    cols: dict[str, np.ndarray] = {"ID": np.arange(1, n + 1), "LIMIT_BAL": limit, "AGE": rng.integers(21, 70, n)}
    for i in (0, 2, 3, 4, 5, 6):
        cols[f"PAY_{i}"] = np.clip(np.round(risk + rng.normal(scale=0.8, size=n)), -2, 8).astype(int)
    for i in range(1, 7):
        cols[f"BILL_AMT{i}"] = np.round(limit * np.clip(0.4 + 0.2 * risk + rng.normal(scale=0.2, size=n), 0, 1.2))
        cols[f"PAY_AMT{i}"] = np.round(cols[f"BILL_AMT{i}"] * np.clip(0.3 - 0.15 * risk + rng.normal(
            scale=0.1, size=n), 0, 1))
    p = 1 / (1 + np.exp(-(-1.4 + 1.3 * risk)))
    cols["target"] = (rng.random(n) < p).astype(int)
    return pd.DataFrame(cols)


def test_capture_curve_exact() -> None:
    y = np.array([1, 0, 1, 0, 0, 0, 0, 0, 1, 0])
    risk = np.array([10, 9, 8, 7, 6, 5, 4, 3, 2, 1], dtype=float)
    curve = capture_curve(y, risk)
    assert [c["budget"] for c in curve] == [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
    got = {c["budget"]: round(c["capture"], 3) for c in curve}
    assert got[0.1] == 0.333 and got[0.3] == 0.667 and got[0.8] == 0.667 and got[0.9] == 1.0 and got[1.0] == 1.0
    assert review_share_for(y, risk, 0.6) == 0.3
    assert review_share_for(y, risk, 0.9) == 0.9
    assert capture_curve(np.zeros(5), np.arange(5)) == []  # no bads: nothing to capture


def test_behaviour_features_derived() -> None:
    df = synthetic_book(50)
    out = behaviour_features(df)
    row = df.iloc[0]
    pays = [row[f"PAY_{i}"] for i in (0, 2, 3, 4, 5, 6)]
    assert out.loc[0, "max_delay"] == max(pays)
    assert out.loc[0, "months_overdue"] == sum(p > 0 for p in pays)
    assert out.loc[0, "util_latest"] == pytest.approx(row["BILL_AMT1"] / row["LIMIT_BAL"])
    assert {"util_trend", "pay_ratio", "pay_ratio_recent", "months_no_payment"} <= set(out.columns)
    assert not np.isinf(out.select_dtypes("number").to_numpy()).any()
    assert list(behaviour_features(pd.DataFrame({"x": [1, 2]})).columns) == ["x"]  # no history: unchanged


def test_train_behaviour_picks_a_ranker_and_triages(tmp_path: Path) -> None:
    book = synthetic_book(1500, 1)
    m = train_behaviour(book, "target", out_dir=tmp_path / "ew", id_col="ID")
    assert m.metrics["chosen"] in ("scorecard", "lgbm") and set(m.metrics["holdout"]) == {"scorecard", "lgbm"}
    assert m.metrics["holdout"][m.metrics["chosen"]]["auc"] > 0.75
    loaded = BehaviourModel.load(tmp_path / "ew")
    assert loaded.version == m.version and loaded.kind == m.kind
    new = synthetic_book(1000, 2)
    rep = triage(loaded, new, budget=0.4, target="target", id_col="ID")
    assert rep.reviewed == 400 and rep.ranked["review"].sum() == 400
    assert rep.ranked["pd"].is_monotonic_decreasing and set(rep.ranked["risk_level"]) == {"高", "中", "低"}
    assert rep.capture_at_budget > 0.6 and rep.capture[-1]["capture"] == 1.0
    assert 0 < rep.review_share_at_catch < 1 and rep.checks_cut == pytest.approx(1 - rep.review_share_at_catch)
    d = rep.to_dict(top=5)
    assert len(d["top"]) == 5 and "ranked" not in d
    unlabeled = triage(loaded, new.drop(columns=["target"]), budget=0.1)
    assert unlabeled.capture == [] and unlabeled.reviewed == 100


def test_triage_bad_inputs(tmp_path: Path) -> None:
    book = synthetic_book(300, 3)
    m = train_behaviour(book, "target", out_dir=tmp_path / "ew", kinds=("lgbm",))
    for kwargs in ({"budget": 0}, {"budget": 1.5}, {"target": "nope"}, {"id_col": "nope"}, {"catch_rate": 0}):
        with pytest.raises(InvalidInput):
            triage(m, book, **{"budget": 0.4, **kwargs})
    with pytest.raises(InvalidInput):
        triage(m, book.iloc[:0])
    with pytest.raises(InvalidInput):
        train_behaviour(book, "nope", out_dir=tmp_path / "x")
    with pytest.raises(InvalidInput):
        train_behaviour(book, "target", out_dir=tmp_path / "x", kinds=("svm",))
    with pytest.raises(InvalidInput):
        train_behaviour(book.assign(target=1), "target", out_dir=tmp_path / "x")


def test_lending_club_status_mapping() -> None:
    s = pd.Series(["Current", "Fully Paid", "Charged Off", "Late (31-120 days)", "Late (16-30 days)",
                   "In Grace Period", "Default", " current "])
    assert lending_club_target(s).tolist()[:5] == [0, 0, 1, 1, 1]
    assert np.isnan(lending_club_target(s)[5]) and lending_club_target(s)[6] == 1 and lending_club_target(s)[7] == 0
    df = prepare_lending_club(pd.DataFrame({"loan_status": s, "x": range(8)}))
    assert len(df) == 7 and set(df["loan_status"]) == {0, 1}
    with pytest.raises(InvalidInput):
        prepare_lending_club(pd.DataFrame({"x": [1]}))


@pytest.mark.skipif(not (DATA / "taiwan_default.csv").exists(), reason="shared credit data not present")
def test_taiwan_capture_at_40_percent(tmp_path: Path) -> None:
    """Holdout (25%) of Taiwan: reviewing the riskiest 40% catches at least 70% of the defaulters."""
    df = pd.read_csv(DATA / "taiwan_default.csv")
    m = train_behaviour(df, "target", out_dir=tmp_path / "tw", id_col="ID", kinds=("lgbm",))
    cap = m.metrics["holdout"]["lgbm"]["capture_at_0.4"]
    print(f"Taiwan holdout: AUC={m.metrics['holdout']['lgbm']['auc']:.4f} capture@40%={cap:.4f}")
    assert cap >= 0.70


@pytest.mark.skipif(not (DATA / "lending_club_loans.csv.gz").exists(), reason="shared credit data not present")
def test_lending_club_statuses_in_real_file() -> None:
    df = pd.read_csv(DATA / "lending_club_loans.csv.gz", usecols=["loan_status"])
    out = prepare_lending_club(df)
    assert 0 < out["loan_status"].sum() < len(out) < len(df)  # In Grace Period rows excluded
