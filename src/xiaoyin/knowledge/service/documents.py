"""Documents of a knowledge base: list, inspect, delete."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from pydantic import BaseModel
from sqlalchemy import select

from xiaoyin.core.audit import service as audit
from xiaoyin.core.auth.acl import DocumentAcl
from xiaoyin.core.auth.principal import Permission, Principal, require
from xiaoyin.core.db import session_scope
from xiaoyin.knowledge.service._base import _find_doc, _get_kb, _index_lock, _kb_lock, _open, _visible
from xiaoyin.knowledge.service.originals import drop_original
from xiaoyin.knowledge.store import Document


@dataclass
class DocumentInfo:
    id: str
    name: str
    filename: str
    title: str | None
    format: str
    status: str
    pages: int | None
    chunks: int
    size_bytes: int
    sha256: str
    tags: list[str]
    doc_date: date | None
    error_code: str | None
    error_message: str | None
    version: int
    updated_at: datetime
    acl: list[str]


class ChunkInfo(BaseModel):
    """One chunk of a document as stored (the text the index searches and answers quote)."""

    id: str
    ordinal: int
    text: str
    section_path: list[str] | None
    page_start: int | None
    page_end: int | None
    kind: str
    hash: str


def _doc_info(d: Document) -> DocumentInfo:
    return DocumentInfo(
        d.id, d.name, d.filename, d.title, d.format, d.status, d.pages, d.chunk_count, d.size_bytes, d.sha256,
        list(d.tags or []), d.doc_date, d.error_code, d.error_message, d.version, d.updated_at, list(d.acl or []),
    )


def list_documents(kb: str, *, principal: Principal | None = None) -> list[DocumentInfo]:
    """The documents of ``kb`` the reader may see."""
    with session_scope() as s:
        k = _get_kb(s, kb)
        rows = s.scalars(select(Document).where(Document.kb_id == k.id).order_by(Document.name))
        return [_doc_info(d) for d in rows if _visible(principal, d)]


def get_document(kb: str, ref: str, *, principal: Principal | None = None) -> DocumentInfo:
    with session_scope() as s:
        return _doc_info(_find_doc(s, _get_kb(s, kb).id, ref, principal))


def document_chunks(kb: str, ref: str, *, principal: Principal | None = None) -> list[ChunkInfo]:
    """The chunks of one document, in order (for inspection and the UI)."""
    with session_scope() as s:
        d = _find_doc(s, _get_kb(s, kb).id, ref, principal)
        return [
            ChunkInfo(id=c.id, ordinal=c.ordinal, text=c.text, section_path=c.section_path,
                      page_start=c.page_start, page_end=c.page_end, kind=c.kind, hash=c.chunk_hash)
            for c in d.chunks
        ]


def set_document_acl(kb: str, ref: str, acl: DocumentAcl, *, principal: Principal | None = None) -> DocumentInfo:
    """Change who may see a document: the database row and the index entries of its chunks (no
    re-embedding), audited. ``principal`` needs ``kb.manage`` and must see the document."""
    require(principal, Permission.KB_MANAGE)
    tags = acl.tags()
    with _kb_lock(kb):
        with session_scope() as s:
            d = _find_doc(s, _get_kb(s, kb).id, ref, principal)
            doc_id, before = d.id, list(d.acl or [])
        idx = _open(kb)
        with _index_lock:  # index first: readers are also filtered against the database row
            idx.set_acl({doc_id: tags})
        with session_scope() as s:
            d = s.get(Document, doc_id)
            d.acl = tags
            if principal is not None:
                audit.record(principal, "kb.document_acl", target=f"{kb}/{d.name}"[:255], session=s,
                             details={"doc_id": doc_id, "before": before, "after": tags})
            return _doc_info(d)


def delete_document(kb: str, ref: str, *, principal: Principal | None = None) -> DocumentInfo:
    """Remove a document from the database and from every index (``principal`` needs ``kb.manage``)."""
    require(principal, Permission.KB_MANAGE)
    with _kb_lock(kb):
        with session_scope() as s:
            info = _doc_info(_find_doc(s, _get_kb(s, kb).id, ref, principal))
        idx = _open(kb)
        with _index_lock:  # index first: a failure here leaves the document whole, never half-deleted
            idx.delete_documents([info.id])
        with session_scope() as s:
            d = s.get(Document, info.id)
            if d is not None:
                s.delete(d)
            drop_original(info.id)
            if principal is not None:
                audit.record(principal, "kb.delete_document", target=f"{kb}/{info.name}"[:255], session=s,
                             details={"doc_id": info.id, "sha256": info.sha256, "version": info.version})
        return info
