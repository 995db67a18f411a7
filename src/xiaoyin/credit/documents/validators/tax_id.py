"""纳税人识别号 (taxpayer identification number): 15, 17, 18 or 20 characters.

* 18: the USCC (三证合一, since 2015) — :mod:`.uscc` rules — or, for an individual / 个体工商户,
  the 18-digit resident ID (:mod:`.resident_id`);
* 15: legacy = 6-digit admin-division code + 9-character organisation code (:mod:`.org_code`);
* 20: legacy individual = 18-digit resident ID + 2-digit suffix, or 15-digit old ID + 5-digit suffix;
* 17: format only (upper-case letters and digits).
"""

from __future__ import annotations

import re

from xiaoyin.credit.documents.schemas import Finding, Severity
from xiaoyin.credit.documents.validators import org_code, resident_id, uscc
from xiaoyin.credit.documents.validators.base import (
    InvalidFormat,
    InvalidLength,
    ValidationError,
    clean,
    finding,
)

RULE_ID = "tax_id.format"
_ALNUM = re.compile(r"^[0-9A-Z]+$")


def compact(value: str) -> str:
    return clean(value, " -")


def kind(value: str) -> str:
    """``"uscc"``, ``"resident_id"``, ``"legacy15"``, ``"legacy17"``, ``"legacy20"`` or ``"invalid"``."""
    try:
        return _validate(compact(value))[1]
    except ValidationError:
        return "invalid"


def validate(value: str) -> str:
    """Return the compact tax id or raise a :class:`ValidationError` (``rule_id`` names the failed rule)."""
    return _validate(compact(value))[0]


def is_valid(value: str) -> bool:
    try:
        validate(value)
    except ValidationError:
        return False
    return True


def _validate(number: str) -> tuple[str, str]:
    if not _ALNUM.match(number):
        raise InvalidFormat("纳税人识别号只能由数字和大写字母组成", "tax id must be digits and upper-case letters",
                            rule_id=RULE_ID)
    if len(number) == 18:
        try:
            return uscc.validate(number), "uscc"
        except ValidationError:
            if resident_id.is_valid(number):
                return number, "resident_id"
            raise
    if len(number) == 15:
        if not number[:6].isdigit():
            raise InvalidFormat("15位纳税人识别号前6位应为行政区划代码", "15-char tax id: first 6 must be digits",
                                rule_id=RULE_ID)
        try:
            org_code.validate(number[6:])
        except ValidationError as exc:
            raise InvalidFormat(f"15位纳税人识别号第7–15位组织机构代码无效：{exc.zh}",
                                f"15-char tax id: embedded organisation code: {exc.en}", rule_id=RULE_ID) from None
        return number, "legacy15"
    if len(number) == 17:
        return number, "legacy17"
    if len(number) == 20:
        if number[18:].isdigit() and resident_id.is_valid(number[:18]):
            return number, "legacy20"
        if number[15:].isdigit() and resident_id.is_valid(number[:15]):
            return number, "legacy20"
        raise InvalidFormat("20位纳税人识别号应为身份证号码加2位（或旧15位身份证加5位）数字序号",
                            "20-char tax id must be a resident ID plus a numeric suffix", rule_id=RULE_ID)
    raise InvalidLength(f"纳税人识别号应为15、17、18或20位，实为{len(number)}位",
                        f"tax id must have 15, 17, 18 or 20 characters, got {len(number)}", rule_id=RULE_ID)


def check(value: str | None, field_path: str, *, documents: list[str] | None = None) -> list[Finding]:
    """Findings for a tax id: ``tax_id.format`` or, for 18 characters, the ``uscc.*`` / ``resident_id.*`` ones."""
    if value is None or not value.strip():
        return []
    number = compact(value)
    if _ALNUM.match(number) and len(number) == 18:
        if not uscc.is_valid(number) and resident_id.is_valid(number):
            return resident_id.check(number, field_path, documents=documents)
        return uscc.check(number, field_path, documents=documents)
    try:
        _validate(number)
    except ValidationError as exc:
        return [finding(RULE_ID, Severity.error, f"纳税人识别号「{value}」无效：{exc.zh}", field_path, documents,
                        value=value, reason=exc.en)]
    return []
