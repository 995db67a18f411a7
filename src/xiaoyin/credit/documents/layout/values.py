"""Strict parsers: a value is accepted only when it is what its field claims to be.

Layout rules pair labels with whatever text stands next to them; these parsers return None for text
that cannot be the field's value (a bank name under 账号, a label under 户名, a date under 金额), so
the rule moves on to the next candidate instead of filling the field with it.
"""

from __future__ import annotations

import re
from decimal import Decimal

from xiaoyin.core.zh import chinese_date as parse_cn_date  # noqa: F401 - part of this module's parsers

from ..validators import tax_id as tax_id_validator
from ..validators import uscc
from .fields import normalize, parse_amount, parse_text

_CJK = re.compile(r"[\u4e00-\u9fff]")
_MONEY = re.compile(r"[¥￥Y]?\s*-?\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|[¥￥Y]?\s*-?\d+\.\d{1,2}(?!\d)|[¥￥Y]\s*-?\d+")
ACCOUNT_LENGTHS = (6, 32)


def parse_money(text: str | None) -> Decimal | None:
    """An amount printed as money (``¥1,234.50``, ``1234.50``, ``¥1234``): not a bare integer, not a date."""
    if not text:
        return None
    t = normalize(text).replace("元", "")
    t = re.sub(r"\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?", " ", t)  # a date is not an amount
    m = _MONEY.search(t)
    return parse_amount(m.group(0)) if m else None


def parse_account(text: str | None) -> str | None:
    """A bank account: digits (grouped by spaces or dashes), 6–32 of them; masked digits (``*``) allowed."""
    if not text:
        return None
    t = re.sub(r"[\s\-]", "", normalize(text)).strip("：:")
    m = re.fullmatch(r"[\d*]+", t)
    if not m:
        return None
    digits = sum(c.isdigit() for c in t)
    if digits < 4 or not ACCOUNT_LENGTHS[0] <= len(t) <= ACCOUNT_LENGTHS[1]:
        return None
    return t


def parse_name(text: str | None) -> str | None:
    """A party's name: Chinese text (a company or a person), not a number, not a bare label."""
    value = parse_text(text)
    if value is None or not _CJK.search(value) or len(re.sub(r"\s", "", value)) < 2:
        return None
    if re.fullmatch(r"[\d\s\-*:：]+", value):
        return None
    return value


def parse_bank(text: str | None) -> str | None:
    """A bank or branch name (银行…支行, 农村信用合作联社, 农商行 …)."""
    value = parse_name(text)
    if value is None or not re.search(r"行|社|银|信用|支付|财务公司", value):
        return None
    return value


def parse_tax_id(text: str | None) -> str | None:
    """A taxpayer ID / 统一社会信用代码 of a valid length and alphabet (15, 17, 18 or 20 characters).

    The checksum is *not* required here: a printed code that fails it is still what the document says,
    and the validators report it (``uscc.checksum``); :func:`tax_id_score` prefers valid candidates."""
    if not text:
        return None
    t = re.sub(r"[\s\-]", "", normalize(text)).upper()
    m = re.search(r"(?<![0-9A-Z])[0-9A-Z]{15,20}(?![0-9A-Z])", t)
    if not m or len(m.group(0)) not in (15, 17, 18, 20) or not re.search(r"\d", m.group(0)):
        return None
    return uscc.repair_ocr(m.group(0))


def tax_id_score(value: str) -> int:
    """2 when the ID passes its checksum validator, 1 when only its format is right."""
    return 2 if tax_id_validator.is_valid(value) else 1


_PHONE = re.compile(r"(?:\(?0\d{2,3}\)?[-\s]?\d{7,8}(?:-\d{1,5})?|1[3-9]\d{9}|400-?\d{3}-?\d{4})")


def parse_phone(text: str | None) -> str | None:
    """A telephone number (``0571-12345678``, ``13912345678``), as printed."""
    if not text:
        return None
    m = _PHONE.search(normalize(text))
    return m.group(0).strip() if m else None


def parse_address(text: str | None) -> str | None:
    """A postal address: Chinese text with a place or street word (市, 区, 路, 号 …)."""
    value = parse_text(text)
    if value is None or not _CJK.search(value) or not re.search(r"[省市区县镇路街道号楼室幢村园]", value):
        return None
    return value


_ORG_SUFFIX = re.compile(
    r"(?:公司|厂|集团|合作社|联合社|中心|商行|经营部|门市部|商店|超市|店|工作室|事务所|研究所|研究院|院|"
    r"银行|支行|分行|营业部|站|场|馆|社|局|所|行|部)(?:[（(][^（）()]{1,8}[）)])?$")
_CLAUSE_PUNCT = re.compile(r"[，,。；;：:！？!?、“”\"]")


def parse_org_name(text: str | None) -> str | None:
    """A company (or other organisation) name as a contract party: Chinese text ending in an organisation
    word (公司, 厂, 集团, 合作社, 商行 …), without clause punctuation, verbs of a sentence or dates.
    Clause text after a role word (``买方在收货后五个工作日内验收…``) is refused, so the party stays empty
    rather than wrong."""
    value = parse_name(text)
    if value is None:
        return None
    t = re.sub(r"\s", "", value)
    if not 4 <= len(t) <= 50 or _CLAUSE_PUNCT.search(t) or re.search(r"\d{4}[-/年]", t):
        return None
    if not _ORG_SUFFIX.search(t):
        return None
    if re.search(r"(?:应|须|向|按|于|在|将|由|的|之|及|并|和|对)", t[:2]):  # a sentence, not a name
        return None
    return t


def parse_person(text: str | None) -> str | None:
    """A person's name (法定代表人): 2–4 Chinese characters, or a transliterated name with ``·``."""
    value = parse_text(text)
    if value is None:
        return None
    t = re.sub(r"[\s\-—_|]+$", "", re.sub(r"\s", "", value))  # a stroke or rule beside the name (OCR)
    if re.fullmatch(r"[\u4e00-\u9fff]{2,4}|[\u4e00-\u9fff]{1,6}·[\u4e00-\u9fff]{1,8}", t):
        return t
    return None


