"""Keeping a knowledge base's index in step with the database: what BM25 indexes, repair, rebuild."""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import func, select

from xiaoyin.core.audit import service as audit
from xiaoyin.core.auth.principal import Permission, Principal
from xiaoyin.core.db import session_scope
from xiaoyin.core.settings import get_settings
from xiaoyin.knowledge.index.base import SearchIndex
from xiaoyin.knowledge.service._base import _drop_index, _get_kb, _index_lock, _kb_lock, _open
from xiaoyin.knowledge.store import ChunkRow, Document
from xiaoyin.knowledge.types import Chunk, IndexChunk
from xiaoyin.models.embed import get_embedder

log = logging.getLogger(__name__)


def _lexical_text(name: str, title: str | None, chunk: Chunk) -> str:
    """What BM25 indexes: the file name's words too (filings and policies are often named
    ``AMAZON_2017_10K.pdf`` or ``个人贷款管理办法.docx`` while their metadata title says little)."""
    stem = Path(name).stem.replace("_", " ").replace("-", " ")
    head = stem if not title or stem.lower() in title.lower() else f"{stem} {title}"
    heading = " ".join(p for p in (head, chunk.section) if p)
    weight = get_settings().retrieval.title_weight  # titles and headings say what a passage is about
    return "\n".join([heading] * weight + [chunk.text])


def _reconcile(kb: str, kb_id: int, idx: SearchIndex) -> None:
    """Bring the index in line with the database after an interrupted run (rarely does anything)."""
    with session_scope() as s:
        db_docs = set(s.scalars(select(Document.id).where(Document.kb_id == kb_id, Document.status == "indexed")))
        n_chunks = s.scalar(select(func.count()).select_from(ChunkRow).where(ChunkRow.kb_id == kb_id)) or 0
    with _index_lock:
        idx_docs = idx.doc_ids()
        extra = idx_docs - db_docs
        missing = db_docs - idx_docs
        if not extra and not missing and idx.count() == n_chunks:
            return
        log.warning("index of %s out of step with database (%d extra, %d missing docs): repairing",
                    kb, len(extra), len(missing))
        if idx.count() != n_chunks:
            missing = db_docs  # chunk-level drift: rebuild every document
            extra = idx_docs
        if extra:
            idx.delete_documents(sorted(extra))
    if missing:
        _reindex_docs(kb_id, idx, sorted(missing))


def _reindex_docs(kb_id: int, idx: SearchIndex, doc_ids: list[str]) -> None:
    import numpy as np

    embedder = get_embedder()
    with session_scope() as s:
        docs = {d.id: d for d in s.scalars(select(Document).where(Document.id.in_(doc_ids)))}
        rows = list(s.scalars(select(ChunkRow).where(ChunkRow.doc_id.in_(doc_ids)).order_by(ChunkRow.doc_id,
                                                                                            ChunkRow.ordinal)))
        items, embed_texts = [], []
        for r in rows:
            d = docs[r.doc_id]
            ch = Chunk(text=r.text, section_path=list(r.section_path or []))
            items.append(IndexChunk(chunk_id=r.id, doc_id=r.doc_id, text=_lexical_text(d.name, d.title, ch),
                                    tags=list(d.tags or []), doc_date=d.doc_date, acl=list(d.acl or [])))
            embed_texts.append(ch.search_text(d.title))  # same text as at ingest: embedding cache hits
    if not items:
        return
    vecs = embedder.embed_passages(embed_texts) if embedder else None
    with _index_lock:
        idx.delete_documents(doc_ids)
        idx.add(items, vecs if vecs is None else np.asarray(vecs))


def rebuild_index(kb: str, *, principal: Principal | None = None) -> int:
    """Rebuild ``kb``'s search index from the database; returns the number of chunks indexed."""
    if principal is not None:
        principal.require(Permission.KB_MANAGE)
        audit.record(principal, "kb.reindex", target=kb)
    with _kb_lock(kb):
        with session_scope() as s:
            kb_id = _get_kb(s, kb).id
            doc_ids = list(s.scalars(select(Document.id).where(Document.kb_id == kb_id,
                                                               Document.status == "indexed")))
        _drop_index(kb_id)
        idx = _open(kb)
        _reindex_docs(kb_id, idx, doc_ids)
        return idx.count()
