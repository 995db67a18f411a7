"""组织机构代码 (organisation code, GB 11714-1997): 8 body characters + 1 check character.

Check: c = 11 - (sum(value * weight) mod 11) with weights 3 7 9 10 5 8 4 2 over ``0-9A-Z``
(value = index); c = 10 -> ``X``, c = 11 -> ``0``. Printed with a hyphen before the check character, e.g. ``12345678-5``. It is positions 9-17
of a USCC and positions 7-15 of a legacy 15-character tax id.
"""

from __future__ import annotations

import re

from xiaoyin.credit.documents.schemas import Finding, Severity
from xiaoyin.credit.documents.validators.base import (
    InvalidChecksum,
    InvalidFormat,
    InvalidLength,
    ValidationError,
    clean,
    finding,
)

RULE_ID = "uscc.org_code"
_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_FORMAT = re.compile(r"^[0-9A-Z]{8}[0-9X]$")


def compact(value: str) -> str:
    """Strip spaces and the ``-`` before the check character; upper-case."""
    return clean(value, " -")


def calc_check_digit(body: str) -> str:
    """The check character for the first 8 characters of ``body``."""
    total = sum(_ALPHABET.index(ch) * w for ch, w in zip(compact(body)[:8], _WEIGHTS, strict=True))
    c = 11 - total % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


def validate(value: str) -> str:
    """Return the compact code or raise a :class:`ValidationError` saying why it is invalid."""
    code = compact(value)
    if len(code) != 9:
        raise InvalidLength(f"组织机构代码应为9位，实为{len(code)}位", f"organisation code must have 9 characters, "
                            f"got {len(code)}", rule_id=RULE_ID)
    if not _FORMAT.match(code):
        raise InvalidFormat("组织机构代码含非法字符", "organisation code has invalid characters", rule_id=RULE_ID)
    expected = calc_check_digit(code)
    if code[-1] != expected:
        raise InvalidChecksum(f"组织机构代码校验位应为{expected}，实为{code[-1]}",
                              f"organisation code check character should be {expected}", rule_id=RULE_ID)
    return code


def is_valid(value: str) -> bool:
    try:
        validate(value)
    except ValidationError:
        return False
    return True


def format(value: str) -> str:
    """``12345678X`` -> ``12345678-X``."""
    code = compact(value)
    return f"{code[:8]}-{code[8:]}"


def check(value: str | None, field_path: str, *, documents: list[str] | None = None) -> list[Finding]:
    """Findings (``uscc.org_code``, error) for a stand-alone organisation code; ``[]`` when valid or None."""
    if value is None or not value.strip():
        return []
    try:
        validate(value)
    except ValidationError as exc:
        return [finding(RULE_ID, Severity.error, f"组织机构代码「{value}」无效：{exc.zh}", field_path, documents,
                        value=value, reason=exc.en)]
    return []
