"""DOCX via python-docx: heading styles -> heading blocks, tables with header, body order kept."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from docx import Document
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from xiaoyin.knowledge.types import Block, ParsedDocument

from .common import classify_paragraph, finish, norm_space, table_block


def heading_level(p: Paragraph) -> int | None:
    """0 for the Title style, N for "Heading N" / "标题 N", else None."""
    name = (p.style.name if p.style is not None else "") or ""
    low = name.lower()
    if low in ("title", "标题"):
        return 0
    m = re.match(r"(?:heading|标题)\s*(\d)", low)
    return int(m.group(1)) if m else None


def _is_list(p: Paragraph) -> bool:
    style = ((p.style.name if p.style is not None else "") or "").lower()
    ppr = p._p.pPr
    return style.startswith(("list", "列表")) or (ppr is not None and ppr.numPr is not None)


def _table(t: Table) -> Block | None:
    rows: list[list[str]] = []
    for r in t.rows:
        cells = [norm_space(c.text) for c in r.cells]
        if any(cells):
            rows.append(cells)
    if not rows:
        return None
    return table_block(rows[0], rows[1:])


def parse(
    path: Path, *, ocr_dpi: int = 200, progress: Callable[[int, int], None] | None = None
) -> ParsedDocument:
    doc = Document(str(path))
    blocks: list[Block] = []
    title: str | None = (doc.core_properties.title or "").strip() or None
    for el in doc.element.body.iterchildren():
        if el.tag == qn("w:p"):
            p = Paragraph(el, doc)
            text = p.text.strip()
            if not text:
                continue
            level = heading_level(p)
            if level is not None:
                blocks.append(Block(norm_space(text), kind="heading", level=level))
                if level == 0 and title is None:
                    title = norm_space(text)
                continue
            b = classify_paragraph(text)
            if b.kind == "paragraph" and _is_list(p):
                b.kind = "list"
            blocks.append(b)
        elif el.tag == qn("w:tbl"):
            tb = _table(Table(el, doc))
            if tb is not None:
                blocks.append(tb)
    props = doc.core_properties
    published = props.created or props.modified
    meta = {"published": published.date().isoformat()} if published else {}
    return ParsedDocument(blocks=finish(blocks), title=title, meta=meta)
