"""Helpers shared by the format parsers: Chinese legal structure, encodings, line joining, sections."""

from __future__ import annotations

import re
from collections.abc import Iterable

from xiaoyin.knowledge.types import Block

_NUM = r"[一二三四五六七八九十百千零〇两\d]+"
# 第一编 / 第一分编 / 第一章 / 第一节, followed by a short title
LEGAL_HEADING = re.compile(rf"^第{_NUM}(分编|编|章|节)(?:[\s\u3000]+(\S.{{0,40}}))?$")
# 第十条 / 第10条 / 第十条之一 at a paragraph start
ARTICLE = re.compile(
    rf"^(第{_NUM}条(?:之[一二三四五六七八九十]+)?)(?:[\s\u3000:：]+|(?=[\u4e00-\u9fff（(“《]))"
)
LEGAL_LEVEL = {"编": 2, "分编": 3, "章": 4, "节": 5}  # below a level-0/1 document title
SENTENCE_END = "。！？；：.!?;:"


def norm_space(text: str) -> str:
    """Collapse runs of spaces/tabs (incl. full-width) into one space; strip the ends."""
    return re.sub(r"[^\S\n]+", " ", text).strip()


def legal_heading_level(text: str) -> int | None:
    """2..5 for 编/分编/章/节 headings of Chinese legal texts, else None."""
    m = LEGAL_HEADING.match(norm_space(text))
    if not m or text.rstrip().endswith(("。", "；", "，")):
        return None
    return LEGAL_LEVEL[m.group(1)]


def article_label(text: str) -> str | None:
    """``第十条`` when the paragraph opens a legal article, else None."""
    m = ARTICLE.match(text.lstrip())
    return m.group(1) if m else None


def classify_paragraph(text: str, page: int | None = None, **kw: object) -> Block:
    """A paragraph block, or a heading/article block when the text looks like one."""
    text = text.strip()
    level = legal_heading_level(text)
    if level is not None and len(text) <= 50:
        return Block(norm_space(text), kind="heading", level=level, page=page, **kw)  # type: ignore[arg-type]
    label = article_label(text)
    if label:
        return Block(text, kind="article", page=page, meta={"article": label}, **kw)  # type: ignore[arg-type]
    return Block(text, page=page, **kw)  # type: ignore[arg-type]


def _is_cjk(ch: str) -> bool:
    return "\u2e80" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" or "\u3000" <= ch <= "\u303f"


def join_wrapped(a: str, b: str) -> str:
    """Join two visually wrapped lines: no space between CJK, one space between Latin words."""
    if not a:
        return b
    if a.endswith("-") and b[:1].islower():
        return a[:-1] + b
    if _is_cjk(a[-1]) or _is_cjk(b[:1] or " "):
        return a + b
    return f"{a} {b}"


def lines_to_blocks(
    lines: Iterable[str], page: int | None = None, short: list[bool] | None = None
) -> list[Block]:
    """Rebuild paragraphs from wrapped lines (PDF/OCR): a line ending a sentence, or clearly
    shorter than the full lines around it (``short``, else judged by length), ends a paragraph;
    legal headings and articles always start a new one."""
    lines = [norm_space(x) for x in lines]
    if short is None:
        lengths = sorted(len(x) for x in lines if x)
        full = lengths[int(len(lengths) * 0.9)] if len(lengths) >= 5 else 0
        short = [len(x) < 0.6 * full for x in lines]
    blocks: list[Block] = []
    buf = ""

    def flush() -> None:
        nonlocal buf
        if buf.strip():
            blocks.append(classify_paragraph(buf, page=page))
        buf = ""

    for line, is_short in zip(lines, short, strict=False):
        if not line:
            flush()
            continue
        if legal_heading_level(line) is not None and len(line) <= 50:
            flush()
            blocks.append(classify_paragraph(line, page=page))
            continue
        if article_label(line):
            flush()
        buf = join_wrapped(buf, line)
        if line[-1] in SENTENCE_END or line[-1] in "”」）)" or is_short:
            flush()
    flush()
    return blocks


def merge_article_bodies(blocks: list[Block]) -> list[Block]:
    """Attach the paragraphs/list items that follow an article (its 款/项) to that article,
    up to the next article, heading or table."""
    out: list[Block] = []
    for b in blocks:
        prev = out[-1] if out else None
        if prev is not None and prev.kind == "article" and b.kind in ("paragraph", "list"):
            prev.text = f"{prev.text}\n{b.text}"
            if b.page is not None and b.page != prev.page:
                prev.meta["page_end"] = b.page
            continue
        out.append(b)
    return out


def assign_sections(blocks: list[Block], base: list[str] | None = None) -> list[Block]:
    """Fill ``section_path`` from heading blocks (a stack by level), below ``base``."""
    base = list(base or [])
    stack: list[tuple[int, str]] = []
    for b in blocks:
        if b.kind == "heading":
            while stack and stack[-1][0] >= b.level:
                stack.pop()
            stack.append((b.level, b.text))
            b.section_path = base + [t for _, t in stack]
        elif not b.section_path:
            b.section_path = base + [t for _, t in stack]
    return blocks


def finish(blocks: list[Block], base: list[str] | None = None) -> list[Block]:
    """Common last steps for flowing-text formats: drop empties, group articles, fill sections."""
    blocks = [b for b in blocks if b.text.strip()]
    return assign_sections(merge_article_bodies(blocks), base)


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode bytes of unknown Chinese/English encoding -> (text, encoding name)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # strict GB decoding first: GBK is a subset of GB18030, so pick the narrower name that works
    for enc in ("gbk", "gb18030"):
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None and best.encoding:
        return str(best), best.encoding
    return data.decode("gb18030", errors="replace"), "gb18030"


def looks_binary(data: bytes) -> bool:
    """True when a sample has control bytes that no text file would hold."""
    sample = data[:4096]
    if b"\x00" in sample and not sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    ctrl = sum(1 for c in sample if c < 32 and c not in (9, 10, 12, 13, 27))
    return ctrl > len(sample) * 0.05


def table_row(cells: Iterable[object]) -> str:
    """``| a | b |`` text of one table row (pipes and newlines inside cells flattened)."""
    vals = ["" if c is None else norm_space(str(c).replace("|", "/").replace("\n", " ")) for c in cells]
    return "| " + " | ".join(vals) + " |"


def table_block(header: list[object], rows: list[list[object]], **kw: object) -> Block:
    """A table block whose meta carries the header row text and body row texts."""
    head = table_row(header)
    sep = "| " + " | ".join("---" for _ in header) + " |"
    header_text = f"{head}\n{sep}"
    body = [table_row(r) for r in rows]
    meta = {"header": header_text, "rows": body, "columns": [norm_space(str(h or "")) for h in header]}
    meta.update(kw.pop("meta", {}) or {})  # type: ignore[arg-type]
    return Block("\n".join([header_text, *body]), kind="table", meta=meta, **kw)  # type: ignore[arg-type]
