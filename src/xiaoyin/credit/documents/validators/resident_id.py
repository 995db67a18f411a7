"""公民身份号码 (resident ID number, GB 11643-1999): 6 address + 8 birth date + 3 sequence + check.

Hard rules: 17 digits + ISO 7064 MOD 11-2 check character, a real birth date not in the future.
Soft rule: the address code exists in GB/T 2260 (python-stdnum's table, whatever the year: its
``stdnum.cn.ric.validate`` rejects valid numbers whose county code was abolished, so it is not used
for the hard check). Legacy 15-digit numbers (GB 11643-1989, no check digit) are accepted and can be
upgraded with :func:`to_18`.
"""

from __future__ import annotations

import datetime as dt
import re

from stdnum.cn import ric as _stdnum_ric

from xiaoyin.credit.documents.schemas import Finding, Severity
from xiaoyin.credit.documents.validators.base import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    ValidationError,
    clean,
    finding,
)
from xiaoyin.credit.documents.validators.uscc import admin_division

RULE_ID = "resident_id.invalid"
_FORMAT_18 = re.compile(r"^\d{17}[\dX]$")
_FORMAT_15 = re.compile(r"^\d{15}$")


def compact(value: str) -> str:
    return clean(value, " -")


def calc_check_digit(value: str) -> str:
    """The MOD 11-2 check character for the first 17 digits."""
    return _stdnum_ric.calc_check_digit(compact(value)[:17] + "0")


def to_18(value: str) -> str:
    """Upgrade a 15-digit number: insert ``19`` before the 2-digit year and append the check digit."""
    old = compact(value)
    body = old[:6] + "19" + old[6:]
    return body + calc_check_digit(body)


def birth_date(value: str) -> dt.date:
    """The birth date (raises :class:`InvalidComponent` when it is not a real date)."""
    number = compact(value)
    digits = "19" + number[6:12] if len(number) == 15 else number[6:14]
    try:
        return dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise InvalidComponent(f"出生日期「{digits}」不是有效日期", f"birth date {digits} is not a valid date",
                               rule_id=RULE_ID) from None


def validate(value: str, *, today: dt.date | None = None) -> str:
    """Return the compact number or raise a :class:`ValidationError` (checksum and birth date)."""
    number = compact(value)
    if len(number) not in (15, 18):
        raise InvalidLength(f"身份证号码应为18位（或旧版15位），实为{len(number)}位",
                            f"resident ID must have 18 (or legacy 15) characters, got {len(number)}", rule_id=RULE_ID)
    if not (_FORMAT_18 if len(number) == 18 else _FORMAT_15).match(number):
        raise InvalidFormat("身份证号码格式错误（前17位须为数字，末位为数字或X）",
                            "resident ID: 17 digits then a digit or X", rule_id=RULE_ID)
    if len(number) == 18 and number[-1] != calc_check_digit(number):
        expected = calc_check_digit(number)
        raise InvalidChecksum(f"身份证号码校验位应为{expected}，实为{number[-1]}",
                              f"resident ID check character should be {expected}", rule_id=RULE_ID)
    born = birth_date(number)
    if born > (today or dt.date.today()) or born.year < 1850:
        raise InvalidComponent(f"出生日期{born.isoformat()}不合理", f"implausible birth date {born}", rule_id=RULE_ID)
    return number


def is_valid(value: str) -> bool:
    try:
        validate(value)
    except ValidationError:
        return False
    return True


def gender(value: str) -> str:
    """``"男"`` for an odd sequence number, ``"女"`` for an even one."""
    number = compact(value)
    return "男" if int(number[14 if len(number) == 18 else 12]) % 2 else "女"


def check(value: str | None, field_path: str, *, documents: list[str] | None = None,
          today: dt.date | None = None) -> list[Finding]:
    """``resident_id.invalid``: error for checksum/date failures, warning for an unknown address code."""
    if value is None or not value.strip():
        return []
    try:
        number = validate(value, today=today)
    except ValidationError as exc:
        return [finding(RULE_ID, Severity.error, f"身份证号码「{value}」无效：{exc.zh}", field_path, documents,
                        value=value, reason=exc.en)]
    if not admin_division(number[:6]):
        return [finding(RULE_ID, Severity.warning,
                        f"身份证号码「{number}」前6位地址码「{number[:6]}」不在GB/T 2260代码表中，需核实",
                        field_path, documents, value=number)]
    return []
