"""Item tables: the header row gives each column's x-range; body cells are assigned by x-centre.

Works on text runs and OCR boxes alike. A body segment that spans several columns (OCR merged two
cells) is split on spaces and its pieces placed by their estimated x. A row with text only in the
name/spec columns continues the previous item (a wrapped name).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .fields import compact
from .record import Hit
from .segments import DocLayout, PageLayout, Row, Segment


@dataclass(frozen=True)
class Column:
    """A table column: the field it fills, its header variants and the parser of its cells."""

    field: str
    headers: tuple[str, ...]
    parser: Callable[[str], Any]


@dataclass
class Cell:
    text: str
    start: int
    end: int


@dataclass
class TableRow:
    page: PageLayout
    row: Row
    cells: dict[str, Cell] = field(default_factory=dict)

    def hit(self, col: Column) -> Hit | None:
        cell = self.cells.get(col.field)
        if cell is None or not cell.text.strip():
            return None
        value = col.parser(cell.text)
        if value is None:
            return None
        return Hit(value, self.page, cell.start, cell.end)


@dataclass
class Table:
    columns: list[Column]
    centers: dict[str, float]
    rows: list[TableRow]
    header: Row
    end_row: Row | None


def _header_positions(row: Row, columns: list[Column]) -> dict[str, tuple[float, float]]:
    """Column field -> (x0, x1) of its header text in ``row`` (longest header variants claimed first)."""
    found: dict[str, tuple[float, float]] = {}
    taken: list[tuple[int, int]] = []
    variants = sorted(((h, c) for c in columns for h in c.headers), key=lambda p: -len(p[0]))
    for seg, (s, _e) in zip(row.segments, row.spans, strict=True):
        text = seg.text
        for head, col in variants:
            if col.field in found:
                continue
            pat = r"\s*".join(re.escape(ch) if ch not in "（()）" else r"[（(）)]" for ch in head)
            for m in re.finditer(pat, text):
                a, b = s + m.start(), s + m.end()
                if any(a < te and ts < b for ts, te in taken):
                    continue
                n = max(1, len(text))
                x0 = seg.x0 + (seg.x1 - seg.x0) * m.start() / n
                x1 = seg.x0 + (seg.x1 - seg.x0) * m.end() / n
                found[col.field] = (x0, x1)
                taken.append((a, b))
                break
    return found


def find_header(layout: DocLayout, columns: list[Column], min_cols: int = 4) -> tuple[PageLayout, int, dict] | None:
    """(page, row index, column positions) of the first row naming at least ``min_cols`` columns."""
    for page in layout.pages:
        for i, row in enumerate(page.rows):
            pos = _header_positions(row, columns)
            if len(pos) >= min_cols and ("quantity" in pos or "amount" in pos):
                return page, i, pos
    return None


def _pieces(seg: Segment, span: tuple[int, int]) -> list[tuple[str, float, int, int]]:
    """(text, x-centre, start, end) for the space-separated pieces of a segment."""
    out = []
    n = max(1, len(seg.text))
    for m in re.finditer(r"\S+", seg.text):
        cx = seg.x0 + (seg.x1 - seg.x0) * (m.start() + m.end()) / 2 / n
        out.append((m.group(0), cx, span[0] + m.start(), span[0] + m.end()))
    return out


def _place(seg: Segment, span: tuple[int, int], col_of: Callable[[float], str],
           parsers: dict[str, Callable[[str], Any]], name_fields: tuple[str, ...]) -> list[tuple[str, str, int, int]]:
    """(text, column, start, end) pieces of one segment. A segment wider than its column (an OCR box
    merging two cells, or text overflowing its cell) is split on spaces, but a piece moves to another
    column only when that column is numeric and the piece parses there; otherwise it stays with the
    piece before it (a long spec such as ``32S*32S 130*70 58寸`` is one cell)."""
    if col_of(seg.x0 + 1) == col_of(seg.x1 - 1) or " " not in seg.text.strip():
        return [(seg.text, col_of(seg.cx), span[0], span[1])]
    out: list[tuple[str, str, int, int]] = []
    for text, cx, s, e in _pieces(seg, span):
        f = col_of(cx)
        if out and f != out[-1][1]:
            numeric = f not in name_fields and f not in ("unit", "index")
            if not (numeric and parsers[f](text) is not None and re.search(r"\d", text)):
                pt, pf, ps, _pe = out[-1]
                out[-1] = (seg.text[ps - span[0] : e - span[0]], pf, ps, e)
                continue
        out.append((text, f, s, e))
    return out


def read_table(
    layout: DocLayout,
    columns: list[Column],
    is_end: Callable[[str], bool],
    *,
    name_fields: tuple[str, ...] = ("name", "spec"),
    max_rows: int = 40,
) -> Table | None:
    """The table under the first header row found, up to the first row for which ``is_end`` holds."""
    found = find_header(layout, columns)
    if found is None:
        return None
    page, hi, pos = found
    header = page.rows[hi]
    centers = {f: (a + b) / 2 for f, (a, b) in pos.items()}
    order = sorted(centers.items(), key=lambda kv: kv[1])
    bounds: list[tuple[str, float, float]] = []
    for i, (f, c) in enumerate(order):
        lo = (order[i - 1][1] + c) / 2 if i else float("-inf")
        hi_x = (c + order[i + 1][1]) / 2 if i + 1 < len(order) else float("inf")
        bounds.append((f, lo, hi_x))

    def col_of(x: float) -> str:
        return next(f for f, lo, hi_x in bounds if lo <= x < hi_x)

    parsers = {c.field: c.parser for c in columns}
    rows: list[TableRow] = []
    end_row = None
    for row in page.rows[hi + 1 : hi + 1 + max_rows]:
        if is_end(compact(row.text)):
            end_row = row
            break
        trow = TableRow(page, row)
        for seg, span in zip(row.segments, row.spans, strict=True):
            for text, f, s, e in _place(seg, span, col_of, parsers, name_fields):
                if f in trow.cells:
                    c = trow.cells[f]
                    sep = " " if s > c.end else ""
                    trow.cells[f] = Cell(c.text + sep + text, c.start, e)
                else:
                    trow.cells[f] = Cell(text, s, e)
        if not trow.cells:
            continue
        numeric = [f for f in trow.cells if f not in name_fields and f != "unit" and f != "index"]
        if rows and not numeric and set(trow.cells) <= set(name_fields):
            prev = rows[-1]
            for f, c in trow.cells.items():
                if f in prev.cells:
                    p = prev.cells[f]
                    # wrapped text: no separator (Chinese names wrap mid-word); provenance spans both
                    prev.cells[f] = Cell(p.text + c.text, p.start, c.end)
                else:
                    prev.cells[f] = c
            continue
        rows.append(trow)
    return Table(columns, centers, rows, header, end_row)
