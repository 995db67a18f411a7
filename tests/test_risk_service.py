"""The service functions the faces call: train, decide (stored), batch score, registry, monitor, triage."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from xiaoyin.core.errors import InvalidInput, NotFound
from xiaoyin.credit.risk import service
from xiaoyin.credit.risk.model import ScorecardModel

from .test_risk_policy import tiny_model
from .test_risk_triage import synthetic_book


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> tuple[Path, Path]:
    """A scorecard trained by the real pipeline on a small synthetic book, and that book as CSV."""
    root = tmp_path_factory.mktemp("svc")
    data = root / "book.csv"
    synthetic_book(1200, 7).to_csv(data, index=False)
    rep = service.train_model(data, "target", root / "model", id_col="ID",
                              config={"cv_folds": 2, "challenger": False})
    assert rep["rows"] == 1200 and rep["cv"]["scorecard"]["auc"] > 0.7
    return Path(rep["out_dir"]), data


def test_decide_stores_decision(db_home: str, trained) -> None:
    model_dir, data = trained
    app = synthetic_book(1, 9).drop(columns=["target"]).iloc[0].to_dict()
    app.update(age=35, monthly_income=10000.0, note=float("nan"))
    d = service.decide(model_dir, app, user="柜员01")
    assert d.outcome in ("approve", "refer", "reject") and d.id and d.model_version
    stored = service.get_decision(d.id)
    assert stored.user == "柜员01" and stored.model_version == d.model_version
    assert stored.outcome == d.outcome and stored.score == d.score
    assert stored.inputs["monthly_income"] == 10000.0 and stored.inputs["note"] is None
    assert stored.reasons == json.loads(json.dumps(d.reasons, ensure_ascii=False))
    assert [x.id for x in service.list_decisions()] == [d.id]
    assert json.loads(service.to_json(d))["outcome_zh"] in ("通过", "拒绝", "转人工审核")
    with pytest.raises(NotFound):
        service.get_decision("no-such-id")
    with pytest.raises(InvalidInput):
        service.decide(model_dir, "not a dict")  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        service.decide("unregistered_name", app)


def test_decide_by_registered_name_and_policy_file(db_home: str, trained, tmp_path: Path) -> None:
    model_dir, _ = trained
    reg = service.register_model(model_dir, "信用卡", user="风险部")
    assert reg[0].status == "champion" and service.list_models("信用卡")[0].version == reg[0].version
    strict = tmp_path / "strict.yaml"
    strict.write_text(
        "name: 严格\nrules:\n  - {id: R1, stage: pre_score, condition: 'AGE < 99', action: reject, reason: 全部拒绝}\n"
        "cutoffs: {reject_below: 0, approve_from: 0}\nbands: [{name: A, min_score: 0, income_multiple: 1, cap: 1}]\n",
        encoding="utf-8")
    app = {"AGE": 30, "PAY_0": 0, "LIMIT_BAL": 50000}
    d = service.decide("信用卡", app, user="u1", policy_path=strict)
    assert d.model_name == "信用卡" and d.outcome == "reject" and d.reasons[0]["text"] == "全部拒绝"
    assert d.policy == "严格@1"
    assert service.get_decision(d.id).model_name == "信用卡"
    assert len(service.model_events("信用卡")) == 2  # register + automatic first promote


def test_segment_routing_by_directory(home: Path, tmp_path: Path) -> None:
    pooled = tiny_model(tmp_path / "pooled")
    seg = tiny_model(tmp_path / "pooled" / "segments" / "s0", name="tiny-经营贷")
    seg.intercept, seg.points["age"] = -3.0, [300, 300, 300, 300, 300]
    seg.meta = {"segment": {"column": "product", "value": "经营贷"}}
    seg.save(tmp_path / "pooled" / "segments" / "s0")
    pooled.meta["segments"] = {"column": "product", "dirs": {"经营贷": "segments/s0"}}
    pooled.save(tmp_path / "pooled")
    app = {"age": 45, "overdue_count_6m": 0, "monthly_income": 8000}
    d_pool = service.decide(tmp_path / "pooled", {**app, "product": "消费贷"})
    d_seg = service.decide(tmp_path / "pooled", {**app, "product": "经营贷"})
    assert d_pool.score == 640 and d_pool.segment == ""
    assert d_seg.score == 720 and d_seg.segment == "经营贷" and d_seg.model_version == seg.version


def test_score_batch_monitor_and_triage(home: Path, trained, tmp_path: Path) -> None:
    model_dir, data = trained
    res = service.score_batch(model_dir, data, tmp_path / "out" / "scored.csv")
    out = pd.read_csv(res["out_path"])
    assert res["rows"] == 1200 and {"score", "pd", "challenger_pd", "ID"} <= set(out.columns)
    assert res["model_version"] == ScorecardModel.load(model_dir).version

    new = tmp_path / "new.csv"
    synthetic_book(800, 11).assign(month=["2026-01"] * 400 + ["2026-02"] * 400).to_csv(new, index=False)
    rep = service.monitor(model_dir, new, tmp_path / "mon.html", baseline_path=data, time_col="month",
                          target="target", thresholds={"psi_warn": 0.2})
    assert rep["score_psi"] < 0.1 and rep["thresholds"]["psi_warn"] == 0.2
    assert [w["window"] for w in rep["performance"]] == ["2026-01", "2026-02"]
    assert not re.search(r"https?://", Path(rep["html"]).read_text(encoding="utf-8"))
    with pytest.raises(InvalidInput):
        service.monitor(model_dir, new, thresholds={"bogus": 1})

    tri = service.triage(model_dir, new, 0.4, tmp_path / "tri.csv", target="target", id_col="ID")
    assert tri["reviewed"] == 320 and tri["capture_at_budget"] > 0.5
    assert len(pd.read_csv(tri["out_path"])) == 800

    ew = service.train_early_warning(data, "target", tmp_path / "ew", id_col="ID", kinds=("lgbm",))
    assert ew["kind"] == "lgbm" and ew["holdout"]["lgbm"]["auc"] > 0.7
    tri2 = service.triage(tmp_path / "ew", new, 0.4, target="target")
    assert tri2["capture_at_budget"] > 0.5 and tri2["model_version"] == ew["version"]
    with pytest.raises(InvalidInput):
        service.decide(tmp_path / "ew", {"AGE": 30})  # an early-warning model does not approve loans


def test_train_model_bad_config(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="bogus"):
        service.train_model(tmp_path / "x.csv", "t", tmp_path / "m", config={"bogus": 1})
