"""Shared pieces of the validators: the typed :class:`ValidationError` and the finding builder."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from xiaoyin.core.errors import InvalidInput
from xiaoyin.credit.documents.schemas import Finding, Severity

CENT = Decimal("0.01")


class ValidationError(InvalidInput):
    """A value that fails a format or checksum rule; ``message`` is "中文原因（English reason）"."""

    code = "invalid_value"

    def __init__(self, zh: str, en: str, *, rule_id: str, **details: object) -> None:
        super().__init__(f"{zh}（{en}）", rule_id=rule_id, **details)
        self.zh = zh
        self.en = en
        self.rule_id = rule_id


class InvalidLength(ValidationError):
    code = "invalid_length"


class InvalidFormat(ValidationError):
    code = "invalid_format"


class InvalidChecksum(ValidationError):
    code = "invalid_checksum"


class InvalidComponent(ValidationError):
    code = "invalid_component"


def clean(value: str, drop: str = " -") -> str:
    """NFKC-normalise (full-width -> half-width), drop whitespace and ``drop`` chars, upper-case."""
    text = unicodedata.normalize("NFKC", value)
    return "".join(ch for ch in text if not ch.isspace() and ch not in drop).upper()


def finding(
    rule_id: str,
    severity: Severity | str,
    message: str,
    fields: Iterable[str] | str,
    documents: Iterable[str] | None,
    **details: Any,
) -> Finding:
    """Build a :class:`Finding`; ``details`` values that are Decimals/dates are stored as strings."""
    fields = [fields] if isinstance(fields, str) else [f for f in fields if f]
    clean_details = {k: (v if isinstance(v, (int, float, bool, str, type(None), list, dict)) else str(v))
                     for k, v in details.items()}
    return Finding(rule_id=rule_id, severity=Severity(severity), message=message, fields=fields,
                   documents=list(documents or []), details=clean_details)



def money(value: Decimal) -> str:
    """``10500`` -> ``"10500.00"``; values with more than two decimals are shown in full."""
    if value == value.quantize(CENT):
        return f"{value.quantize(CENT)}"
    return format(value.normalize(), "f")


def num(value: Decimal) -> str:
    """A quantity or price without exponent or trailing zeros: ``Decimal('12.50')`` -> ``"12.5"``."""
    return format(value.normalize(), "f")
