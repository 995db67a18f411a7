"""Monitoring: PSI ~0 on the same distribution, > 0.25 on a shifted one, CSI, KS/AUC by window, HTML report."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from xiaoyin.core.errors import InvalidInput
from xiaoyin.credit.risk.monitor import Thresholds, monitor, write_html

from .test_risk_policy import tiny_model


def _apps(n: int, seed: int, shift: bool = False) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 66, n) if not shift else rng.integers(18, 30, n)
    od = rng.choice([0, 1, 2, 3, 5], n, p=[0.6, 0.2, 0.1, 0.05, 0.05] if not shift else [0.2, 0.2, 0.2, 0.2, 0.2])
    risk = -2.0 + 0.6 * (od > 0) + 0.8 * (od >= 3) + 0.5 * (age < 25)
    y = (rng.random(n) < 1 / (1 + np.exp(-risk))).astype(int)
    month = pd.to_datetime("2026-01-01") + pd.to_timedelta(rng.integers(0, 90, n), unit="D")
    return pd.DataFrame({"age": age, "overdue_count_6m": od, "bad": y, "month": month.strftime("%Y-%m-%d")})


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    return tiny_model(tmp_path_factory.mktemp("m"), name="<b>监控</b>")


def test_psi_near_zero_for_same_distribution(model) -> None:
    rep = monitor(model, _apps(3000, 1), baseline_df=_apps(3000, 2))
    assert rep.score_psi < 0.02 and rep.status == "ok" and rep.alerts == []
    assert all(r["csi"] < 0.02 for r in rep.csi)
    assert rep.baseline == "data" and rep.rows == 3000 and rep.model_version == model.version


def test_shift_raises_alerts(model) -> None:
    rep = monitor(model, _apps(3000, 1, shift=True), baseline_df=_apps(3000, 2))
    assert rep.score_psi > 0.25 and rep.status == "alert"
    kinds = {(a["metric"], a["subject"]) for a in rep.alerts}
    assert ("score_psi", "score") in kinds and ("csi", "age") in kinds
    assert rep.csi[0]["csi"] >= rep.csi[-1]["csi"]
    relaxed = monitor(model, _apps(3000, 1, shift=True), baseline_df=_apps(3000, 2),
                      thresholds=Thresholds(psi_warn=50, psi_alert=90, csi_warn=50, csi_alert=90))
    assert relaxed.alerts == [] and relaxed.status == "ok"


def test_performance_by_window_and_model_baseline(model) -> None:
    df = _apps(3000, 3)
    rep = monitor(model, df, baseline_df=_apps(2000, 4), time_col="month", target="bad")
    assert [w["window"] for w in rep.performance] == ["2026-01", "2026-02", "2026-03"]
    assert all(0.5 < w["auc"] < 1 and 0 < w["ks"] < 1 for w in rep.performance)
    assert rep.overall["rows"] == 3000 and rep.overall["bads"] == int(df["bad"].sum())
    # no baseline frame: the training bin counts give CSI; the score needs meta["score_distribution"]
    with pytest.raises(InvalidInput, match="基准"):
        monitor(model, df)
    scores = model.score_frame(_apps(2000, 4))["score"].to_numpy()
    edges = np.unique(np.quantile(scores, np.linspace(0, 1, 11))[1:-1])
    counts = np.bincount(np.searchsorted(edges, scores, side="right"), minlength=len(edges) + 1)
    model.meta["score_distribution"] = {"edges": edges.tolist(), "counts": counts.tolist()}
    try:
        rep2 = monitor(model, df)
    finally:
        model.meta.pop("score_distribution")
    assert rep2.baseline == "model" and rep2.score_psi < 0.02


@pytest.mark.parametrize(("kwargs", "msg"), [
    ({"time_col": "nope"}, "nope"), ({"target": "nope"}, "nope"),
])
def test_bad_inputs(model, kwargs, msg) -> None:
    with pytest.raises(InvalidInput, match=msg):
        monitor(model, _apps(100, 1), baseline_df=_apps(100, 2), **kwargs)
    with pytest.raises(InvalidInput):
        monitor(model, pd.DataFrame(), baseline_df=_apps(100, 2))
    with pytest.raises(InvalidInput):
        monitor(model, pd.DataFrame({"x": [1, 2]}), baseline_df=_apps(100, 2))


def test_small_windows_and_single_class_do_not_crash(model) -> None:
    df = _apps(200, 5)
    df["bad"] = 0
    rep = monitor(model, df, baseline_df=_apps(200, 6), time_col="month", target="bad")
    assert all(np.isnan(w["auc"]) for w in rep.performance)
    assert np.isnan(rep.overall["auc"])
    assert rep.to_dict()["overall"]["auc"] is None  # JSON-safe


def test_html_report_is_standalone_and_escaped(model, tmp_path: Path) -> None:
    rep = monitor(model, _apps(2000, 1, shift=True), baseline_df=_apps(2000, 2), time_col="month", target="bad")
    out = write_html(rep, tmp_path / "r" / "report.html")
    text = out.read_text(encoding="utf-8")
    assert not re.search(r"https?://", text)
    assert text.count("data:image/png;base64,") == 3
    assert "<b>监控</b>" not in text and "&lt;b&gt;监控&lt;/b&gt;" in text
    assert "告警" in text and "评分分布" in text
