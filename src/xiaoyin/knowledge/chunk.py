"""Structure-aware chunking of a :class:`ParsedDocument` into retrievable :class:`Chunk` s.

Rules: headings only build the section path; a legal article stays whole (up to ``ARTICLE_FACTOR``
x ``max_chars``, split at 。； beyond that); table rows are grouped with the header repeated on top of
every chunk; other text is packed up to ``max_chars`` within one section and one page, long
paragraphs split at sentence ends with ``overlap`` characters carried over. Chunks never cross a
section boundary, and only an article that itself runs over a page break spans pages.
"""

from __future__ import annotations

import re

from xiaoyin.knowledge.types import Block, Chunk, ParsedDocument

ARTICLE_FACTOR = 3
_SENT = re.compile(r"(?<=[。！？；!?;])|(?<=[.](?=\s))|\n")
_ARTICLE_SENT = re.compile(r"(?<=[。；;])|\n")


def split_sentences(text: str, pattern: re.Pattern[str] = _SENT) -> list[str]:
    """Sentences with their end punctuation kept (whitespace-only pieces dropped)."""
    return [s for s in (p.strip() for p in pattern.split(text)) if s]


def _hard_cut(s: str, size: int) -> list[str]:
    return [s[i : i + size] for i in range(0, len(s), size)]


def _tail(text: str, overlap: int) -> str:
    """The last sentence(s) of ``text`` within ``overlap`` chars, else its last ``overlap`` chars."""
    if overlap <= 0:
        return ""
    out = ""
    for s in reversed(split_sentences(text)):
        if len(s) + len(out) > overlap:
            break
        out = s + out
    if not out:
        out = text[-overlap:]
        cut = out.find(" ")
        if 0 <= cut < overlap // 2:  # start on a word boundary in Latin text
            out = out[cut + 1 :]
    return out.strip()


def split_text(text: str, max_chars: int, overlap: int, pattern: re.Pattern[str] = _SENT) -> list[str]:
    """Pieces of at most ~max_chars, cut at sentence ends, each after the first starting with
    up to ``overlap`` chars of the previous piece."""
    text = text.strip()
    if len(text) <= max_chars:
        return [text] if text else []
    sents: list[str] = []
    for s in split_sentences(text, pattern):
        sents.extend(_hard_cut(s, max_chars) if len(s) > max_chars else [s])
    pieces: list[str] = []
    cur = ""
    for s in sents:
        sep = "" if not cur or _cjk_edge(cur, s) else " "
        if cur and len(cur) + len(sep) + len(s) > max_chars:
            pieces.append(cur)
            tail = _tail(cur, overlap)
            cur = tail if len(tail) + 1 + len(s) <= max_chars else ""
            sep = "" if not cur or _cjk_edge(cur, s) else " "
        cur = f"{cur}{sep}{s}"
    if cur.strip():
        pieces.append(cur)
    return pieces


def _cjk_edge(a: str, b: str) -> bool:
    return ord(a[-1]) > 0x2E80 or ord(b[0]) > 0x2E80


