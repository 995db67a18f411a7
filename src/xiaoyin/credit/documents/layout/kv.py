"""Label–value pairs read off rows: a value runs from its label to the next known label in the row.

Works the same on text-layer runs and OCR boxes: a label and its value may be one segment or two,
two label–value pairs may share a row (side-by-side blocks), spaces may be missing. A short label
(two characters) counts only when a colon follows it or it starts a segment, so label words inside values are ignored.

Two more layouts are read when asked for (``cells=True``):

* one label shared by two values in a row (``户名 | A公司 | B公司`` under ``付款人 | 收款人``): each value
  cell after the label, up to the next label, becomes a pair of its own, with its x-extent;
* labels above values: a row of bare labels (``单号 | 日期 | 供货单位``) pairs with the rows below it, each
  value cell going to the label whose x-range it overlaps most (``above=True``).
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
    x0: float = 0.0  # x-extent of the value (the label's when the value is empty)
    x1: float = 0.0
    above: bool = False  # the label is printed above the value, not before it
    label_end: int = -1
    row_key: str | None = None  # with ``above``: the label that starts the value's row, if any

    def hit(self, parser: Callable[[str], Any] | None = None) -> Hit | None:
        """The parsed value as a :class:`Hit` (None when empty or unparseable)."""
        value = parser(self.value) if parser else (self.value.strip() or None)
        if value is None:
            return None
        return Hit(value, self.page, self.start, self.end)


def first_hit(kvs: Iterable[KV], key: str, parser: Callable[[str], Any] | None = None) -> Hit | None:
    """The first occurrence of label ``key`` whose value ``parser`` accepts, as a :class:`Hit`."""
    for kv in kvs:
        if kv.key == key and (h := kv.hit(parser)) is not None:
            return h
    return None


UNKNOWN = "_unknown"  # a label-like cell this document type does not read
_LABEL_WORD = re.compile(r"(?!.*(?:公司|银行|有限|集团|支行|分行|厂))[\u4e00-\u9fff（）()/]{1,6}")
CELL_GAP = 1.5  # line heights: a gap this wide between segments separates two value cells


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

    def _labels(self, row: Row) -> list[tuple[int, int, str | None]]:
        """(start, end, key) of the label occurrences in ``row``'s text (key None: an ignored word)."""
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
            found.append((m.start(), m.start() + len(matched.rstrip()), key))
        return found

    def scan_row(self, page: PageLayout, row: Row, *, cells: bool = False) -> list[KV]:
        text = row.text
        found = self._labels(row)
        # a wide gap between segments ends a value (e.g. the 密码区 beside the buyer block)
        gaps = row.gaps()
        breaks = [s - row.start for (s, _), g in zip(row.spans, gaps, strict=True) if g > MAX_GAP]
        out = []
        for i, (s, e, key) in enumerate(found):
            if key is None:
                continue
            lab = self._by_key[key]
            nxt = len(text) if lab.greedy or i + 1 == len(found) else found[i + 1][0]
            stop = nxt
            rest = text[e:stop]
            if rest.strip():
                first_char = e + len(rest) - len(rest.lstrip())
                stop = min([stop, *(b for b in breaks if b > first_char)])
            if cells and not lab.greedy:
                out += self._cells(page, row, key, s, e, nxt)
                continue
            raw = text[e:stop]
            lead = len(raw) - len(raw.lstrip())
            value = raw.strip()
            vs = row.start + e + lead
            out.append(self._kv(key, value, page, row, vs, s, e))
        return out

    @staticmethod
    def _kv(key: str, value: str, page: PageLayout, row: Row, vs: int, s: int, e: int) -> KV:
        lx = _x_at(row, row.start + s)
        if value:
            x0, x1 = _x_at(row, vs), _x_at(row, vs + len(value))
        else:
            x0, x1 = lx, _x_at(row, row.start + e)
        return KV(key, value, page, row, vs, vs + len(value), lx, row.start + s, x0, x1,
                  label_end=row.start + e)

    def _cells(self, page: PageLayout, row: Row, key: str, s: int, e: int, stop: int) -> list[KV]:
        """One pair per value cell between a label (ending at ``e``) and the next label (``stop``)."""
        pieces: list[tuple[int, int]] = []  # row-relative spans of the value cells
        for (ss, se), gap in zip(row.spans, row.gaps(), strict=True):
            a, b = max(ss - row.start, e), min(se - row.start, stop)
            if a >= b or not row.text[a:b].strip():
                continue
            if pieces and gap <= CELL_GAP and ss - row.start > pieces[-1][0]:
                pieces[-1] = (pieces[-1][0], b)
            else:
                pieces.append((a, b))
        if not pieces:
            return [self._kv(key, "", page, row, row.start + e, s, e)]
        out = []
        for a, b in pieces:
            raw = row.text[a:b]
            lead = len(raw) - len(raw.lstrip())
            value = raw.strip()
            out.append(self._kv(key, value, page, row, row.start + a + lead, s, e))
        return out

    def scan(self, layout: DocLayout, *, cells: bool = False, above: bool = False) -> list[KV]:
        """All label–value pairs of the document in reading order (see the module doc for the options)."""
        out: list[KV] = []
        for page in layout.pages:
            header: list[KV] | None = None  # a row of bare labels, pairing with the rows below it
            last: Row | None = None  # the last row paired with it
            for row in page.rows:
                kvs = self.scan_row(page, row, cells=cells)
                bare = self._bare_row(page, row) if above else None
                if above and header is not None and last is not None and bare is None:
                    paired = self._below(header, last, page, row)
                    if paired:
                        out += paired
                        if any(kv.row_key for kv in paired):  # the row's own label keeps its values too
                            out += [kv for kv in kvs if kv.value]
                        last = row
                        continue
                    header = None
                if bare is not None:
                    out += [kv for kv in bare if kv.key != UNKNOWN]
                    header, last = bare, row
                    continue
                out += kvs
        return out

    def _bare_row(self, page: PageLayout, row: Row) -> list[KV] | None:
        """The row's labels when it holds nothing else: known labels, plus short word cells that read as
        labels the document type does not use (``发货仓库``, ``业务类型``; key ``UNKNOWN``). None otherwise."""
        text = row.text
        labels = [(s, e, k) for s, e, k in self._labels(row)]
        if not any(k is not None for _, _, k in labels):
            return None
        out: list[KV] = []
        for i, (s, e, key) in enumerate(labels):
            nxt = labels[i + 1][0] if i + 1 < len(labels) else len(text)
            if text[s:e].endswith(("：", ":")) and text[e:nxt].strip():
                return None  # 'label：value' is a pair, not a header
            if key is not None:
                out.append(self._kv(key, "", page, row, row.start + e, s, e))
        for ss, se in row.spans:
            a, b = ss - row.start, se - row.start
            parts = [(a, b)]
            for ls, le, _k in labels:
                parts = [p for x, y in parts for p in ((x, min(y, ls)), (max(x, le), y)) if p[0] < p[1]]
            for x, y in parts:
                for m in re.finditer(r"\S+", text[x:y]):
                    word = m.group(0).strip("：:")
                    if not word:
                        continue
                    if not _LABEL_WORD.fullmatch(word):
                        return None
                    ws, we = x + m.start(), x + m.end()
                    out.append(self._kv(UNKNOWN, "", page, row, row.start + we, ws, we))
        known = sum(1 for kv in out if kv.key != UNKNOWN)
        if known == 1 and len(out) == 2 and out[0].key != UNKNOWN:
            return None  # 'label | word' is a label and its short value (款项用途 | 货款), not a header
        return sorted(out, key=lambda kv: kv.x)

    def _below(self, header: list[KV], last: Row, page: PageLayout, row: Row) -> list[KV]:
        """Value cells of ``row`` under a row of bare labels, each paired with the label it overlaps most.

        A label starting ``row`` without a colon is the row's own label (``付款人 | A | 123`` under
        ``户名 | 账号``): it becomes ``row_key``. Labels with a colon keep their inline values, which are
        not cells. A row far below the header, or without value cells, pairs with nothing."""
        h = max(1.0, last.bottom - last.top)
        if row.top - last.bottom > 2.5 * h:
            return []
        text = row.text
        labels = self._labels(row)
        taken: list[tuple[int, int]] = []
        inline: list[KV] = []
        row_key: str | None = None
        for i, (s, e, key) in enumerate(labels):
            colon = text[s:e].rstrip().endswith(("：", ":"))
            if colon and key is not None:
                nxt = labels[i + 1][0] if i + 1 < len(labels) else len(text)
                taken.append((s, nxt))
                inline += [kv for kv in self.scan_row(page, row) if kv.label_start == row.start + s]
            else:
                taken.append((s, e))
                if key is not None and row_key is None:
                    row_key = key
        cells: list[tuple[int, int]] = []
        for (ss, se) in row.spans:
            parts = [(ss - row.start, se - row.start)]
            for ts, te in taken:
                parts = [p for a, b in parts for p in ((a, min(b, ts)), (max(a, te), b)) if p[0] < p[1]]
            for a, b in parts:
                raw = text[a:b]
                if raw.strip():
                    cells.append((a + len(raw) - len(raw.lstrip()), b - len(raw) + len(raw.rstrip())))
        if not cells:
            return []
        cols = sorted(header, key=lambda kv: kv.x)
        out = list(inline)
        for a, b in cells:
            x0, x1 = _x_at(row, row.start + a), _x_at(row, row.start + b)
            if len(cols) == 1 and (x1 < cols[0].x - 2 * h or x0 > cols[0].x1 + 2 * h):
                continue  # under a lone label, only what stands below it is its value
            best, best_ov = None, 0.0
            for i, kv in enumerate(cols):
                lo = (cols[i - 1].x1 + kv.x) / 2 if i else float("-inf")
                hi = (kv.x1 + cols[i + 1].x) / 2 if i + 1 < len(cols) else float("inf")
                ov = min(x1, hi) - max(x0, lo)
                if ov > best_ov:
                    best, best_ov = kv, ov
            if best is None:
                continue
            out.append(KV(best.key, text[a:b], page, row, row.start + a, row.start + b, best.x, best.label_start,
                          x0, x1, above=True, label_end=best.label_end, row_key=row_key))
        return out


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
