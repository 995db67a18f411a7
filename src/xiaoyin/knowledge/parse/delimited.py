"""CSV/TSV: encoding and delimiter detected; the first row is carried as the header."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

from xiaoyin.knowledge.types import ParsedDocument

from .common import decode_text, table_block


def parse(
    path: Path, *, ocr_dpi: int = 200, progress: Callable[[int, int], None] | None = None
) -> ParsedDocument:
    text, encoding = decode_text(path.read_bytes())
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    rows = [r for r in csv.reader(io.StringIO(text), dialect) if any(c.strip() for c in r)]
    blocks = [table_block(rows[0], rows[1:])] if rows else []
    return ParsedDocument(
        blocks=blocks, meta={"encoding": encoding, "delimiter": getattr(dialect, "delimiter", ",")}
    )
