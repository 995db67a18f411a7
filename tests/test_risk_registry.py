"""Model registry on SQLite and PostgreSQL: register, champion/challengers, segments, promote, rollback, audit."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import import_all_stores
from xiaoyin.core.db import Base, get_engine
from xiaoyin.core.errors import InvalidInput, NotFound
from xiaoyin.core.settings import get_settings
from xiaoyin.credit.risk import registry
from xiaoyin.credit.risk.model import ScorecardModel

from .test_risk_policy import tiny_model


def _variant(src: Path, dest: Path, intercept: float, segment: dict | None = None) -> Path:
    """A copy of the tiny model with another intercept (so another version)."""
    m = ScorecardModel.load(src)
    m.intercept = intercept
    if segment:
        m.meta = {**m.meta, "segment": segment}
    m.save(dest)
    (dest / "report.json").write_text(json.dumps({"rows": 600, "bad_rate": 0.16,
                                                  "cv": {"scorecard": {"auc": 0.7, "ks": 0.3}}}), encoding="utf-8")
    return dest


@pytest.fixture
def dirs(tmp_path: Path) -> list[Path]:
    tiny_model(tmp_path / "base")
    return [_variant(tmp_path / "base", tmp_path / f"v{i}", -1.6 + i / 10) for i in range(3)]


def test_risk_migration_matches_models(db_home: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    import_all_stores()  # the whole schema is compared, whatever ran before this test
    with get_engine().connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_register_promote_rollback_audit(db_home: str, dirs: list[Path]) -> None:
    v0 = registry.register(dirs[0], "消费贷", user="张三", note="首版")[0]
    assert v0.status == "champion" and v0.created_by == "张三" and v0.metrics["cv"]["scorecard"]["auc"] == 0.7
    copied = Path(v0.path)
    assert copied == (get_settings().home / "models" / "risk" / "消费贷" / v0.version).resolve()
    assert (copied / "model.json").is_file()
    again = registry.register(dirs[0], "消费贷", user="李四")[0]  # same version: idempotent
    assert again.version == v0.version and again.created_by == "张三"
    assert len(registry.list_models("消费贷")) == 1

    v1 = registry.register(dirs[1], "消费贷", user="李四")[0]
    v2 = registry.register(dirs[2], "消费贷", user="李四")[0]
    assert v1.status == v2.status == "challenger"
    assert {m.version for m in registry.challengers("消费贷")} == {v1.version, v2.version}

    registry.promote("消费贷", v1.version, user="王五", note="AUC 更高")
    registry.promote("消费贷", v2.version, user="赵六")
    assert registry.champion("消费贷").version == v2.version
    back = registry.rollback("消费贷", user="钱七", note="线上PSI告警")
    assert back.version == v1.version and registry.champion("消费贷").version == v1.version
    status = {m.version: m.status for m in registry.list_models("消费贷")}
    assert status == {v0.version: "challenger", v1.version: "champion", v2.version: "retired"}
    assert registry.rollback("消费贷", user="钱七").version == v0.version
    with pytest.raises(InvalidInput, match="没有可回滚"):
        registry.rollback("消费贷", user="钱七")

    ev = registry.events("消费贷")
    assert [e.action for e in ev] == ["register", "promote", "register", "register", "promote", "promote",
                                      "rollback", "rollback"]
    rb = ev[6]
    assert (rb.user, rb.from_version, rb.to_version, rb.note) == ("钱七", v2.version, v1.version, "线上PSI告警")
    assert all(e.created_at is not None for e in ev)
    assert ev[4].user == "王五" and ev[4].from_version == v0.version


def test_segment_models_registered_and_promoted(db_home: str, tmp_path: Path, dirs: list[Path]) -> None:
    pooled = tmp_path / "seg_model"
    shutil.copytree(dirs[0], pooled)
    for i, val in enumerate(["经营贷", "消费贷"]):
        _variant(dirs[0], pooled / "segments" / f"s{i}", -1.0 - i / 10, {"column": "product", "value": val})
    out = registry.register(pooled, "零售", user="张三")
    assert [m.segment for m in out] == ["", "经营贷", "消费贷"]
    assert all(m.status == "champion" for m in out)
    assert set(registry.segments("零售")) == {"", "经营贷", "消费贷"}
    assert registry.champion("零售", "经营贷").path.endswith("segments/s0")
    assert out[1].metrics["parent_version"] == out[0].version

    pooled2 = tmp_path / "seg_model2"
    shutil.copytree(dirs[1], pooled2)
    _variant(dirs[0], pooled2 / "segments" / "s0", -0.5, {"column": "product", "value": "经营贷"})
    new = registry.register(pooled2, "零售", user="李四")
    assert [m.status for m in new] == ["challenger", "challenger"]
    registry.promote("零售", new[0].version, user="王五")  # promotes its segment models too
    assert registry.champion("零售").version == new[0].version
    assert registry.champion("零售", "经营贷").version == new[1].version
    assert registry.champion("零售", "消费贷").version == out[2].version  # untouched
    assert registry.rollback("零售", user="赵六", segment="经营贷").version == out[1].version


@pytest.mark.parametrize("bad", ["", "../x", "a/b", ".hidden", "x" * 101, "a b"])
def test_bad_names_and_missing_models(home: Path, dirs: list[Path], bad: str) -> None:
    with pytest.raises(InvalidInput):
        registry.register(dirs[0], bad)


def test_unknown_versions_and_dirs(home: Path, tmp_path: Path, dirs: list[Path]) -> None:
    with pytest.raises(InvalidInput, match="model.json"):
        registry.register(tmp_path, "x")
    with pytest.raises(NotFound):
        registry.promote("nothing", "abc")
    with pytest.raises(NotFound):
        registry.rollback("nothing")
    assert registry.champion("nothing") is None and registry.list_models("nothing") == []
