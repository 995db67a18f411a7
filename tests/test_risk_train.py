"""Training of credit risk scorecards: real German credit data, synthetic data, and each bad input."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from xiaoyin.core.errors import InvalidInput
from xiaoyin.credit.risk.data import map_target, prepare
from xiaoyin.credit.risk.train import TrainConfig, train

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "credit"
GERMAN = DATA / "german_credit.csv"
FAST = TrainConfig(cv_folds=2, challenger=False)


def make_data(n: int = 800, seed: int = 0, target_labels: tuple = ("good", "bad")) -> pd.DataFrame:
    """Synthetic applications: two numeric signals, a categorical signal with blanks, and noise."""
    rng = np.random.default_rng(seed)
    income = rng.lognormal(8.5, 0.5, n)
    overdue = rng.poisson(0.6, n).astype(float)
    city = rng.choice(["北京", "上海", "成都", "乡镇"], n, p=[0.3, 0.3, 0.2, 0.2])
    logit = -1.2 - 0.8 * (np.log(income) - 8.5) + 0.9 * overdue + np.where(city == "乡镇", 0.8, 0.0)
    bad = rng.random(n) < 1 / (1 + np.exp(-logit))
    df = pd.DataFrame({
        "app_id": np.arange(n) + 1000,
        "income": income.round(0),
        "overdue_6m": overdue,
        "city": city.astype(object),
        "noise": rng.normal(size=n),
        "product": rng.choice(["A", "B"], n),
        "target": np.where(bad, target_labels[1], target_labels[0]),
    })
    df.loc[rng.choice(n, 40, replace=False), "city"] = None
    df.loc[rng.choice(n, 30, replace=False), "income"] = np.nan
    return df


@pytest.mark.skipif(not GERMAN.exists(), reason="shared credit data not available")
def test_german_credit_trains_with_leakage_free_cv(tmp_path: Path) -> None:
    res = train(GERMAN, "creditability", out_dir=tmp_path / "german")
    rep = json.loads((tmp_path / "german" / "report.json").read_text(encoding="utf-8"))
    for key in ("rows", "bad_rate", "target_mapping", "cv", "features", "dropped", "fit_seconds"):
        assert key in rep
    assert rep["rows"] == 1000 and rep["bad_rate"] == pytest.approx(0.3)
    assert rep["target_mapping"] == {"bad": 1, "good": 0}
    assert rep["cv"]["scorecard"]["auc"] >= 0.74, rep["cv"]
    assert rep["cv"]["challenger"]["auc"] >= 0.74, rep["cv"]
    for k in ("auc", "ks", "gini"):
        assert k in rep["cv"]["scorecard"] and k in rep["cv"]["challenger"]
    assert rep["cv_protocol"]["leakage_free"] is True and rep["cv_protocol"]["folds"] == 5
    assert set(rep["cv"]) == {"scorecard", "challenger"}  # the CLI tabulates every entry
    for f in ("model.json", "challenger.txt", "scorecard.csv", "scorecard.xlsx"):
        assert (tmp_path / "german" / f).exists(), f
    assert {f["name"] for f in rep["features"]} == set(res.model.features)
    assert all(f["iv"] >= TrainConfig().min_iv for f in rep["features"])
    dist = res.model.meta["score_distribution"]
    assert len(dist["counts"]) == len(dist["edges"]) + 1 and sum(dist["counts"]) == 1000
    assert "duration_in_month" in res.model.features
    from openpyxl import load_workbook

    ws = load_workbook(tmp_path / "german" / "scorecard.xlsx").active
    assert ws["C2"].value.startswith("分箱") and ws.max_row > 20
    table = pd.read_csv(tmp_path / "german" / "scorecard.csv", encoding="utf-8-sig")
    assert {"feature", "bin", "woe", "points"} <= set(table.columns)


def test_synthetic_string_target_and_column_typing(tmp_path: Path) -> None:
    res = train(make_data(), "target", out_dir=tmp_path / "m", id_col="app_id", config=FAST)
    rep = res.report
    assert rep["target_mapping"] == {"bad": 1, "good": 0}
    assert {"name": "app_id", "reason": "id column (--id)"} in rep["dropped"]
    assert "overdue_6m" in res.model.features and "income" in res.model.features
    assert res.model.bins["city"].kind == "categorical"
    assert rep["cv"]["scorecard"]["auc"] > 0.7
    # points: higher score = lower risk; best bin of overdue_6m is the lowest count
    pts = res.model.points["overdue_6m"]
    assert pts[0] == max(pts[: res.model.bins["overdue_6m"].n_regular])


@pytest.mark.parametrize(("labels", "bad"), [
    (("good", "bad"), "bad"), (("好", "坏"), "坏"), (("N", "Y"), "Y"), (("non-default", "default"), "default"),
    (("Fully Paid", "Charged Off"), "Charged Off"), ((False, True), True), ((0, 1), 1), (("否", "是"), "是"),
])
def test_target_mapping(labels: tuple, bad: object) -> None:
    s = pd.Series([labels[0], labels[1], labels[0], None])
    y, mapping = map_target(s, "t")
    assert mapping[str(bad)] == 1 and len(mapping) == 2
    assert y[:3].tolist() == [0.0, 1.0, 0.0] and np.isnan(y[3])


def test_unclear_target_needs_bad_value() -> None:
    s = pd.Series([1, 2, 1, 2])
    with pytest.raises(InvalidInput, match="bad_value"):
        map_target(s, "t")
    y, mapping = map_target(s, "t", bad_value=2)
    assert y.tolist() == [0, 1, 0, 1] and mapping == {"2": 1, "1": 0}


def test_id_and_date_like_columns_dropped_with_reason() -> None:
    df = make_data(300)
    df["cust_no"] = [f"C{i:06d}" for i in range(len(df))]
    df["apply_date"] = pd.date_range("2024-01-01", periods=len(df)).strftime("%Y-%m-%d")
    df["seq"] = np.arange(len(df))
    prep = prepare(df, "target")
    reasons = {d["name"]: d["reason"] for d in prep.dropped}
    assert "id-like" in reasons["cust_no"] and "date" in reasons["apply_date"]
    assert "id-like" in reasons["seq"] and "id-like" in reasons["app_id"]


# ---- bad input ---------------------------------------------------------------------------------
def test_missing_target_column(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="target column 'label' not found"):
        train(make_data(), "label", out_dir=tmp_path / "m", config=FAST)


def test_missing_id_or_excluded_column(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="'nope'"):
        train(make_data(), "target", out_dir=tmp_path / "m", id_col="nope", config=FAST)
    with pytest.raises(InvalidInput, match="'gone'"):
        train(make_data(), "target", out_dir=tmp_path / "m", exclude=["gone"], config=FAST)


def test_missing_segment_column(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="segment column 'seg'"):
        train(make_data(), "target", out_dir=tmp_path / "m", segment="seg", config=FAST)


def test_empty_file_and_header_only(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(InvalidInput, match="empty"):
        train(empty, "target", out_dir=tmp_path / "m", config=FAST)
    header = tmp_path / "header.csv"
    header.write_text("income,target\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="no rows"):
        train(header, "target", out_dir=tmp_path / "m", config=FAST)
    with pytest.raises(InvalidInput, match="not found"):
        train(tmp_path / "absent.csv", "target", out_dir=tmp_path / "m", config=FAST)


def test_non_binary_target(tmp_path: Path) -> None:
    df = make_data(200)
    df.loc[:20, "target"] = "unknown"
    with pytest.raises(InvalidInput, match="not binary"):
        train(df, "target", out_dir=tmp_path / "m", config=FAST)


def test_single_class_target(tmp_path: Path) -> None:
    df = make_data(200)
    df["target"] = "good"
    with pytest.raises(InvalidInput, match="single class"):
        train(df, "target", out_dir=tmp_path / "m", config=FAST)
    df["target"] = None
    with pytest.raises(InvalidInput, match="no values"):
        train(df, "target", out_dir=tmp_path / "m", config=FAST)


def test_all_missing_and_constant_columns_dropped(tmp_path: Path) -> None:
    df = make_data()
    df["empty_col"] = np.nan
    df["const_col"] = 7
    df["const_txt"] = "是"
    res = train(df, "target", out_dir=tmp_path / "m", config=FAST)
    reasons = {d["name"]: d["reason"] for d in res.report["dropped"]}
    assert reasons["empty_col"] == "all values missing"
    assert reasons["const_col"].startswith("constant") and reasons["const_txt"].startswith("constant")


def test_nothing_usable_left(tmp_path: Path) -> None:
    df = pd.DataFrame({"a": [np.nan] * 100, "b": [1] * 100, "target": [0, 1] * 50})
    with pytest.raises(InvalidInput, match="no usable feature"):
        train(df, "target", out_dir=tmp_path / "m", config=FAST)


def test_no_signal_is_a_clear_error(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"a": rng.normal(size=400), "target": rng.integers(0, 2, 400)})
    # the default IV floor (0.005) is low on purpose; the classic 0.02 rejects this pure noise
    with pytest.raises(InvalidInput, match="no feature passed selection"):
        train(df, "target", out_dir=tmp_path / "m", config=replace(FAST, min_iv=0.02))


def test_too_few_rows(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="too few rows"):
        train(make_data(200).head(30), "target", out_dir=tmp_path / "m", config=FAST)


def test_nan_inf_and_text_in_numeric_columns(tmp_path: Path) -> None:
    df = make_data()
    df["income"] = df["income"].astype(object)
    df.loc[:4, "income"] = "n/a"  # wrong type: text in a numeric column
    df.loc[5:9, "overdue_6m"] = np.inf
    df.loc[10:14, "overdue_6m"] = -np.inf
    df["mostly_text"] = ["x", "y", "3"] * (len(df) // 3) + ["x"] * (len(df) % 3)
    res = train(df, "target", out_dir=tmp_path / "m", config=FAST)
    notes = " ".join(res.report["notes"])
    assert "income: 5 non-numeric values" in notes and "overdue_6m: 10 inf values" in notes
    assert res.model.bins["income"].kind == "numeric"
    assert res.model.bins["overdue_6m"].count[res.model.bins["overdue_6m"].missing_idx] == 10
    assert res.model.meta["categorical"].count("mostly_text") == 1


def test_target_blanks_are_dropped_with_note(tmp_path: Path) -> None:
    df = make_data()
    df.loc[:9, "target"] = None
    res = train(df, "target", out_dir=tmp_path / "m", config=FAST)
    assert res.report["rows"] == len(df) - 10
    assert any("without a target" in n for n in res.report["notes"])


def test_segment_training_writes_segment_models(tmp_path: Path) -> None:
    df = make_data(1200)
    df.loc[:59, "product"] = "C"  # too small for its own model -> pooled
    calls: list[tuple[str, int, int]] = []
    res = train(df, "target", out_dir=tmp_path / "seg", segment="product", config=FAST,
                progress=lambda s, i, n: calls.append((s, i, n)))
    items = {e["value"]: e for e in res.report["segments"]["items"]}
    assert items["A"]["model"] == "segments/A" and items["B"]["model"] == "segments/B"
    assert items["C"]["model"] == "pooled"
    for v in ("A", "B"):
        d = tmp_path / "seg" / "segments" / v
        assert (d / "model.json").exists() and (d / "report.json").exists() and (d / "scorecard.xlsx").exists()
        assert res.segments[v].model.meta["segment"] == {"column": "product", "value": v}
        assert "product" not in res.segments[v].model.features
    top = json.loads((tmp_path / "seg" / "report.json").read_text(encoding="utf-8"))
    assert top["segments"]["column"] == "product" and top["version"] == res.model.version
    assert res.model.meta["segments"]["dirs"] == {"A": "segments/A", "B": "segments/B"}
    assert ("cv", 0, 2) in calls and ("fit", 1, 1) in calls and ("segment", 0, 3) in calls


def make_history(n: int = 1500, seed: int = 3) -> pd.DataFrame:
    """Synthetic repayment history: six monthly overdue statuses whose sum drives the risk."""
    rng = np.random.default_rng(seed)
    frailty = rng.gamma(1.0, 0.6, n)
    hist = {f"pay_{i}": rng.poisson(frailty).astype(float) for i in range(1, 7)}
    limit = rng.choice([5e3, 1e4, 2e4, 5e4], n)
    logit = -2.0 + 0.9 * sum(hist.values()) / 6 * 2 - 0.3 * np.log(limit / 1e4)
    df = pd.DataFrame({**hist, "limit_bal": limit, "bill_1": rng.normal(size=n), "bill_2": rng.normal(size=n)})
    df["target"] = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    df.loc[rng.choice(n, n // 25, replace=False), "pay_3"] = np.nan
    return df


def test_sequence_features_are_derived_generically() -> None:
    from xiaoyin.credit.risk.data import SEQ_OPS, add_derived, derived_record, sequence_specs

    df = make_history(50)
    specs = sequence_specs(list(df.columns), [c for c in df.columns if c != "target"])
    assert {s["name"] for s in specs} == {f"pay_seq_{op}" for op in SEQ_OPS}  # bill_1/2: only two, no group
    assert specs[0]["cols"] == [f"pay_{i}" for i in range(1, 7)]
    out = add_derived(df, specs)
    rows = df[specs[0]["cols"]].to_numpy(dtype=float)
    assert np.allclose(out["pay_seq_max"], np.nanmax(rows, axis=1))
    assert np.allclose(out["pay_seq_mean"], np.nanmean(rows, axis=1))
    assert np.allclose(out["pay_seq_trend"], rows[:, 0] - np.nanmean(rows[:, 1:], axis=1), equal_nan=True)
    rec = derived_record({"pay_1": "2", "pay_2": None, "pay_3": "x", "pay_4": 0, "pay_5": 1, "pay_6": 3}, specs)
    assert rec["pay_seq_max"] == 3 and rec["pay_seq_npos"] == 3 and rec["pay_seq_mean"] == 1.5
    assert math.isnan(derived_record({}, specs)["pay_seq_max"])  # nothing known: missing, not an error
    for rec, row in zip(df.to_dict("records"), out.to_dict("records"), strict=True):  # one-row twin agrees
        one = derived_record(rec, specs)
        assert all(one[s["name"]] == pytest.approx(row[s["name"]], nan_ok=True) for s in specs)


def test_model_with_derived_features_scores_raw_applications(tmp_path: Path) -> None:
    from xiaoyin.credit.risk.model import ScorecardModel

    df = make_history()
    res = train(df, "target", out_dir=tmp_path / "m", config=replace(FAST, challenger=True))
    model = res.model
    assert model.derived and all("_seq_" in sp["name"] for sp in model.derived)
    assert any("_seq_" in f for f in model.features), model.features
    assert res.report["derived"] and "derived 6 sequence features" in " ".join(res.report["notes"])
    loaded = ScorecardModel.load(tmp_path / "m")
    raw = df.drop(columns=["target"]).head(40)
    frame = loaded.score_frame(raw)  # raw columns only: derived ones computed inside
    assert np.allclose(frame["score"], model.score_frame(raw)["score"])
    for i, rec in enumerate(raw.to_dict("records")[:10]):
        one = loaded.score_one(rec)
        assert one.score == pytest.approx(frame["score"].iloc[i], abs=0.01)
        assert one.challenger_pd == pytest.approx(frame["challenger_pd"].iloc[i], rel=1e-6)
    empty = loaded.score_one({})  # every input missing: Missing bins, no crash
    assert math.isfinite(empty.score) and 0 < empty.pd < 1
    from xiaoyin.credit.risk.model import feature_label_zh

    assert feature_label_zh("pay_amt_seq_mean") == "还款金额均值"


def test_peaks_need_enough_rows_and_C_auto(tmp_path: Path) -> None:
    from xiaoyin.credit.risk.binning import BinningConfig, fit_feature
    from xiaoyin.credit.risk.scorecard import C_GRID, choose_C

    rng = np.random.default_rng(1)
    noise, y = pd.Series(rng.normal(size=400), name="a"), rng.integers(0, 2, 400)
    small = fit_feature(noise, y, "numeric", BinningConfig(monotonic="auto_heuristic"))
    forced = fit_feature(noise, y, "numeric", BinningConfig(monotonic="auto_heuristic", peak_min_rows=0))
    assert small.iv < 0.02 < forced.iv  # a 'peak' found in pure noise is what the row floor prevents
    W = rng.normal(size=(300, 3))
    yy = (W[:, 0] + rng.normal(size=300) > 0).astype(int)
    assert choose_C(W, yy) in C_GRID
    res = train(make_data(), "target", out_dir=tmp_path / "m", id_col="app_id", config=replace(FAST, C="auto"))
    assert res.model.meta["lr_C"] in C_GRID
