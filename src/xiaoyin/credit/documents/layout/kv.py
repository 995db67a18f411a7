"""Label–value pairs read off rows: a value runs from its label to the next known label in the row.

Works the same on text-layer runs and OCR boxes: a label and its value may be one segment or two,
two label–value pairs may share a row (side-by-side blocks), spaces may be missing. A short label
(two characters) counts only when a colon follows it or it starts a segment, so label words inside values are ignored.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .fields import label_pattern
from .record import Hit
from .segments import DocLayout, PageLayout, Row

MAX_GAP = 3.0  # line heights


@dataclass(frozen=True)
class Label:
    """A field label and its printed variants; ``greedy`` values take the rest of the row."""

    key: str
    variants: tuple[str, ...]
    greedy: bool = False


@dataclass
class KV:
    """A label occurrence and the value text after it (``start``/``end``: page-text span of the value)."""

    key: str
    value: str
    page: PageLayout
    row: Row
    start: int
    end: int
    x: float  # where the label starts
    label_start: int

    def hit(self, parser: Callable[[str], Any] | None = None) -> Hit | None:
        """The parsed value as a :class:`Hit` (None when empty or unparseable)."""
        value = parser(self.value) if parser else (self.value.strip() or None)
        if value is None:
            return None
        return Hit(value, self.page, self.start, self.end)


def _x_at(row: Row, offset: int) -> float:
    """Estimated x of page-text ``offset`` inside ``row`` (proportional within its segment)."""
    for seg, (s, e) in zip(row.segments, row.spans, strict=True):
        if s <= offset < e or offset == e:
            frac = (offset - s) / max(1, e - s)
            return seg.x0 + (seg.x1 - seg.x0) * frac
    return row.segments[-1].x1


class LabelScanner:
    """Finds the labels of one document type in rows and cuts out their values."""

    def __init__(self, labels: Iterable[Label], ignore: Iterable[str] = ()) -> None:
        self.labels = list(labels)
        pairs: list[tuple[str, str | None]] = [(v, lab.key) for lab in self.labels for v in lab.variants]
        pairs += [(v, None) for v in ignore]
        pairs.sort(key=lambda p: -len(p[0]))  # longest first: '开户行及账号' wins over '开户行'
        self._keys: list[str | None] = [k for _, k in pairs]
        self._re = re.compile("|".join(f"(?P<v{i}>{label_pattern(v)})" for i, (v, _) in enumerate(pairs)))
        self._by_key = {lab.key: lab for lab in self.labels}

    def scan_row(self, page: PageLayout, row: Row) -> list[KV]:
        text = row.text
        seg_starts = {s - row.start for s, _ in row.spans}
        found: list[tuple[int, int, str | None]] = []
        for m in self._re.finditer(text):
            key = self._keys[int(m.lastgroup[1:])]
            matched = m.group(0)
            has_colon = matched.rstrip().endswith(("：", ":"))
            at_seg_start = m.start() in seg_starts
            short = len(re.sub(r"[\s：:]", "", matched)) <= 2
            if key is not None and short and not (has_colon or at_seg_start):
                continue
            found.append((m.start(), m.end(), key))
        # a wide gap between segments ends a value (e.g. the 密码区 beside the buyer block)
        gaps = row.gaps()
        breaks = [s - row.start for (s, _), g in zip(row.spans, gaps, strict=True) if g > MAX_GAP]
        out = []
        for i, (s, e, key) in enumerate(found):
            if key is None:
                continue
            lab = self._by_key[key]
            stop = len(text) if lab.greedy or i + 1 == len(found) else found[i + 1][0]
            rest = text[e:stop]
            if rest.strip():
                first_char = e + len(rest) - len(rest.lstrip())
                stop = min([stop, *(b for b in breaks if b > first_char)])
            raw = text[e:stop]
            lead = len(raw) - len(raw.lstrip())
            value = raw.strip()
            vs = row.start + e + lead
            out.append(KV(key, value, page, row, vs, vs + len(value), _x_at(row, row.start + s), row.start + s))
        return out

    def scan(self, layout: DocLayout) -> list[KV]:
        """All label–value pairs of the document in reading order."""
        return [kv for page, row in layout.rows() for kv in self.scan_row(page, row)]


def find_text(layout: DocLayout, pattern: str | re.Pattern[str]) -> tuple[PageLayout, re.Match[str]] | None:
    """The first regex match in any page's text."""
    rx = re.compile(pattern) if isinstance(pattern, str) else pattern
    for page in layout.pages:
        m = rx.search(page.text)
        if m:
            return page, m
    return None


def compact_row(row: Row) -> str:
    return re.sub(r"\s+", "", row.text)
