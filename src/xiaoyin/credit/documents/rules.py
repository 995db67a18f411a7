"""The declarative red-flag rule set (YAML, editable by risk staff).

A rule names a built-in check from :data:`xiaoyin.credit.documents.trade.CHECKS`, a severity,
whether it is enabled and the check's parameters. The file is validated when it is loaded: an
unknown check, an unknown parameter or a bad value is an :class:`InvalidInput` naming the rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from xiaoyin.core.errors import InvalidInput
from xiaoyin.core.settings import get_settings
from xiaoyin.credit.documents.schemas import Severity

DEFAULT_RULES = Path(__file__).with_name("default_rules.yaml")


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z][a-z0-9_.]*$")
    check: str
    severity: Severity
    title: str
    enabled: bool = True
    params: dict[str, Any] = Field(default_factory=dict)


class RuleSet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = 1
    name: str = ""
    rules: list[Rule]
    source: str = ""

    def enabled(self) -> list[Rule]:
        return [r for r in self.rules if r.enabled]


class CheckSpec(Protocol):
    """What a rule set is checked against: a registered check and the model of its parameters."""

    params: type[BaseModel]


def parse_rules(path: str | Path | None, checks: Mapping[str, CheckSpec]) -> RuleSet:
    """Load a rule set (``path``, else ``settings.docs.rules_path``, else the bundled one) and check
    each rule against ``checks`` (the registry lives in :mod:`.trade`, which calls this: the rule
    model knows nothing of the checks, so the two modules do not import each other)."""
    path = Path(path or get_settings().docs.rules_path or DEFAULT_RULES)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidInput(f"规则文件无法读取：{path}（{exc.strerror or exc}）") from exc
    except yaml.YAMLError as exc:
        raise InvalidInput(f"规则文件不是合法的 YAML：{path}：{exc}") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("rules"), list):
        raise InvalidInput(f"规则文件 {path} 必须包含 rules 列表")
    try:
        ruleset = RuleSet(**raw, source=str(path))
    except ValidationError as exc:
        raise InvalidInput(f"规则文件 {path} 格式错误：{exc.errors()[0]['loc']} {exc.errors()[0]['msg']}") from exc
    seen: set[str] = set()
    for rule in ruleset.rules:
        if rule.id in seen:
            raise InvalidInput(f"规则 {rule.id} 在 {path} 中重复出现")
        seen.add(rule.id)
        check = checks.get(rule.check)
        if check is None:
            raise InvalidInput(f"规则 {rule.id}：未知的检查 {rule.check!r}（可用：{', '.join(sorted(checks))}）")
        try:
            rule.params = check.params(**rule.params).model_dump()
        except ValidationError as exc:
            err = exc.errors()[0]
            raise InvalidInput(f"规则 {rule.id} 的参数 {'.'.join(map(str, err['loc']))} 有误：{err['msg']}") from exc
    return ruleset
