"""Item tables: the header row gives each column's x-extent; a body cell goes to the column it overlaps most.

Works on text runs and OCR boxes alike. Every header cell is a column, known or not: a header the
document type does not read (物料编码, 批次号, 备注 …) is an ignored column, so its cells never drift
into a neighbour. The text of two neighbouring cells is never joined into one numeric value: when two
cells of a row land in the same numeric column, the better-aligned one keeps it and the other moves to
an empty column it also overlaps, or is dropped. A body segment that spans several columns (OCR merged
two cells) is split on spaces and its pieces placed by their estimated x. A row with text only in the
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

IGNORED = "_ignored"
TEXT_FIELDS = ("name", "spec", "unit", "index", "remark", IGNORED)


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
    extents: dict[str, tuple[float, float]] = field(default_factory=dict)


@dataclass(frozen=True)
class HeaderCell:
    """One column of the header row: its field (``_ignored`` for an unknown one) and x-extent."""

    field: str
    x0: float
    x1: float


def _head_pattern(head: str) -> str:
    return r"\s*".join(re.escape(ch) if ch not in "（()）" else r"[（(）)]" for ch in head)


def header_cells(row: Row, columns: list[Column]) -> list[HeaderCell]:
    """The header row's columns left to right; known headers claimed longest variant first, text next to a
    known header without a space (``含税``单价, 单价``(元)``) absorbed into it, anything else ignored."""
    variants = sorted(((h, c) for c in columns for h in c.headers), key=lambda p: -len(p[0]))
    found: set[str] = set()
    cells: list[HeaderCell] = []
    for seg in row.segments:
        text = seg.text
        n = max(1, len(text))
        taken: list[tuple[int, int, str]] = []
        for head, col in variants:
            if col.field in found:
                continue
            for m in re.finditer(_head_pattern(head), text):
                if any(m.start() < te and ts < m.end() for ts, te, _ in taken):
                    continue
                taken.append((m.start(), m.end(), col.field))
                found.add(col.field)
                break
        # leftover words: absorbed by a touching known header, else ignored columns
        for m in re.finditer(r"\S+", text):
            a, b = m.start(), m.end()
            covered = [t for t in taken if t[0] < b and a < t[1]]
            if covered:
                lo = min([a, *(t[0] for t in covered)])
                hi = max([b, *(t[1] for t in covered)])
                if len(covered) == 1:
                    i = taken.index(covered[0])
                    taken[i] = (lo, hi, covered[0][2])
                continue
            if re.search(r"[\w\u4e00-\u9fff]", m.group(0)):
                taken.append((a, b, IGNORED))
        for a, b, f in taken:
            cells.append(HeaderCell(f, seg.x0 + (seg.x1 - seg.x0) * a / n, seg.x0 + (seg.x1 - seg.x0) * b / n))
    return sorted(cells, key=lambda c: c.x0)


def _header_positions(row: Row, columns: list[Column]) -> dict[str, tuple[float, float]]:
    return {c.field: (c.x0, c.x1) for c in header_cells(row, columns) if c.field != IGNORED}


def find_headers(layout: DocLayout, columns: list[Column],
                 min_cols: int = 4) -> list[tuple[PageLayout, int, dict[str, tuple[float, float]]]]:
    """(page, row index, column positions) of every row naming at least ``min_cols`` columns."""
    out = []
    for page in layout.pages:
        for i, row in enumerate(page.rows):
            pos = _header_positions(row, columns)
            if len(pos) >= min_cols and ("quantity" in pos or "amount" in pos):
                out.append((page, i, pos))
    return out


def find_header(layout: DocLayout, columns: list[Column], min_cols: int = 4) -> tuple[PageLayout, int, dict] | None:
    """(page, row index, column positions) of the first row naming at least ``min_cols`` columns."""
    found = find_headers(layout, columns, min_cols)
    return found[0] if found else None


@dataclass(frozen=True)
class _Region:
    field: str
    lo: float  # region boundaries: midway through the gaps between header cells
    hi: float
    x0: float  # the header text itself
    x1: float


def _regions(cells: list[HeaderCell]) -> list[_Region]:
    out = []
    for i, c in enumerate(cells):
        lo = (cells[i - 1].x1 + c.x0) / 2 if i else float("-inf")
        hi = (c.x1 + cells[i + 1].x0) / 2 if i + 1 < len(cells) else float("inf")
        out.append(_Region(c.field, min(lo, c.x0), max(hi, c.x1), c.x0, c.x1))
    return out


def _overlaps(regions: list[_Region], x0: float, x1: float) -> list[tuple[float, int]]:
    """(overlap, region index) best first; a zero-width piece counts by its centre."""
    out = []
    for i, r in enumerate(regions):
        ov = min(x1, r.hi) - max(x0, r.lo)
        if x1 <= x0:
            ov = 1.0 if r.lo <= x0 < r.hi else 0.0
        # tie-break: closeness of centres to the header text
        closeness = -abs((x0 + x1) / 2 - (r.x0 + r.x1) / 2) * 1e-6
        out.append((max(ov, 0.0) + closeness, i))
    return sorted(out, reverse=True)


def _pieces(seg: Segment, span: tuple[int, int]) -> list[tuple[str, float, float, int, int]]:
    """(text, x0, x1, start, end) for the space-separated pieces of a segment."""
    out = []
    n = max(1, len(seg.text))
    w = seg.x1 - seg.x0
    for m in re.finditer(r"\S+", seg.text):
        out.append((m.group(0), seg.x0 + w * m.start() / n, seg.x0 + w * m.end() / n,
                    span[0] + m.start(), span[0] + m.end()))
    return out


_Placed = tuple[str, list[tuple[float, int]], int, int]  # text, ranked regions, start, end


def _fits(f: str, text: str, parsers: dict[str, Callable[[str], Any]]) -> bool:
    """Whether ``text`` can be a cell of column ``f`` (a 序号 is a small number; a number column parses)."""
    if f == "index":
        return re.fullmatch(r"\s*\d{1,4}\s*", text) is not None
    return f == IGNORED or parsers[f](text) is not None


def _typed(ranked: list[tuple[float, int]], text: str, regions: list[_Region],
           parsers: dict[str, Callable[[str], Any]]) -> list[tuple[float, int]]:
    """Among the columns a piece overlaps, the read columns whose type it fits first (left-aligned names
    under a centred header reach into the 序号 column or an unread one; the name is no 序号)."""
    over = [r for r in ranked if r[0] > 0]
    rest = [r for r in ranked if r[0] <= 0]
    fit = [r for r in over if regions[r[1]].field != IGNORED and _fits(regions[r[1]].field, text, parsers)]
    return fit + [r for r in over if r not in fit] + rest if fit else ranked


def _place(seg: Segment, span: tuple[int, int], regions: list[_Region],
           parsers: dict[str, Callable[[str], Any]]) -> list[_Placed]:
    """Pieces of one segment with their ranked regions. A segment that overlaps one region only stays
    whole; a wider one (an OCR box merging two cells, or text overflowing its cell) is split on spaces,
    but a piece moves to another column only when that column is numeric and the piece parses there;
    otherwise it stays with the piece before it (a long spec such as ``32S*32S 130*70 58寸`` is one cell)."""
    ranked = _typed(_overlaps(regions, seg.x0, seg.x1), seg.text, regions, parsers)
    touching = [i for ov, i in ranked if ov > 0.15 * max(1.0, seg.x1 - seg.x0)]
    if len(touching) <= 1 or " " not in seg.text.strip():
        return [(seg.text, ranked, span[0], span[1])]
    out: list[_Placed] = []
    for text, x0, x1, s, e in _pieces(seg, span):
        r = _typed(_overlaps(regions, x0, x1), text, regions, parsers)
        f = regions[r[0][1]].field
        if out:
            prev_f = regions[out[-1][1][0][1]].field
            same = f == prev_f
            numeric = f not in TEXT_FIELDS
            moves = numeric and parsers[f](text) is not None and re.search(r"\d", text)
            # a word after a figure, under a text column of its own (``11480 平方米``: quantity, unit)
            word_after_figure = (f in ("unit", "spec", "remark") and prev_f not in TEXT_FIELDS
                                 and not re.search(r"\d", text) and parsers[f](text) is not None)
            if same or not (moves or word_after_figure):
                _pt, pr, ps, _pe = out[-1]  # one cell: a piece of the same column, or text overflowing
                out[-1] = (seg.text[ps - span[0]: e - span[0]], pr, ps, e)
                continue
        out.append((text, r, s, e))
    return out


def _is_label_row(row: Row) -> bool:
    """A row of ``label：value`` pairs after the table (signatures, remarks): the table has ended."""
    return bool(re.search(r"[\u4e00-\u9fff][：:]", row.text))


_PROSE = re.compile(r"[\u4e00-\u9fff][^。；]{6,}[，。；][^。；]*[\u4e00-\u9fff]")


def _is_prose_row(row: Row) -> bool:
    """A sentence under the table (``上述货物已由保管人验收入库，…``, ``兹确认已收到上述货物，…``): a segment of
    a dozen characters or more with clause punctuation. No table cell reads like that."""
    return any(len(s.text) >= 12 and _PROSE.search(s.text) for s in row.segments)


#: A row that sums the lines above it (小计 per page, 合计, 总计, 本页合计): no line item.
_SUBTOTAL = re.compile(r"^(?:本页|累计)?(?:小计|合计|总计|共计|计(?=[¥￥Y\d]))")  # 计: 合 lost by OCR


def _fill_row(trow: TableRow, placed: list[_Placed], regions: list[_Region],
              parsers: dict[str, Callable[[str], Any]]) -> None:
    """Cells of one body row: text columns join their pieces; a numeric column takes one piece only."""

    def regions_parse(f: str, text: str) -> bool:
        return parsers[f](text) is not None
    claims: dict[int, list[tuple[float, _Placed]]] = {}
    for p in placed:
        ov, i = p[1][0]
        claims.setdefault(i, []).append((ov, p))
    for i in sorted(claims, key=lambda k: regions[k].lo):
        f = regions[i].field
        items = sorted(claims[i], key=lambda t: t[1][2])
        if f not in TEXT_FIELDS and len(items) > 1:
            # the piece that parses as the column's value wins, then the better-aligned one (a stamp's
            # characters over a price cell lose to the price)
            best = max(items, key=lambda t: (regions_parse(f, t[1][0]), t[0]))
            for _ov, p in items:
                if p is best[1]:
                    continue
                # the loser moves to another column it overlaps that is still empty, else it is dropped
                for ov2, j in p[1][1:]:
                    if ov2 > 0 and j not in claims and regions[j].field not in trow.cells:
                        trow.cells[regions[j].field] = Cell(p[0], p[2], p[3])
                        break
            items = [best]
        for _ov, (text, _r, s, e) in items:
            if f in trow.cells:
                c = trow.cells[f]
                sep = " " if s > c.end else ""
                trow.cells[f] = Cell(c.text + sep + text, c.start, e)
            else:
                trow.cells[f] = Cell(text, s, e)


def read_table(
    layout: DocLayout,
    columns: list[Column],
    is_end: Callable[[str], bool],
    *,
    name_fields: tuple[str, ...] = ("name", "spec"),
    max_rows: int = 40,
) -> Table | None:
    """The item table: of the tables under every header row found (a face that reads ``详见销货清单`` and the
    list on the next page, a table repeated on each page), the one with the most figures in its lines; the first
    on a tie. Each table runs to the first row for which ``is_end`` holds."""
    best: Table | None = None
    best_score = -1
    for page, hi, pos in find_headers(layout, columns):
        table = _read_one(page, hi, pos, columns, is_end, name_fields, max_rows)
        score = sum(1 for r in table.rows for f in r.cells if f not in TEXT_FIELDS)
        if score > best_score:
            best, best_score = table, score
    return best


def _read_one(page: PageLayout, hi: int, pos: dict[str, tuple[float, float]], columns: list[Column],
              is_end: Callable[[str], bool], name_fields: tuple[str, ...], max_rows: int) -> Table:
    header = page.rows[hi]
    regions = _regions(header_cells(header, columns))
    parsers: dict[str, Callable[[str], Any]] = {c.field: c.parser for c in columns}
    parsers[IGNORED] = lambda t: t
    rows: list[TableRow] = []
    end_row = None
    for row in page.rows[hi + 1: hi + 1 + max_rows]:
        text = compact(row.text)
        if is_end(text) or _is_label_row(row) or _is_prose_row(row):
            end_row = row
            break
        if _SUBTOTAL.match(re.sub(r"^\d{1,3}(?=\D)", "", text)):
            continue
        trow = TableRow(page, row)
        placed = [p for seg, span in zip(row.segments, row.spans, strict=True)
                  for p in _place(seg, span, regions, parsers)]
        _fill_row(trow, placed, regions, parsers)
        trow.cells.pop(IGNORED, None)
        if not trow.cells:
            continue
        numeric = [f for f in trow.cells if f not in name_fields and f not in ("unit", "index", "remark")]
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
    centers = {f: (a + b) / 2 for f, (a, b) in pos.items()}
    return Table(columns, centers, rows, header, end_row, pos)
