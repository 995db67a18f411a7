"""发票代码 / 发票号码 (invoice code and number) and the invoice kind they encode.

* 10-digit code ``^\\d{8}[2-9][0-4]$``: 1-4 region, 5-6 year, 7 batch, **8 kind** (1/5 专用发票,
  3/6 普通发票, 2/7 货运专票), 9 copies, 10 amount version.
* 12-digit code starting with ``0``: 2-5 region, 6-7 year, 8-10 batch, **11-12 kind** (04/05 普通发票
  折叠票, 06/07 卷票, 11 电子普通发票, 12 通行费电子普票, 13 电子专用发票, 17 二手车); four historic
  codes are 电子普通发票 by exception (:data:`E_ORDINARY_EXCEPTIONS`); first digit not ``0`` and 8th
  digit ``2`` = 机动车销售统一发票.
* 发票号码: 8 digits (traditional) or 20 digits (数电: 1-2 year, 3-4 province, 5 channel, 6-20 sequence).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from xiaoyin.credit.documents.schemas import Finding, InvoiceKind, Severity
from xiaoyin.credit.documents.validators.base import (
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    ValidationError,
    clean,
    finding,
)

RULE_CODE = "invoice.code_format"
RULE_NUMBER = "invoice.number_format"
RULE_KIND = "invoice.kind_mismatch"

_CODE10 = re.compile(r"^\d{8}[2-9][0-4]$")
_CODE12 = re.compile(r"^\d{12}$")
_NUMBER8 = re.compile(r"^\d{8}$")
_NUMBER20 = re.compile(r"^\d{20}$")

_ORDINARY = frozenset({InvoiceKind.ordinary})
_SPECIAL = frozenset({InvoiceKind.special})
_E_ORDINARY = frozenset({InvoiceKind.e_ordinary})
_NONE: frozenset[InvoiceKind] = frozenset()

# 10-digit code, 8th digit -> (name, compatible printed kinds)
KIND_DIGIT_10: dict[str, tuple[str, frozenset[InvoiceKind]]] = {
    "1": ("增值税专用发票", _SPECIAL), "5": ("增值税专用发票", _SPECIAL),
    "3": ("增值税普通发票", _ORDINARY), "6": ("增值税普通发票", _ORDINARY),
    "2": ("货物运输业增值税专用发票", _NONE), "7": ("货物运输业增值税专用发票", _NONE),
}
# 12-digit code starting with 0, digits 11-12 -> (name, compatible printed kinds)
KIND_SUFFIX_12: dict[str, tuple[str, frozenset[InvoiceKind]]] = {
    "04": ("增值税普通发票（二联折叠票）", _ORDINARY),
    "05": ("增值税普通发票（五联折叠票）", _ORDINARY),
    "06": ("增值税普通发票（卷票）", _ORDINARY),
    "07": ("增值税普通发票（卷票）", _ORDINARY),
    "11": ("增值税电子普通发票", _E_ORDINARY),
    "12": ("收费公路通行费增值税电子普通发票", _E_ORDINARY),
    "13": ("增值税电子专用发票", _SPECIAL),
    "17": ("二手车销售统一发票", _NONE),
}
E_ORDINARY_EXCEPTIONS = frozenset({"144031539110", "131001570151", "133011501118", "111001571071"})

# 数电 number digits 3-4: province-level codes (GB/T 2260 first two digits).
PROVINCES: dict[str, str] = {
    "11": "北京", "12": "天津", "13": "河北", "14": "山西", "15": "内蒙古", "21": "辽宁", "22": "吉林",
    "23": "黑龙江", "31": "上海", "32": "江苏", "33": "浙江", "34": "安徽", "35": "福建", "36": "江西",
    "37": "山东", "41": "河南", "42": "湖北", "43": "湖南", "44": "广东", "45": "广西", "46": "海南",
    "50": "重庆", "51": "四川", "52": "贵州", "53": "云南", "54": "西藏", "61": "陕西", "62": "甘肃",
    "63": "青海", "64": "宁夏", "65": "新疆",
}
DIGITAL_FIRST_YEAR = 2021


@dataclass(frozen=True)
class CodeInfo:
    """What a 发票代码 says: its printed-kind name and the :class:`InvoiceKind` values it agrees with."""

    name: str
    kinds: frozenset[InvoiceKind]


def compact(value: str) -> str:
    return clean(value, " -")


def validate_code(value: str) -> str:
    """Return the compact 发票代码 or raise a :class:`ValidationError` (``invoice.code_format``)."""
    code = compact(value)
    if len(code) not in (10, 12):
        raise InvalidLength(f"发票代码应为10位或12位，实为{len(code)}位",
                            f"invoice code must have 10 or 12 digits, got {len(code)}", rule_id=RULE_CODE)
    if len(code) == 10 and not _CODE10.match(code):
        raise InvalidFormat("10位发票代码格式错误（须为数字，第9位联次2–9，第10位金额版本0–4）",
                            "10-digit code must match ^\\d{8}[2-9][0-4]$", rule_id=RULE_CODE)
    if len(code) == 12 and not _CODE12.match(code):
        raise InvalidFormat("12位发票代码须全为数字", "12-digit code must be digits", rule_id=RULE_CODE)
    if len(code) == 12 and code[0] != "0" and code not in E_ORDINARY_EXCEPTIONS and code[7] != "2":
        raise InvalidFormat("12位发票代码首位不是0，不是增值税发票代码",
                            "12-digit VAT invoice code must start with 0", rule_id=RULE_CODE)
    return code


def code_info(value: str) -> CodeInfo | None:
    """The invoice kind a valid code encodes; None when the kind digits are unknown."""
    code = validate_code(value)
    if len(code) == 10:
        name, kinds = KIND_DIGIT_10.get(code[7], ("", _NONE))
        return CodeInfo(name, kinds) if name else None
    if code in E_ORDINARY_EXCEPTIONS:
        return CodeInfo("增值税电子普通发票", _E_ORDINARY)
    if code[0] != "0":
        return CodeInfo("机动车销售统一发票", _NONE)
    name, kinds = KIND_SUFFIX_12.get(code[10:], ("", _NONE))
    return CodeInfo(name, kinds) if name else None


def validate_number(value: str, *, digital: bool | None = None, today: dt.date | None = None) -> str:
    """Return the compact 发票号码 or raise (``invoice.number_format``).

    ``digital`` True demands 20 digits, False 8 digits, None accepts either.
    """
    number = compact(value)
    if not number.isdigit() or len(number) not in (8, 20):
        raise InvalidFormat("发票号码应为8位数字（数电发票为20位数字）",
                            "invoice number must be 8 digits (20 on 数电 invoices)", rule_id=RULE_NUMBER)
    if digital is True and len(number) != 20:
        raise InvalidLength(f"数电发票号码应为20位，实为{len(number)}位",
                            f"数电 invoice number must have 20 digits, got {len(number)}", rule_id=RULE_NUMBER)
    if digital is False and len(number) != 8:
        raise InvalidLength(f"发票号码应为8位，实为{len(number)}位（20位号码仅用于数电发票）",
                            f"invoice number must have 8 digits, got {len(number)}", rule_id=RULE_NUMBER)
    if len(number) == 20:
        year = 2000 + int(number[:2])
        this_year = (today or dt.date.today()).year
        if not DIGITAL_FIRST_YEAR <= year <= this_year:
            raise InvalidComponent(f"数电发票号码前2位年份「{number[:2]}」不在{DIGITAL_FIRST_YEAR}–{this_year}年之间",
                                   f"数电 number year {year} outside {DIGITAL_FIRST_YEAR}..{this_year}",
                                   rule_id=RULE_NUMBER)
    return number


def is_valid_code(value: str) -> bool:
    try:
        validate_code(value)
    except ValidationError:
        return False
    return True


def is_valid_number(value: str) -> bool:
    try:
        validate_number(value)
    except ValidationError:
        return False
    return True


def check(*, code: str | None, number: str | None, kind: InvoiceKind | None, issue_date: dt.date | None = None,
          documents: list[str] | None = None, today: dt.date | None = None,
          code_field: str = "code", number_field: str = "number", kind_field: str = "kind") -> list[Finding]:
    """Code/number format and agreement with the printed kind.

    Rule ids: ``invoice.code_format`` (error; warning for unknown kind digits), ``invoice.number_format``
    (error; warning for an unknown province code or a year that differs from the issue date) and
    ``invoice.kind_mismatch`` (error).
    """
    code = code if code and code.strip() else None
    number = number if number and number.strip() else None
    out: list[Finding] = []
    if code is not None:
        out += _check_code(code, kind, documents, code_field, kind_field)
    if number is not None:
        out += _check_number(number, kind, issue_date, documents, today, number_field)
    return out


def _check_code(code: str, kind: InvoiceKind | None, documents: list[str] | None, code_field: str,
                kind_field: str) -> list[Finding]:
    if kind is not None and kind.is_digital:
        return [finding(RULE_KIND, Severity.error, f"{kind.value}不应有发票代码，但票面印有发票代码「{code}」",
                        [code_field, kind_field], documents, code=code, kind=kind.value)]
    try:
        info = code_info(code)
    except ValidationError as exc:
        return [finding(RULE_CODE, Severity.error, f"发票代码「{code}」格式错误：{exc.zh}", code_field, documents,
                        code=code, reason=exc.en)]
    if info is None:
        return [finding(RULE_CODE, Severity.warning, f"发票代码「{code}」的发票种类代码未知，无法判断票种",
                        code_field, documents, code=code)]
    if kind is not None and kind not in info.kinds:
        return [finding(RULE_KIND, Severity.error,
                        f"发票代码「{code}」对应{info.name}，与票面票种「{kind.value}」不符",
                        [code_field, kind_field], documents, code=code, code_kind=info.name, kind=kind.value)]
    return []


def _check_number(number: str, kind: InvoiceKind | None, issue_date: dt.date | None, documents: list[str] | None,
                  today: dt.date | None, number_field: str) -> list[Finding]:
    digital = None if kind is None else kind.is_digital
    try:
        compacted = validate_number(number, digital=digital, today=today)
    except ValidationError as exc:
        what = f"（{kind.value}）" if kind is not None else ""
        return [finding(RULE_NUMBER, Severity.error, f"发票号码「{number}」{what}格式错误：{exc.zh}", number_field,
                        documents, number=number, reason=exc.en)]
    out: list[Finding] = []
    if len(compacted) == 20:
        province = compacted[2:4]
        if province not in PROVINCES:
            out.append(finding(RULE_NUMBER, Severity.warning,
                               f"数电发票号码「{compacted}」第3–4位地区代码「{province}」不在省级代码表中，需核实",
                               number_field, documents, number=compacted))
        if issue_date is not None and int(compacted[:2]) != issue_date.year % 100:
            out.append(finding(RULE_NUMBER, Severity.warning,
                               f"数电发票号码「{compacted}」年份「20{compacted[:2]}」与开票日期"
                               f"{issue_date.isoformat()}不一致", [number_field, "issue_date"], documents,
                               number=compacted, issue_date=issue_date.isoformat()))
    return out
