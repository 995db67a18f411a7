"""Markdown via markdown-it-py: # headings, paragraphs, lists, pipe tables; Chinese legal articles."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

from xiaoyin.knowledge.types import Block, ParsedDocument

from .common import classify_paragraph, decode_text, finish, norm_space, table_block


def inline_text(tok: Token) -> str:
    """Plain text of an inline token (markup dropped, line breaks kept)."""
    parts: list[str] = []
    for c in tok.children or []:
        if c.type in ("text", "code_inline"):
            parts.append(c.content)
        elif c.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif c.type == "image":
            parts.append(c.content)
    return "".join(parts).strip()


def _table(tokens: list[Token], i: int) -> tuple[Block, int]:
    """Read a table starting at tokens[i] (table_open); return the block and the index after it."""
    header: list[str] = []
    rows: list[list[str]] = []
    row: list[str] = []
    in_head = False
    while tokens[i].type != "table_close":
        t = tokens[i]
        if t.type == "thead_open":
            in_head = True
        elif t.type == "thead_close":
            in_head = False
        elif t.type == "tr_open":
            row = []
        elif t.type == "inline":
            row.append(inline_text(t))
        elif t.type == "tr_close":
            if in_head:
                header = row
            else:
                rows.append(row)
        i += 1
    return table_block(header, rows), i + 1


def parse(
    path: Path, *, ocr_dpi: int = 200, progress: Callable[[int, int], None] | None = None
) -> ParsedDocument:
    text, encoding = decode_text(path.read_bytes())
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    blocks: list[Block] = []
    list_depth = 0
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if t.type == "heading_open":
            level = int(t.tag[1])
            content = norm_space(inline_text(tokens[i + 1]))
            prev = blocks[-1] if blocks else None
            if level == 1 and prev is not None and prev.kind == "heading" and prev.level == 1:
                prev.text = f"{prev.text} {content}"  # 中华人民共和国民法典 / 合同编 -> one title
            elif content:
                blocks.append(Block(content, kind="heading", level=level))
            i += 3
            continue
        if t.type in ("bullet_list_open", "ordered_list_open"):
            list_depth += 1
        elif t.type in ("bullet_list_close", "ordered_list_close"):
            list_depth -= 1
        elif t.type == "table_open":
            block, i = _table(tokens, i)
            blocks.append(block)
            continue
        elif t.type == "inline":
            content = inline_text(t)
            if content:
                b = classify_paragraph(content)
                if list_depth and b.kind == "paragraph":
                    b.kind = "list"
                blocks.append(b)
        elif t.type in ("fence", "code_block") and t.content.strip():
            blocks.append(Block(t.content.rstrip(), kind="paragraph", meta={"code": True}))
        i += 1
    title = next((b.text for b in blocks if b.kind == "heading" and b.level == 1), None)
    return ParsedDocument(blocks=finish(blocks), title=title, meta={"encoding": encoding})
