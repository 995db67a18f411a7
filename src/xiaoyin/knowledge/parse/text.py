"""Plain text in UTF-8 / UTF-8-BOM / GBK / GB18030 (detected), with Chinese legal structure."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from xiaoyin.knowledge.types import Block, ParsedDocument

from .common import SENTENCE_END, article_label, decode_text, finish, legal_heading_level, lines_to_blocks


def leading_title(lines: list[str]) -> tuple[str | None, list[str]]:
    """A short first line that is not a sentence, heading or article is taken as the title."""
    rest = list(lines)
    while rest and not rest[0].strip():
        rest.pop(0)
    if len(rest) < 2:
        return None, rest
    first = rest[0].strip()
    if (
        len(first) <= 40
        and first[-1] not in SENTENCE_END + "，,"
        and legal_heading_level(first) is None
        and article_label(first) is None
    ):
        return first, rest[1:]
    return None, rest


def parse(
    path: Path, *, ocr_dpi: int = 200, progress: Callable[[int, int], None] | None = None
) -> ParsedDocument:
    text, encoding = decode_text(path.read_bytes())
    title, lines = leading_title(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    blocks: list[Block] = []
    if title:
        blocks.append(Block(title, kind="heading", level=0))
    blocks.extend(lines_to_blocks(lines))
    return ParsedDocument(blocks=finish(blocks), title=title, meta={"encoding": encoding})
