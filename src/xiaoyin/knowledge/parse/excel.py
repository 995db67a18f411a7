"""XLSX via openpyxl: every sheet; merged cells' value copied to each cell; header row carried."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from xiaoyin.knowledge.types import Block, ParsedDocument

from .common import norm_space, table_block


def cell_text(v: object) -> str:
    """Display text of a cell value (dates as ISO, whole floats without .0)."""
    if v is None:
        return ""
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time(0) else v.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return norm_space(str(v))


def sheet_grid(ws: Worksheet) -> list[list[str]]:
    """The sheet as text rows, merged ranges filled with their top-left value, empty rows/cols dropped."""
    grid = [
        [cell_text(v) for v in row]
        for row in ws.iter_rows(
            min_row=1, max_row=ws.max_row, min_col=1, max_col=ws.max_column, values_only=True
        )
    ]
    for rng in ws.merged_cells.ranges:
        v = grid[rng.min_row - 1][rng.min_col - 1] if rng.min_row <= len(grid) else ""
        for r in range(rng.min_row - 1, min(rng.max_row, len(grid))):
            for c in range(rng.min_col - 1, min(rng.max_col, len(grid[r]))):
                grid[r][c] = v
    grid = [row for row in grid if any(row)]
    keep = [
        c for c in range(max((len(r) for r in grid), default=0)) if any(c < len(r) and r[c] for r in grid)
    ]
    return [[r[c] if c < len(r) else "" for c in keep] for r in grid]


def _is_number(s: str) -> bool:
    try:
        float(s.replace(",", "").rstrip("%"))
        return True
    except ValueError:
        return False


def split_header(grid: list[list[str]]) -> tuple[list[str], list[str], list[list[str]]]:
    """(caption lines, header row, body rows): rows above the header that repeat one value across
    the width (merged titles) become captions; the header is the first row that is mostly filled
    with text."""
    captions: list[str] = []
    for i, row in enumerate(grid[:5]):
        filled = [v for v in row if v]
        if len(set(filled)) == 1 and len(row) > 1:
            captions.append(filled[0])
            continue
        if (
            len(filled) >= max(1, len(row) // 2)
            and sum(not _is_number(v) for v in filled) >= len(filled) * 0.7
        ):
            return captions, row, grid[i + 1 :]
        break
    start = len(captions)
    return captions, grid[start], grid[start + 1 :]


def parse(
    path: Path, *, ocr_dpi: int = 200, progress: Callable[[int, int], None] | None = None
) -> ParsedDocument:
    wb = load_workbook(path, data_only=True)
    blocks: list[Block] = []
    try:
        sheets = wb.worksheets
        for n, ws in enumerate(sheets, start=1):
            grid = sheet_grid(ws)
            if grid:
                captions, header, rows = split_header(grid)
                path_ = [ws.title]
                for c in captions:
                    blocks.append(Block(c, kind="caption", section_path=path_, meta={"sheet": ws.title}))
                blocks.append(table_block(header, rows, section_path=path_, meta={"sheet": ws.title}))
            if progress:
                progress(n, len(sheets))
        names = [ws.title for ws in sheets]
    finally:
        wb.close()
    return ParsedDocument(blocks=blocks, meta={"sheets": names})
