"""Knowledge bases: create, list, get, delete."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from xiaoyin.core.db import session_scope
from xiaoyin.core.errors import AlreadyExists, InvalidInput
from xiaoyin.knowledge.service._base import _drop_index, _get_kb, _kb_lock
from xiaoyin.knowledge.store import AnswerRecord, ChunkRow, Document, IngestJob, KnowledgeBase


@dataclass
class KBInfo:
    name: str
    description: str
    documents: int
    chunks: int
    created_at: datetime


def _validate_kb_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 100 or any(c in name for c in '/\\:*?"<>|\x00') or name.startswith("."):
        raise InvalidInput(f"知识库名称无效 / invalid knowledge-base name: {name!r} (1-100 chars, no path characters)")
    return name


def _kb_info(s: Session, kb: KnowledgeBase) -> KBInfo:
    docs = s.scalar(select(func.count()).select_from(Document).where(Document.kb_id == kb.id)) or 0
    chunks = s.scalar(select(func.count()).select_from(ChunkRow).where(ChunkRow.kb_id == kb.id)) or 0
    return KBInfo(kb.name, kb.description, docs, chunks, kb.created_at)


def create_kb(name: str, description: str = "", *, exist_ok: bool = False) -> KBInfo:
    """Create a knowledge base (``exist_ok`` makes it idempotent)."""
    name = _validate_kb_name(name)
    with session_scope() as s:
        kb = s.scalar(select(KnowledgeBase).where(KnowledgeBase.name == name))
        if kb is not None:
            if not exist_ok:
                raise AlreadyExists(f"知识库已存在 / knowledge base already exists: {name}")
            return _kb_info(s, kb)
        kb = KnowledgeBase(name=name, description=description)
        s.add(kb)
        s.flush()
        return _kb_info(s, kb)


def list_kbs() -> list[KBInfo]:
    with session_scope() as s:
        return [_kb_info(s, kb) for kb in s.scalars(select(KnowledgeBase).order_by(KnowledgeBase.name))]


def get_kb(name: str) -> KBInfo:
    with session_scope() as s:
        return _kb_info(s, _get_kb(s, name))


def delete_kb(name: str) -> None:
    """Delete a knowledge base, its documents, chunks and index."""
    with _kb_lock(name), session_scope() as s:
        kb = _get_kb(s, name)
        kb_id = kb.id
        s.execute(delete(ChunkRow).where(ChunkRow.kb_id == kb_id))
        s.execute(delete(Document).where(Document.kb_id == kb_id))
        s.execute(delete(IngestJob).where(IngestJob.kb_id == kb_id))
        s.execute(delete(AnswerRecord).where(AnswerRecord.kb_id == kb_id))
        s.delete(kb)
    _drop_index(kb_id)
