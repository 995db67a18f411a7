"""Tolerant parsers for printed values (amounts, dates, rates, codes) and label matching.

Every parser returns ``None`` when the text does not hold a valid value, never raises.
They accept what a text layer or an OCR pass of a degraded scan yields: full-/half-width
punctuation, dropped or extra spaces, '¥' read as 'Y'/'羊'/'半', thousands separators.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

_FW = str.maketrans(
    "０１２３４５６７８９．，：；（）－／％",
    "0123456789.,:;()-/%",
)
_CURRENCY = "¥￥Y羊半茶平辛"
AMOUNT_RE = re.compile(
    r"(?<![\dA-Za-z.])(?:[" + _CURRENCY + r"]\s*)?(-?\s*[" + _CURRENCY + r"]?\s*\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\s*\d+(?:\.\d+)?)(?![\d])"
)
DATE_RE = re.compile(
    r"(?P<y>(?:19|20)\d{2})\s*(?:年|-|/|\.)\s*(?P<m>\d{1,2})\s*(?:月|-|/|\.)\s*(?P<d>\d{1,2})\s*日?"
)
DATE8_RE = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)(?!\d)")
PERCENT_RE = re.compile(r"(-?\d+(?:\.\d+)?)\s*%")
MAX_INT_DIGITS = 15  # more integer digits than any real amount: a misread or hostile value


def bounded_decimal(text: str) -> Decimal | None:
    """``Decimal(text)`` when it is a finite number with at most MAX_INT_DIGITS integer digits, else None."""
    try:
        d = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    if not d.is_finite():
        return None
    if d and d.adjusted() + 1 > MAX_INT_DIGITS:
        return None
    return d


def normalize(text: str) -> str:
    """Full-width digits/punctuation to half-width; no other change."""
    return text.translate(_FW)


def compact(text: str) -> str:
    """``normalize`` then drop all whitespace (the form used to compare and to ground values)."""
    return re.sub(r"\s+", "", normalize(text))


def parse_amount(text: str | None) -> Decimal | None:
    """``¥1,234.50`` / ``Y1234.5`` / ``-¥12.00`` / ``羊12`` / ``1 234.00`` -> Decimal; None if no number."""
    if text is None:
        return None
    t = normalize(text).replace("−", "-").replace("—", "-")
    t = re.sub(r"[" + _CURRENCY + r"]", "", t)
    t = t.replace("元", "").strip()
    # OCR sometimes reads a comma as a dot in a thousands group: keep only the last dot
    t = re.sub(r"(?<=\d)\s+(?=\d{3}\b)", "", t)
    m = re.search(r"-?\s*\d[\d,]*(?:\.\d+)?", t)
    if not m:
        return None
    return bounded_decimal(m.group(0).replace(" ", "").replace(",", ""))


def parse_date(text: str | None) -> dt.date | None:
    """``2024年05月12日`` / ``2024-05-12`` / ``2024/5/12`` / ``2024.05.12`` / ``20240512`` -> date."""
    if not text:
        return None
    t = normalize(text)
    m = DATE_RE.search(t) or DATE8_RE.search(re.sub(r"\s+", "", t))
    if not m:
        return None
    try:
        return dt.date(int(m["y"]), int(m["m"]), int(m["d"]))
    except ValueError:
        return None


def find_dates(text: str) -> list[tuple[dt.date, int, int]]:
    """All dates in ``text`` with their [start, end) offsets."""
    out = []
    for m in DATE_RE.finditer(normalize(text)):
        try:
            out.append((dt.date(int(m["y"]), int(m["m"]), int(m["d"])), m.start(), m.end()))
        except ValueError:
            continue
    return out


def parse_percent(text: str | None) -> Decimal | None:
    """``13%`` -> 0.13, ``4.35%`` -> 0.0435, a bare fraction ``0.13`` -> 0.13; 免税/不征税 -> None."""
    if not text:
        return None
    t = normalize(text)
    m = PERCENT_RE.search(t.replace(" ", ""))
    if m:
        d = bounded_decimal(m.group(1))
        return None if d is None else (d / 100).normalize() if d else Decimal("0")
    m = re.fullmatch(r"\s*(0(?:\.\d+)?|1(?:\.0+)?)\s*", t)
    if m:
        d = bounded_decimal(m.group(1))
        return None if d is None else d.normalize() if d else Decimal("0")
    return None


def parse_decimal(text: str | None) -> Decimal | None:
    """A plain number (quantity, unit price): ``12.5``, ``3580.000000``, ``1,200``."""
    if not text:
        return None
    m = re.search(r"-?\d[\d,]*(?:\.\d+)?", normalize(text).replace(" ", ""))
    if not m:
        return None
    return bounded_decimal(m.group(0).replace(",", ""))


def parse_digits(text: str | None, lengths: tuple[int, ...] | None = None) -> str | None:
    """A digit code with spaces inside groups removed (``12345 67890`` -> ``1234567890``)."""
    if not text:
        return None
    t = re.sub(r"[\s\-]", "", normalize(text))
    m = re.search(r"\d+", t)
    if not m:
        return None
    d = m.group(0)
    if lengths and len(d) not in lengths:
        return None
    return d


def parse_code(text: str | None) -> str | None:
    """An alphanumeric identifier (USCC, contract number ``GX-2024-0153``): whitespace removed, upper case."""
    if not text:
        return None
    t = re.sub(r"\s+", "", normalize(text)).strip(":;,。，")
    m = re.search(r"[0-9A-Za-z][0-9A-Za-z\-_/]*[0-9A-Za-z]|[0-9A-Za-z]", t)
    return m.group(0).upper() if m else None


_CJK = r"[\u4e00-\u9fff]"
_HALF_TO_FULL = {":": "：", ",": "，", ";": "；", "(": "（", ")": "）"}


def cjk_punct(text: str) -> str:
    """ASCII ``: , ; ( )`` next to a Chinese character made full-width (OCR reads them half-width)."""
    return re.sub(
        r"(?<=" + _CJK + r")[:,;()]|[:,;()](?=" + _CJK + r")",
        lambda m: _HALF_TO_FULL[m.group(0)],
        text,
    )


def parse_text(text: str | None) -> str | None:
    """A free-text value: trimmed of spaces and stray colons, Chinese punctuation full-width; None if empty."""
    if text is None:
        return None
    t = text.strip().strip("：:").strip()
    return cjk_punct(t) or None


def parse_ident(text: str | None) -> str | None:
    """A document number as printed (``GX-2024-0153``, ``2024年流借字第2283号``): whitespace removed."""
    if not text:
        return None
    t = re.sub(r"\s+", "", normalize(text)).strip("：:;；,，。")
    return t or None


def label_pattern(*labels: str) -> str:
    """A regex alternative matching any of ``labels`` with optional spaces between characters and an
    optional colon (full- or half-width) after it."""
    alts = []
    for lab in sorted(labels, key=len, reverse=True):
        chars = []
        for ch in lab:
            if ch in "（(":
                chars.append(r"[（(]")
            elif ch in "）)":
                chars.append(r"[）)]")
            elif ch in "：:":
                chars.append(r"[：:]")
            elif ch == "/":
                chars.append(r"[/／]")
            elif ch in "、,":
                chars.append(r"[、,，]")
            else:
                chars.append(re.escape(ch))
        alts.append(r"\s*".join(chars))
    return "(?:" + "|".join(alts) + r")\s*[：:]?"


def match_label(text: str, *labels: str) -> re.Match[str] | None:
    """The first occurrence in ``text`` of any label (space/colon tolerant)."""
    return re.search(label_pattern(*labels), text)
