"""Scoring with a trained scorecard: round trip, single vs batch, special bins, reasons, metrics, speed."""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from tests.test_risk_train import make_data
from xiaoyin.core.errors import NotFound
from xiaoyin.credit.risk import metrics
from xiaoyin.credit.risk.binning import MISSING, SPECIAL
from xiaoyin.credit.risk.model import ScorecardModel, feature_label_zh
from xiaoyin.credit.risk.train import TrainConfig, train


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[ScorecardModel, Path, pd.DataFrame]:
    out = tmp_path_factory.mktemp("risk") / "model"
    df = make_data(1000)
    res = train(df, "target", out_dir=out, id_col="app_id", config=TrainConfig(cv_folds=2, min_iv=0.01))
    return res.model, out, df


def test_save_load_round_trip_gives_identical_scores(trained, tmp_path: Path) -> None:
    model, out, df = trained
    loaded = ScorecardModel.load(out)
    assert loaded.version == model.version and len(loaded.version) == 12
    assert loaded.features == model.features and loaded.target_mapping == {"bad": 1, "good": 0}
    a, b = model.score_frame(df), loaded.score_frame(df)
    pd.testing.assert_frame_equal(a, b)
    loaded.save(tmp_path / "again")
    assert ScorecardModel.load(tmp_path / "again").version == model.version  # content hash is stable
    with pytest.raises(NotFound):
        ScorecardModel.load(tmp_path / "nothing")


def test_score_one_equals_score_frame(trained) -> None:
    model, _, df = trained
    frame = model.score_frame(df)
    for i, rec in enumerate(df.head(200).to_dict("records")):
        r = model.score_one(rec)
        assert r.score == pytest.approx(frame["score"].iloc[i], abs=1e-9)
        assert r.pd == pytest.approx(frame["pd"].iloc[i], rel=1e-9)
        assert r.challenger_pd == pytest.approx(frame["challenger_pd"].iloc[i], rel=1e-6)
        assert r.score == pytest.approx(sum(r.points.values()), abs=1e-6)
    labels = model.bin_labels(df.head(5))
    assert list(labels.columns) == model.features and labels.shape == (5, len(model.features))


def test_score_and_pd_agree_with_scaling(trained) -> None:
    model, _, df = trained
    sc = model.scaling
    r = model.score_one(df.iloc[0].to_dict())
    # score = offset + factor * ln(good odds); points are rounded to 2 decimals per bin
    implied = sc["offset"] + sc["factor"] * math.log((1 - r.pd) / r.pd)
    assert abs(implied - r.score) <= 0.005 * len(model.features) + 1e-9
    frame = model.score_frame(df)
    assert np.corrcoef(frame["score"], frame["pd"])[0, 1] < -0.9  # higher score = lower risk


def test_unseen_category_and_missing_values_land_in_special_bins(trained) -> None:
    model, _, df = trained
    rec = df.iloc[0].to_dict()
    odd = {**rec, "city": "火星", "income": None, "overdue_6m": "lots"}
    r = model.score_one(odd)
    assert r.bins["city"] == SPECIAL and r.bins["income"] == MISSING and r.bins["overdue_6m"] == SPECIAL
    for val in (float("nan"), float("inf"), "", "  "):
        assert model.score_one({**rec, "income": val}).bins["income"] == MISSING
    empty = model.score_one({})  # every column missing
    assert set(empty.bins.values()) == {MISSING} and 0 < empty.pd < 1
    frame = pd.DataFrame([odd, {}, {**rec, "extra_col": 1}])
    scores = model.score_frame(frame)
    assert scores["score"].tolist()[0] == pytest.approx(r.score) and scores.notna().all().all()
    partial = model.score_frame(df[["city"]].head(3))  # missing columns -> Missing bins
    assert len(partial) == 3 and partial["score"].notna().all()
    labels = model.bin_labels(pd.DataFrame([odd]))
    assert labels.loc[0, "city"] == SPECIAL and labels.loc[0, "income"] == MISSING


