"""Helpers shared by the per-document-type layout rules."""

from __future__ import annotations

import re

from ..schemas import LineItem
from .fields import parse_amount
from .kv import KV
from .record import Hit, Record
from .segments import DocLayout, PageLayout, Row
from .table import Table

MONEY_RE = re.compile(r"-?\s*[¥￥Y羊半]?\s*-?\d[\d,]*\.\d{1,2}(?!\d)|-?\s*[¥￥Y羊半]\s*-?\d[\d,]*")
PHONE_RE = re.compile(r"(?:\(?0\d{2,3}\)?[-\s]?\d{7,8}(?:-\d{1,5})?|1[3-9]\d{9}|\d{3,4}-\d{7,8})$")
ACCOUNT_RE = re.compile(r"\d[\d\s]{6,}\d$")
OCR_UNIT_FIX = re.compile(r"^干(?=[只克米瓦件个套台吨张片条根箱包盒粒])")
UPPER_CHARS = "零壹贰叁肆伍陆柒捌玖拾佰仟万亿元圆角分整正负"


def split_tail(value: str, rx: re.Pattern[str]) -> tuple[str, str, int] | None:
    """(head, tail, tail offset) when ``value`` ends with a match of ``rx`` (phone, account)."""
    v = value.rstrip()
    m = rx.search(v)
    if not m:
        return None
    return v[: m.start()].strip(), m.group(0), m.start()


def sub_hit(kv: KV, offset: int, text: str, value: object) -> Hit:
    """A hit for ``text`` found at ``offset`` inside ``kv``'s value."""
    return Hit(value, kv.page, kv.start + offset, kv.start + offset + len(text))


def set_split(rec: Record, kv: KV, head_path: str, tail_path: str, rx: re.Pattern[str], tail_norm) -> None:
    """Fill two fields from one 'head tail' value (address + phone, bank + account)."""
    parts = split_tail(kv.value, rx)
    if parts is None:
        rec.set_hit(head_path, kv.hit())
        return
    head, tail, off = parts
    if head:
        rec.set_hit(head_path, Hit(head, kv.page, kv.start, kv.start + len(head)))
    rec.set_hit(tail_path, sub_hit(kv, off, tail, tail_norm(tail)))


def money_hits(page: PageLayout, row: Row) -> list[tuple[Hit, float]]:
    """Amounts in a row with their x-centres (for totals rows)."""
    out = []
    for seg, (s, _e) in zip(row.segments, row.spans, strict=True):
        for m in MONEY_RE.finditer(seg.text):
            value = parse_amount(m.group(0))
            if value is None:
                continue
            n = max(1, len(seg.text))
            cx = seg.x0 + (seg.x1 - seg.x0) * (m.start() + m.end()) / 2 / n
            out.append((Hit(value, page, s + m.start(), s + m.end()), cx))
    return out


#: Characters OCR reads in place of 大写 numerals (one for one, so offsets stay valid). Applied to
#: OCR text only: on a text layer a wrong character is what was printed and must stay visible.
OCR_UPPER_FIXES = str.maketrans({"参": "叁", "伯": "佰", "什": "仟", "武": "贰", "园": "圆", "壶": "壹"})


def upper_amount(text: str, *, ocr: bool = False) -> tuple[str, int] | None:
    """The 大写 amount inside ``text`` (leading symbols such as ⓧ dropped) and its offset."""
    if ocr:
        text = text.translate(OCR_UPPER_FIXES)
    m = re.search(r"[（(]?负数?[）)]?[" + UPPER_CHARS + r"]+|[" + UPPER_CHARS + r"]{2,}", text)
    if not m:
        return None
    return m.group(0), m.start()


def upper_hit(kv: KV) -> Hit | None:
    """The 大写 amount in a label's value as a hit with its span (OCR confusions fixed on scans)."""
    found = upper_amount(kv.value, ocr=kv.page.source == "ocr")
    if not found:
        return None
    text, off = found
    return Hit(text, kv.page, kv.start + off, kv.start + off + len(text))


def fill_lines(rec: Record, table: Table | None, prefix: str = "lines") -> None:
    """Line items from a table: one LineItem per row, every cell with its provenance."""
    if table is None:
        return
    lines = rec.data.lines  # type: ignore[attr-defined]
    for trow in table.rows:
        item = LineItem()
        hits = {col.field: trow.hit(col) for col in table.columns if col.field in LineItem.model_fields}
        if not any(h is not None for f, h in hits.items() if f != "name") and hits.get("name") is None:
            continue
        lines.append(item)
        i = len(lines) - 1
        for f, h in hits.items():
            if f == "unit" and h is not None and trow.page.source == "ocr" and isinstance(h.value, str):
                h = Hit(OCR_UNIT_FIX.sub("千", h.value), h.page, h.start, h.end)  # 干只 → 千只 (OCR only)
            rec.set_hit(f"{prefix}.{i}.{f}", h)


def first(kvs: list[KV], key: str, parser=None, pred=None) -> Hit | None:
    """The first parseable value of ``key`` (optionally only KVs for which ``pred`` holds)."""
    for kv in kvs:
        if kv.key == key and (pred is None or pred(kv)):
            h = kv.hit(parser)
            if h is not None:
                return h
    return None


def title_rows(layout: DocLayout, n: int = 6) -> list[tuple[PageLayout, Row]]:
    """The first ``n`` rows of the first page (where titles are)."""
    return [(layout.pages[0], r) for r in layout.pages[0].rows[:n]] if layout.pages else []
