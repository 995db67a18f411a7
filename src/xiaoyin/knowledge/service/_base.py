"""What the service modules share: the per-process index cache, its locks, and the KB/document lookups."""

from __future__ import annotations

import logging
import threading

from sqlalchemy import select
from sqlalchemy.orm import Session

from xiaoyin.core.auth.principal import Principal
from xiaoyin.core.db import session_scope
from xiaoyin.core.errors import InvalidInput, NotFound
from xiaoyin.core.settings import get_settings
from xiaoyin.knowledge.index import drop_index, open_index
from xiaoyin.knowledge.index.base import SearchIndex
from xiaoyin.knowledge.store import Document, KnowledgeBase
from xiaoyin.models.embed import get_embedder

log = logging.getLogger(__name__)

_index_lock = threading.RLock()
_kb_locks: dict[str, threading.Lock] = {}
_indexes: dict[tuple[str, int], SearchIndex] = {}  # (data directory, KB id) -> open index


def _get_kb(s: Session, name: str) -> KnowledgeBase:
    kb = s.scalar(select(KnowledgeBase).where(KnowledgeBase.name == name))
    if kb is None:
        raise NotFound(f"知识库不存在 / knowledge base not found: {name}")
    return kb


def _reader_acl(principal: Principal | None) -> list[str] | None:
    """The ACL tags a reader's documents must share; None: not filtered (the platform, administrators)."""
    if principal is None or principal.sees_all_documents:
        return None
    return sorted(principal.acl_tags())


def _visible(principal: Principal | None, d: Document) -> bool:
    return principal is None or principal.can_see(d.acl)


def _find_doc(s: Session, kb_id: int, ref: str, principal: Principal | None = None) -> Document:
    """A document by id, name or (unique) file name; one the reader may not see is "not found"."""
    d = s.scalar(select(Document).where(Document.kb_id == kb_id, Document.id == ref))
    if d is None:
        d = s.scalar(select(Document).where(Document.kb_id == kb_id, Document.name == ref))
    if d is not None and not _visible(principal, d):
        d = None
    if d is None:
        matches = [m for m in s.scalars(select(Document).where(Document.kb_id == kb_id, Document.filename == ref))
                   if _visible(principal, m)]
        if len(matches) == 1:
            d = matches[0]
        elif len(matches) > 1:
            raise InvalidInput(f"文件名不唯一，请用文档ID / several documents are named {ref}; use the id")
    if d is None:
        raise NotFound(f"文档不存在 / document not found: {ref}")
    return d


def _kb_lock(kb: str) -> threading.Lock:
    with _index_lock:
        return _kb_locks.setdefault(kb, threading.Lock())


def _index_name(kb_id: int) -> str:
    """Index (directory / collection) name of a knowledge base: stable, ASCII, whatever the KB is called."""
    return f"kb_{kb_id}"


def _open(kb: str) -> SearchIndex:
    """The search index of ``kb`` (cached per process, per data directory)."""
    with session_scope() as s:
        k = _get_kb(s, kb)
        kb_id, synced = k.id, k.acl_synced
    st = get_settings()
    key = (str(st.home.resolve()), kb_id)
    with _index_lock:
        idx = _indexes.get(key)
        if idx is None:
            emb = get_embedder()
            idx = _indexes[key] = open_index(_index_name(kb_id), emb.dim if emb else None)
        if not synced:
            _sync_acl(kb_id, idx)
        return idx


def _sync_acl(kb_id: int, idx: SearchIndex) -> None:
    """Write every document's ACL into an index built before document permissions existed (once)."""
    with session_scope() as s:
        acl = {d_id: list(tags or []) for d_id, tags in s.execute(
            select(Document.id, Document.acl).where(Document.kb_id == kb_id))}
        n = idx.set_acl(acl) if acl else 0
        s.get(KnowledgeBase, kb_id).acl_synced = True
    log.info("document permissions written into the index of knowledge base %s (%d chunks)", kb_id, n)


def close_indexes() -> None:
    """Close every cached index (tests, settings changes)."""
    with _index_lock:
        for idx in _indexes.values():
            try:
                idx.close()
            except Exception:  # pragma: no cover - best effort
                log.exception("closing index failed")
        _indexes.clear()


def _drop_index(kb_id: int) -> None:
    """Close ``kb_id``'s cached index, if open, and delete the index on the backend."""
    with _index_lock:
        idx = _indexes.pop((str(get_settings().home.resolve()), kb_id), None)
        if idx is not None:
            idx.close()
        drop_index(_index_name(kb_id))