def test_reason_codes_in_chinese_from_points_lost(trained) -> None:
    model, _, df = trained
    frame = model.score_frame(df)
    worst = df.iloc[int(frame["score"].idxmin())].to_dict()
    r = model.score_one(worst, top_reasons=2)
    assert len(r.reasons) == 2  # the worst applicant loses points on more than two features
    assert r.reasons == sorted(r.reasons, key=lambda x: -x.points_lost)
    top = r.reasons[0]
    best = max(model.points[top.feature])
    assert top.points_lost == pytest.approx(best - r.points[top.feature], abs=0.01)
    assert "拉低评分" in top.text and top.bin == r.bins[top.feature]
    unseen = model.score_one({**worst, "city": "火星"}, top_reasons=10)
    city = [x for x in unseen.reasons if x.feature == "city"]
    assert not city or "未见过" in city[0].text
    assert feature_label_zh("duration.in.month") == "贷款期限"
    assert feature_label_zh("PAY_0") == "最近一期还款状态"
    assert feature_label_zh("NumberOfTimes90DaysLate") == "90天以上逾期次数"
    assert feature_label_zh("my_col") == "my_col"


def test_scoring_is_fast(trained) -> None:
    model, _, df = trained
    recs = df.to_dict("records")
    times = []
    for rec in recs[:300]:
        t = time.perf_counter()
        model.score_one(rec, challenger=False)
        times.append(time.perf_counter() - t)
    assert np.percentile(times, 50) < 0.001
    big = pd.concat([df] * 20, ignore_index=True)
    t = time.perf_counter()
    model.score_frame(big)
    assert len(big) / (time.perf_counter() - t) > 5000  # benchmark: >= 20k rows/s on a quiet machine


def test_metrics_match_reference() -> None:
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 2000)
    s = y * 0.5 + rng.normal(size=2000)
    assert metrics.auc(y, s) == pytest.approx(roc_auc_score(y, s), abs=1e-12)
    assert metrics.gini(y, s) == pytest.approx(2 * roc_auc_score(y, s) - 1, abs=1e-12)
    assert 0 < metrics.ks(y, s) < 1
    assert metrics.ks([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]) == 1.0
    assert metrics.psi(s, s) == pytest.approx(0.0, abs=1e-9)
    assert metrics.psi(s, s + 1.0) > 0.25
    assert metrics.psi(s, s, bins=np.array([-1.0, 0.0, 1.0])) == pytest.approx(0.0, abs=1e-9)
    assert metrics.psi_categorical(["a", "b"] * 50, ["a", "b"] * 50) == pytest.approx(0.0, abs=1e-9)
    assert metrics.psi_categorical(["a"] * 90 + ["b"] * 10, ["a"] * 10 + ["b"] * 90 + ["c"]) > 1
    assert math.isnan(metrics.auc([1, 1], [0.2, 0.3]))


def test_training_score_distribution_is_a_monitoring_baseline(trained) -> None:
    from xiaoyin.credit.risk.monitor import monitor

    model, out, df = trained
    dist = ScorecardModel.load(out).meta["score_distribution"]
    assert len(dist["counts"]) == len(dist["edges"]) + 1 and 5 <= len(dist["edges"]) <= 9
    assert dist["edges"] == sorted(dist["edges"]) and sum(dist["counts"]) == len(df)
    assert max(dist["counts"]) < 0.3 * len(df)  # roughly deciles
    same = monitor(model, df)  # no baseline frame: the stored distribution is used
    assert same.baseline == "model" and same.baseline_rows == len(df)
    assert same.score_psi < 0.01
    assert same.score_psi == pytest.approx(monitor(model, df, baseline_df=df).score_psi, abs=1e-9)
    shifted = df.copy()
    shifted["overdue_6m"] = shifted["overdue_6m"] + 3
    assert monitor(model, shifted).score_psi > 0.25
