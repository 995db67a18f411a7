"""Knowledge bases: create, list, get, delete."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from xiaoyin.core.audit import service as audit
from xiaoyin.core.auth.acl import DocumentAcl
from xiaoyin.core.auth.principal import Permission, Principal, require
from xiaoyin.core.db import session_scope
from xiaoyin.core.errors import AlreadyExists, Forbidden, InvalidInput
from xiaoyin.knowledge.service._base import _drop_index, _get_kb, _kb_lock
from xiaoyin.knowledge.service.originals import drop_original
from xiaoyin.knowledge.store import (
    AnswerRecord,
    ChunkRow,
    Document,
    EvalQuestionRow,
    Feedback,
    IngestJob,
    KnowledgeBase,
)


@dataclass
class KBInfo:
    name: str
    description: str
    documents: int
    chunks: int
    created_at: datetime
    #: ACL tags new documents get unless an upload names its own
    default_acl: list[str]


def _validate_kb_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 100 or any(c in name for c in '/\\:*?"<>|\x00') or name.startswith("."):
        raise InvalidInput(f"知识库名称无效 / invalid knowledge-base name: {name!r} (1-100 chars, no path characters)")
    return name


def _kb_info(s: Session, kb: KnowledgeBase) -> KBInfo:
    docs = s.scalar(select(func.count()).select_from(Document).where(Document.kb_id == kb.id)) or 0
    chunks = s.scalar(select(func.count()).select_from(ChunkRow).where(ChunkRow.kb_id == kb.id)) or 0
    return KBInfo(kb.name, kb.description, docs, chunks, kb.created_at, list(kb.default_acl or []))


def create_kb(name: str, description: str = "", *, exist_ok: bool = False, default_acl: DocumentAcl | None = None,
              principal: Principal | None = None) -> KBInfo:
    """Create a knowledge base (``exist_ok`` makes it idempotent). ``default_acl``: who may see its
    documents unless an upload says otherwise (default: all staff). ``principal`` needs ``kb.manage``."""
    require(principal, Permission.KB_MANAGE)
    name = _validate_kb_name(name)
    with session_scope() as s:
        kb = s.scalar(select(KnowledgeBase).where(KnowledgeBase.name == name))
        if kb is not None:
            if not exist_ok:
                raise AlreadyExists(f"知识库已存在 / knowledge base already exists: {name}")
            return _kb_info(s, kb)
        kb = KnowledgeBase(name=name, description=description,
                           default_acl=(default_acl or DocumentAcl.everyone()).tags())
        s.add(kb)
        s.flush()
        if principal is not None:
            audit.record(principal, "kb.create", target=name, session=s, details={"default_acl": kb.default_acl})
        return _kb_info(s, kb)


def list_kbs() -> list[KBInfo]:
    with session_scope() as s:
        return [_kb_info(s, kb) for kb in s.scalars(select(KnowledgeBase).order_by(KnowledgeBase.name))]


def get_kb(name: str) -> KBInfo:
    with session_scope() as s:
        return _kb_info(s, _get_kb(s, name))


def set_default_acl(name: str, acl: DocumentAcl, *, principal: Principal | None = None) -> KBInfo:
    """Change who new documents of ``name`` are visible to (existing documents keep theirs)."""
    require(principal, Permission.KB_MANAGE)
    with session_scope() as s:
        kb = _get_kb(s, name)
        before, kb.default_acl = list(kb.default_acl or []), acl.tags()
        if principal is not None:
            audit.record(principal, "kb.default_acl", target=name, session=s,
                         details={"before": before, "after": kb.default_acl})
        return _kb_info(s, kb)


def delete_kb(name: str, *, principal: Principal | None = None) -> None:
    """Delete a knowledge base, its documents, chunks and index (``principal`` needs ``kb.manage``;
    a knowledge base holding documents they may not see is refused)."""
    require(principal, Permission.KB_MANAGE)
    with _kb_lock(name), session_scope() as s:
        kb = _get_kb(s, name)
        kb_id = kb.id
        if principal is not None and not principal.sees_all_documents:
            hidden = [a for a in s.scalars(select(Document.acl).where(Document.kb_id == kb_id))
                      if not principal.can_see(a)]
            if hidden:
                raise Forbidden(f"知识库中有 {len(hidden)} 份您无权访问的文档，不能删除 / the knowledge base holds "
                                f"{len(hidden)} documents you may not see; an administrator must delete it")
        doc_ids = list(s.scalars(select(Document.id).where(Document.kb_id == kb_id)))
        docs = len(doc_ids)
        if principal is not None:
            audit.record(principal, "kb.delete", target=name, session=s, details={"documents": docs})
        s.execute(delete(ChunkRow).where(ChunkRow.kb_id == kb_id))
        s.execute(delete(Document).where(Document.kb_id == kb_id))
        s.execute(delete(IngestJob).where(IngestJob.kb_id == kb_id))
        s.execute(delete(Feedback).where(Feedback.kb_id == kb_id))
        s.execute(delete(EvalQuestionRow).where(EvalQuestionRow.kb_id == kb_id))
        s.execute(delete(AnswerRecord).where(AnswerRecord.kb_id == kb_id))
        s.delete(kb)
    _drop_index(kb_id)
    for doc_id in doc_ids:
        drop_original(doc_id)
