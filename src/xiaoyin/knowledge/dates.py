"""A document's publication date and year, from its content or its file metadata.

Order of trust: a labelled date in the text (``发布日期：2023年3月15日``, ``印发时间：2023-03-15``), a
closing date line (the 落款 of a notice, ``二〇二三年三月十五日``), the file's metadata (HTML
``<meta name="date">``, DOCX core properties, PDF ``CreationDate``; often a template's date, hence
after the text), then a year in the title or file name
(``2023年存款利率公告``), which gives the year alone. The year is what year-bound questions
("2023年…") are matched against; the full date also serves the ``date_from``/``date_to`` filters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from xiaoyin.core import zh
from xiaoyin.knowledge import query
from xiaoyin.knowledge.types import ParsedDocument

_NUM_DATE = re.compile(r"((?:19|20)\d{2})\s*(?:年|-|/|\.)\s*(\d{1,2})\s*(?:月|-|/|\.)\s*(\d{1,2})\s*日?")
_LABEL = re.compile(r"(?:发布|发文|印发|公布|公告|成文|签发|更新|生效|施行|修订)?(?:日期|时间)\s*[:：]\s*")
_META_DATE = re.compile(r"((?:19|20)\d{2})-?(\d{2})-?(\d{2})")


@dataclass(frozen=True)
class Published:
    """When a document was published: a full date when one was found, else only the year."""

    date: date | None
    year: int | None
    source: str  # label | metadata | closing | title | name | none


def _valid(y: int, m: int, d: int) -> date | None:
    try:
        out = date(y, m, d)
    except ValueError:
        return None
    return out if 1950 <= y <= datetime.now().year + 1 else None


def parse_date(text: str) -> date | None:
    """The first date written in ``text`` (``2023年3月15日``, ``2023-03-15``, ``二〇二三年三月十五日``)."""
    t = zh.normalize(text or "")
    m = _NUM_DATE.search(t)
    if m:
        return _valid(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    d = zh.chinese_date(text)
    return _valid(d.year, d.month, d.day) if d else None


def _meta_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return _valid(value.year, value.month, value.day)
    if isinstance(value, date):
        return _valid(value.year, value.month, value.day)
    m = _META_DATE.search(str(value or ""))
    return _valid(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None


def publication(doc: ParsedDocument, name: str = "") -> Published:
    """Where ``doc`` says it was published (see module docstring)."""
    texts = [b.text for b in doc.blocks if b.text and b.kind != "table"]
    for t in texts[:12] + texts[-6:]:  # labelled dates sit under the title or above the signature
        for m in _LABEL.finditer(t):
            d = parse_date(t[m.end():m.end() + 24])
            if d:
                return Published(d, d.year, "label")
    for t in reversed(texts[-4:]):  # the closing date line of a notice (落款)
        if len(t.strip()) <= 40:
            d = parse_date(t)
            if d:
                return Published(d, d.year, "closing")
    d = _meta_date(doc.meta.get("published"))
    if d:
        return Published(d, d.year, "metadata")
    for source, text in (("title", doc.title or ""), ("name", name)):
        years = query.years(text)
        if years:
            return Published(None, years[0], source)
    return Published(None, None, "none")
