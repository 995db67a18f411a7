"""Policy YAML parsing/validation, the safe condition language, and decisions on a small real scorecard."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
import yaml

from xiaoyin.core.errors import InvalidInput
from xiaoyin.credit.risk.binning import FeatureBins
from xiaoyin.credit.risk.decide import decide
from xiaoyin.credit.risk.model import ScorecardModel
from xiaoyin.credit.risk.policy import DEFAULT_POLICY, Policy, compile_condition, load_policy

LABELS = ["(-inf, a)", "[a, b)", "[b, inf)", "Missing", "Special"]


def tiny_model(path: Path, name: str = "tiny") -> ScorecardModel:
    """A hand-built two-feature scorecard (age, overdue_count_6m), saved and loaded like a trained one.

    Points: age <25: 180, 25-40: 200, >=40: 220, missing 170; overdue 0: 420, 1-2: 380, >=3: 300, missing 350.
    """
    age = FeatureBins(name="age", kind="numeric", edges=[25.0, 40.0], labels=LABELS, count=[100, 300, 200, 0, 0],
                      bad=[30, 45, 20, 0, 0], woe=[0.6, 0.0, -0.5, 0.0, 0.0], iv=0.2)
    od = FeatureBins(name="overdue_count_6m", kind="numeric", edges=[1.0, 3.0], labels=LABELS,
                     count=[400, 150, 50, 0, 0], bad=[40, 40, 15, 0, 0], woe=[-0.7, 0.6, 1.4, 0.0, 0.0], iv=0.4)
    m = ScorecardModel(name=name, target="bad", target_mapping={"1": 1, "0": 0},
                       features=["age", "overdue_count_6m"], bins={"age": age, "overdue_count_6m": od},
                       coefs={"age": 1.0, "overdue_count_6m": 1.0}, intercept=-1.6,
                       scaling={"pdo": 20, "base_odds": 50, "base_score": 600},
                       points={"age": [180, 200, 220, 170, 170], "overdue_count_6m": [420, 380, 300, 350, 350]},
                       meta={"rows": 600, "bad_rate": 0.16})
    m.save(path)
    return ScorecardModel.load(path)


def _policy_dict() -> dict:
    return yaml.safe_load(DEFAULT_POLICY.read_text(encoding="utf-8"))


# ---------------------------------------------------------------- condition language


@pytest.mark.parametrize(("cond", "record", "expected"), [
    ("x == 3", {"x": 3}, True),
    ("x == 3", {"x": "3"}, True),
    ("x != 3", {"x": 4}, True),
    ("x < 3", {"x": 2.5}, True),
    ("x <= 3", {"x": 3}, True),
    ("x > 3", {"x": 3}, False),
    ("x >= 3", {"x": 3}, True),
    ("city in ['甲市', '乙市']", {"city": "乙市"}, True),
    ("city not in ['甲市', '乙市']", {"city": "丙市"}, True),
    ("x between [18, 65]", {"x": 65}, True),
    ("x not between [18, 65]", {"x": 17}, True),
    ("x is_missing", {}, True),
    ("x is_missing", {"x": float("nan")}, True),
    ("x is_missing", {"x": "  "}, True),
    ("x is_not_missing", {"x": 0}, True),
    ("debt / income > 0.5", {"debt": 6000, "income": 10000}, True),
    ("debt / income > 0.5", {"debt": 6000, "income": 0}, None),
    ("(a > 1 or b > 1) and not c == 'y'", {"a": 2, "c": "n"}, True),
    ("-x > 1", {"x": -3}, True),
    ("flag == true", {"flag": True}, True),
    ("x > 3", {}, None),
    ("not x > 3", {}, None),
    ("x > 3 or y == 1", {"y": 1}, True),
    ("x > 3 and y == 1", {"y": 2}, False),
    ("x in [1, 2]", {"x": "2.0"}, True),
    ("x > 3", {"x": "abc"}, None),
])
def test_condition_language(cond: str, record: dict, expected: bool | None) -> None:
    f, _ = compile_condition(cond)
    assert f(record) is expected


def test_aliases_and_named_lists() -> None:
    f, fields = compile_condition("age > 60 or idn in @bl", aliases={"age": ["AGE"]},
                                  lists={"bl": frozenset(["110101199001010000"])})
    assert fields == {"age", "idn"}
    assert f({"AGE": 61}) is True
    assert f({"idn": "110101199001010000", "age": 30}) is True
    assert f({"idn": "110101199001010001", "age": 30}) is False  # long ID numbers compare exactly


@pytest.mark.parametrize("bad", [
    "__import__('os').system('echo hi')", "x ==", "x between [1]", "x in y", "x >> 3", "", "x in [a]",
    "open('f')", "(x > 1", "x > 1)",
])
def test_unsafe_or_malformed_conditions_rejected(bad: str) -> None:
    d = _policy_dict()
    d["rules"][1]["condition"] = bad
    with pytest.raises(InvalidInput) as e:
        Policy.from_dict(d)
    assert "PRE_AGE" in e.value.message


# ---------------------------------------------------------------- YAML validation


def test_default_policy_loads() -> None:
    p = load_policy()
    assert p.name and len(p.stages["pre_score"]) >= 5 and p.stages["post_score"]
    assert {"age", "monthly_income", "debt_to_income", "overdue_count_6m", "id_number"} <= p.fields
    assert [b.name for b in p.spec.bands] == ["A", "B", "C", "D"]


@pytest.mark.parametrize(("mutate", "needle"), [
    (lambda d: d["rules"][2].update(action="explode"), "PRE_BLACKLIST"),
    (lambda d: d["rules"][3].pop("reason"), "PRE_DTI"),
    (lambda d: d["rules"][3].update(stage="later"), "PRE_DTI"),
    (lambda d: d["rules"][4].update(required=["age"]), "PRE_OVERDUE"),  # both condition and required
    (lambda d: d["rules"][4].update(colour="red"), "PRE_OVERDUE"),
    (lambda d: d["rules"][2].update(condition="id_number in @nosuchlist"), "PRE_BLACKLIST"),
    (lambda d: d["rules"][3].update(condition="score < 500"), "PRE_DTI"),  # score is not known before scoring
    (lambda d: d["rules"].append(dict(d["rules"][0])), "PRE_REQUIRED"),  # duplicate id
    (lambda d: d.pop("cutoffs"), "cutoffs"),
    (lambda d: d["cutoffs"].update(approve_from=100), "cutoffs"),
    (lambda d: d.update(bands=[]), "bands"),
])
def test_bad_policy_names_the_rule(mutate, needle: str) -> None:
    d = _policy_dict()
    mutate(d)
    with pytest.raises(InvalidInput) as e:
        Policy.from_dict(d, source="bad.yaml")
    assert needle in e.value.message


def test_bad_yaml_files(tmp_path: Path) -> None:
    f = tmp_path / "p.yaml"
    f.write_text("rules: [unclosed", encoding="utf-8")
    with pytest.raises(InvalidInput, match="YAML"):
        load_policy(f)
    f.write_text("- just a list\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="顶层"):
        load_policy(f)
    with pytest.raises(InvalidInput, match="无法读取"):
        load_policy(tmp_path / "missing.yaml")
    d = _policy_dict()
    d["lists"]["blacklist"]["file"] = "nope.txt"
    f.write_text(yaml.safe_dump(d, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InvalidInput, match="blacklist"):
        load_policy(f)


def test_blacklist_from_file_relative_to_policy(tmp_path: Path) -> None:
    (tmp_path / "bl.txt").write_text("# 黑名单\n330106198001011234\n\n33010619800101123X\n", encoding="utf-8")
    d = _policy_dict()
    d["lists"]["blacklist"] = {"file": "bl.txt"}
    (tmp_path / "p.yaml").write_text(yaml.safe_dump(d, allow_unicode=True), encoding="utf-8")
    p = load_policy(tmp_path / "p.yaml")
    hits = {r.id for r in p.evaluate("pre_score", {"age": 30, "id_no": "33010619800101123X"})}
    assert "PRE_BLACKLIST" in hits
    assert not p.evaluate("pre_score", {"age": 30, "id_number": "330106198001019999"})


def test_missing_fields_never_fire_knockouts_but_required_refers() -> None:
    p = load_policy()
    fired = p.evaluate("pre_score", {})
    assert [r.id for r in fired] == ["PRE_REQUIRED"]
    assert "age" in fired[0].reason and fired[0].action == "refer"
    assert p.evaluate("pre_score", {"年龄": 30}) == []  # Chinese alias satisfies the required field


# ---------------------------------------------------------------- decisions


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> ScorecardModel:
    return tiny_model(tmp_path_factory.mktemp("tiny"))


def test_decide_approve_with_limit_and_price(model) -> None:
    d = decide(model, {"age": 45, "overdue_count_6m": 0, "monthly_income": 8000}, load_policy())
    assert d.outcome == "approve" and d.score == 640
    assert d.price_band == "B" and d.suggested_limit == 48000 and d.interest_rate == pytest.approx(0.0585)
    assert 0 < d.pd < 1 and d.model_version == model.version and d.latency_ms >= 0
    assert d.rules_fired == []
    assert any(r["source"] == "model" for r in d.reasons) or d.score == 640


def test_decide_refer_by_rule_and_by_cutoff(model) -> None:
    policy = load_policy()
    d = decide(model, {"age": 30, "overdue_count_6m": 1, "monthly_income": 5000}, policy)
    assert d.outcome == "refer" and d.score == 580
    assert d.reasons[0]["code"] == "PRE_OVERDUE_WATCH" and "1次逾期" in d.reasons[0]["text"]
    model_reasons = [r for r in d.reasons if r["source"] == "model"]
    assert model_reasons and "拉低评分" in model_reasons[0]["text"]
    d2 = decide(model, {"age": 24, "overdue_count_6m": 0, "monthly_income": 5000, "phone": "x"}, policy)
    assert d2.outcome == "approve" and d2.score == 600 and d2.price_band == "C"
    policy_hi = Policy.from_dict({**_policy_dict(), "cutoffs": {"reject_below": 560, "approve_from": 620}})
    d3 = decide(model, {"age": 24, "overdue_count_6m": 0}, policy_hi)
    assert d3.outcome == "refer" and d3.reasons[0]["code"] == "CUTOFF_REFER"
    assert d3.suggested_limit is None  # no income: limit left to a person


def test_decide_reject_by_knockout_and_by_score(model) -> None:
    policy = load_policy()
    d = decide(model, {"age": 70, "overdue_count_6m": 0, "monthly_income": 9000}, policy)
    assert d.outcome == "reject" and d.suggested_limit is None and d.price_band is None
    assert d.rules_fired[0]["id"] == "PRE_AGE" and "70岁" in d.reasons[0]["text"]
    d2 = decide(model, {"age": 30, "overdue_count_6m": 5}, policy)
    assert d2.outcome == "reject" and d2.score == 500
    assert {"PRE_OVERDUE"} <= {r["id"] for r in d2.rules_fired}
    d3 = decide(model, {"age": 30, "overdue_count_6m": 0, "id_number": "110101199001010000"}, policy)
    assert d3.outcome == "reject" and d3.reasons[0]["text"] == "申请人命中本行黑名单"


def test_decide_missing_and_odd_values_never_crash(model) -> None:
    policy = load_policy()
    d = decide(model, {"overdue_count_6m": float("nan"), "monthly_income": "abc"}, policy)
    assert d.score == 170 + 350 and d.outcome == "reject"  # missing -> the Missing bins' points
    assert [r["code"] for r in d.reasons[:2]] == ["CUTOFF_REJECT", "PRE_REQUIRED"]
    assert d.rules_fired[0]["id"] == "PRE_REQUIRED"
    d2 = decide(model, {"age": "thirty", "overdue_count_6m": None, "extra": [1, 2]}, policy)
    assert d2.outcome in ("refer", "reject")
    with pytest.raises(InvalidInput):
        decide(model, ["not", "a", "dict"], policy)  # type: ignore[arg-type]


def test_decide_is_fast(model) -> None:
    policy = load_policy()
    app = {"age": 35, "overdue_count_6m": 0, "monthly_income": 12000, "id_number": "1", "debt_to_income": 0.3}
    times = []
    for _ in range(300):
        t = time.perf_counter()
        decide(model, app, policy)
        times.append((time.perf_counter() - t) * 1000)
    print(f"decide p50={np.percentile(times, 50):.3f} ms p99={np.percentile(times, 99):.3f} ms")
