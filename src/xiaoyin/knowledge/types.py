"""Plain data passed between the knowledge pipeline's stages (parse -> chunk -> index -> retrieve -> answer)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

BlockKind = Literal["heading", "paragraph", "table", "list", "article", "transcript", "caption"]


@dataclass
class Block:
    """One piece of a parsed document, in reading order.

    ``page`` is 1-based (None where the format has no pages). ``section_path`` is filled by the
    parser when it knows the structure (e.g. Markdown headings, law chapters) and otherwise by the
    chunker from preceding ``heading`` blocks. For tables ``meta["header"]`` holds the header row(s)
    as text and ``meta["rows"]`` the body rows, so the chunker can repeat the header in every chunk.
    """

    text: str
    kind: BlockKind = "paragraph"
    page: int | None = None
    level: int = 0
    section_path: list[str] = field(default_factory=list)
    bbox: tuple[float, float, float, float] | None = None
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class ParsedDocument:
    """What a parser returns: blocks in reading order plus facts about the file."""

    blocks: list[Block]
    pages: int | None = None
    title: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)  # format, encoding, ocr_pages, sheet names, ...
    warnings: list[str] = field(default_factory=list)


@dataclass
class Chunk:
    """A retrievable unit: whole legal article, table slice with its header, or section passage."""

    text: str
    section_path: list[str] = field(default_factory=list)
    page_start: int | None = None
    page_end: int | None = None
    kind: str = "paragraph"
    ordinal: int = 0
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def section(self) -> str:
        return " > ".join(self.section_path)

    @property
    def hash(self) -> str:
        """Content hash: identifies this exact text in citations across re-ingests."""
        h = hashlib.sha256()
        h.update(self.section.encode("utf-8"))
        h.update(b"\x00")
        h.update(self.text.encode("utf-8"))
        return h.hexdigest()

    def search_text(self, title: str | None = None) -> str:
        """The text the indexes see: document title and section path prepended to the body."""
        head = " ".join(p for p in [title or "", self.section] if p)
        return f"{head}\n{self.text}" if head else self.text


@dataclass
class IndexChunk:
    """A chunk as handed to a :class:`~xiaoyin.knowledge.index.base.SearchIndex`."""

    chunk_id: str
    doc_id: str
    text: str  # search text (title + section path + body)
    tags: list[str] = field(default_factory=list)
    doc_date: date | None = None
    #: the document's ACL tags (core.auth.acl); with none, only unfiltered searches see the chunk
    acl: list[str] = field(default_factory=list)


@dataclass
class SearchFilters:
    """Restrict a search to documents, tags (any of), a document date range (inclusive) and, for a
    reader who is not an administrator, to chunks whose ACL shares a tag with ``acl`` (the reader's
    tags, see ``Principal.acl_tags``). The ACL filter is applied inside the index, before ranking."""

    doc_ids: list[str] | None = None
    tags: list[str] | None = None
    date_from: date | None = None
    date_to: date | None = None
    acl: list[str] | None = None

    def is_empty(self) -> bool:
        return not (self.doc_ids or self.tags or self.date_from or self.date_to) and self.acl is None


@dataclass
class Hit:
    """One retrieved chunk with its fused score and the per-signal evidence behind it."""

    chunk_id: str
    score: float
    signals: dict[str, float] = field(default_factory=dict)  # bm25, dense, rrf, rerank ...