class _Chunker:
    def __init__(self, max_chars: int, overlap: int) -> None:
        self.max_chars = max_chars
        self.overlap = overlap
        self.chunks: list[Chunk] = []
        self.buf: list[Block] = []

    def emit(
        self, text: str, path: list[str], p0: int | None, p1: int | None, kind: str, **meta: object
    ) -> None:
        text = text.strip()
        if text:
            self.chunks.append(
                Chunk(text, list(path), p0, p1 if p1 is not None else p0, kind, len(self.chunks), dict(meta))
            )

    def flush(self) -> None:
        """Emit the packed paragraphs in the buffer (one section, one page)."""
        if not self.buf:
            return
        b0 = self.buf[0]
        kind = "transcript" if b0.kind == "transcript" else "paragraph"
        meta: dict[str, object] = {}
        if kind == "transcript":
            meta = {"start": b0.meta.get("start"), "end": self.buf[-1].meta.get("end")}
        self.emit(
            "\n".join(b.text.strip() for b in self.buf), b0.section_path, b0.page, b0.page, kind, **meta
        )
        self.buf = []

    def text_block(self, b: Block) -> None:
        if self.buf and (self.buf[0].section_path != b.section_path or self.buf[0].page != b.page):
            self.flush()
        size = sum(len(x.text) + 1 for x in self.buf)
        if len(b.text) > self.max_chars:
            self.flush()
            pieces = split_text(b.text, self.max_chars, self.overlap)
            meta = {"start": b.meta.get("start"), "end": b.meta.get("end")} if b.kind == "transcript" else {}
            kind = "transcript" if b.kind == "transcript" else "paragraph"
            for piece in pieces[:-1]:
                self.emit(piece, b.section_path, b.page, b.page, kind, **meta)
            # the last piece stays open so short blocks that follow can join it
            self.buf = [Block(pieces[-1], b.kind, b.page, b.level, b.section_path, b.bbox, b.meta)]
            return
        if self.buf and size + len(b.text) > self.max_chars:
            self.flush()
        self.buf.append(b)

    def article(self, b: Block) -> None:
        self.flush()
        p1 = b.meta.get("page_end", b.page)
        label = b.meta.get("article")
        meta = {"article": label} if label else {}
        if len(b.text) <= ARTICLE_FACTOR * self.max_chars:
            self.emit(b.text, b.section_path, b.page, p1, "article", **meta)
            return
        pieces = split_text(b.text, ARTICLE_FACTOR * self.max_chars // 2, self.overlap, _ARTICLE_SENT)
        for i, piece in enumerate(pieces):
            if i and label and not piece.startswith(str(label)):
                piece = f"{label}（续）{piece}"
            self.emit(piece, b.section_path, b.page, p1, "article", part=i + 1, parts=len(pieces), **meta)

    def table(self, b: Block) -> None:
        self.flush()
        header = str(b.meta.get("header") or "")
        rows = [str(r) for r in b.meta.get("rows") or []]
        base = {k: v for k, v in b.meta.items() if k in ("sheet", "columns")}
        if not rows:
            if not header:  # a table without structure: treat as text
                for piece in split_text(b.text, self.max_chars, 0):
                    self.emit(piece, b.section_path, b.page, b.page, "table", **base)
            else:
                self.emit(header, b.section_path, b.page, b.page, "table", **base)
            return
        group: list[str] = []
        first = 0
        budget = max(self.max_chars - len(header) - 1, 1)
        for i, row in enumerate(rows):
            if group and sum(len(r) + 1 for r in group) + len(row) > budget:
                self.emit(
                    "\n".join([header, *group]),
                    b.section_path,
                    b.page,
                    b.page,
                    "table",
                    row_start=first + 1,
                    row_end=i,
                    **base,
                )
                group, first = [], i
            group.append(row)
        self.emit(
            "\n".join([header, *group]),
            b.section_path,
            b.page,
            b.page,
            "table",
            row_start=first + 1,
            row_end=len(rows),
            **base,
        )


def chunk_document(doc: ParsedDocument, *, max_chars: int = 600, overlap: int = 80) -> list[Chunk]:
    """Chunks of ``doc`` in reading order (``ordinal`` 0, 1, 2, ...); never empty."""
    c = _Chunker(max_chars, max(0, min(overlap, max_chars // 2)))
    stack: list[tuple[int, str]] = []
    for b in doc.blocks:
        if not b.text.strip():
            continue
        if b.kind == "heading":
            c.flush()
            while stack and stack[-1][0] >= b.level:
                stack.pop()
            stack.append((b.level, b.text.strip()))
            continue
        if not b.section_path and stack:
            b = Block(b.text, b.kind, b.page, b.level, [t for _, t in stack], b.bbox, b.meta)
        if b.kind == "article":
            c.article(b)
        elif b.kind == "table":
            c.table(b)
        else:
            c.text_block(b)
    c.flush()
    return c.chunks
