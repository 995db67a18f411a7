"""Tables of the knowledge domain: knowledge bases, documents, chunks, answers and cited-text archive.

The database is the source of truth; search indexes are derived from the ``chunks`` table and can be
rebuilt from it at any time.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from xiaoyin.core.db import Base, JSONType, utcnow


class KnowledgeBase(Base):
    __tablename__ = "kb_knowledge_bases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    #: ACL tags new documents get unless an upload names its own (see core.auth.acl)
    default_acl: Mapped[list] = mapped_column(JSONType, default=lambda: ["public"])
    #: whether the index carries the documents' ACLs (False only for indexes built before 0005)
    acl_synced: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    documents: Mapped[list[Document]] = relationship(back_populates="kb", cascade="all, delete-orphan")


class Document(Base):
    """One ingested file; ``name`` (path relative to what was ingested) identifies it inside its KB."""

    __tablename__ = "kb_documents"
    __table_args__ = (UniqueConstraint("kb_id", "name", name="uq_kb_documents_kb_name"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kb_id: Mapped[int] = mapped_column(ForeignKey("kb_knowledge_bases.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(500))
    filename: Mapped[str] = mapped_column(String(255), index=True)
    source_path: Mapped[str] = mapped_column(Text, default="")
    format: Mapped[str] = mapped_column(String(20), default="")
    sha256: Mapped[str] = mapped_column(String(64), default="")
    size_bytes: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending|parsing|indexed|failed
    error_code: Mapped[str | None] = mapped_column(String(50), nullable=True)
    error_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    title: Mapped[str | None] = mapped_column(String(500), nullable=True)
    pages: Mapped[int | None] = mapped_column(Integer, nullable=True)
    chunk_count: Mapped[int] = mapped_column(Integer, default=0)
    tags: Mapped[list] = mapped_column(JSONType, default=list)
    doc_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    meta: Mapped[dict] = mapped_column(JSONType, default=dict)
    #: who may see the document and its chunks: ACL tags (core.auth.acl), filtered inside retrieval
    acl: Mapped[list] = mapped_column(JSONType, default=lambda: ["public"])
    version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    kb: Mapped[KnowledgeBase] = relationship(back_populates="documents")
    chunks: Mapped[list[ChunkRow]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="ChunkRow.ordinal"
    )


class ChunkRow(Base):
    __tablename__ = "kb_chunks"
    __table_args__ = (Index("ix_kb_chunks_doc_ordinal", "doc_id", "ordinal"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    doc_id: Mapped[str] = mapped_column(ForeignKey("kb_documents.id", ondelete="CASCADE"))
    kb_id: Mapped[int] = mapped_column(Integer, index=True)
    ordinal: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    section_path: Mapped[list] = mapped_column(JSONType, default=list)
    page_start: Mapped[int | None] = mapped_column(Integer, nullable=True)
    page_end: Mapped[int | None] = mapped_column(Integer, nullable=True)
    kind: Mapped[str] = mapped_column(String(20), default="paragraph")
    chunk_hash: Mapped[str] = mapped_column(String(64), index=True)
    meta: Mapped[dict] = mapped_column(JSONType, default=dict)

    document: Mapped[Document] = relationship(back_populates="chunks")


class CitedText(Base):
    """Immutable copy of every chunk an answer cited, keyed by content hash: citations outlive re-ingests."""

    __tablename__ = "kb_cited_texts"

    chunk_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    doc_name: Mapped[str] = mapped_column(String(500))
    section: Mapped[str] = mapped_column(Text, default="")
    page_start: Mapped[int | None] = mapped_column(Integer, nullable=True)
    page_end: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class AnswerRecord(Base):
    """Every answer given, with its citations, model and prompt-template version."""

    __tablename__ = "kb_answers"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kb_id: Mapped[int] = mapped_column(Integer, index=True)
    question: Mapped[str] = mapped_column(Text)
    history: Mapped[list] = mapped_column(JSONType, default=list)
    answer: Mapped[str] = mapped_column(Text)
    refused: Mapped[bool] = mapped_column(Boolean, default=False)
    support: Mapped[float] = mapped_column(Float, default=0.0)
    citations: Mapped[list] = mapped_column(JSONType, default=list)
    model: Mapped[str] = mapped_column(String(200))
    prompt_version: Mapped[str] = mapped_column(String(50))
    meta: Mapped[dict] = mapped_column(JSONType, default=dict)
    user: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)


class IngestJob(Base):
    """A batch ingestion run, so the API can report per-document progress."""

    __tablename__ = "kb_ingest_jobs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kb_id: Mapped[int] = mapped_column(Integer, index=True)
    status: Mapped[str] = mapped_column(String(20), default="running")  # running|done|failed
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    results: Mapped[list] = mapped_column(JSONType, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class Feedback(Base):
    """A user's 👍/👎 on one answer, with an optional comment and correction; reviewed by a
    knowledge-base manager, who may turn it into an evaluation question."""

    __tablename__ = "kb_feedback"
    __table_args__ = (UniqueConstraint("answer_id", "username", name="uq_kb_feedback_answer_user"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    answer_id: Mapped[str] = mapped_column(ForeignKey("kb_answers.id", ondelete="CASCADE"), index=True)
    kb_id: Mapped[int] = mapped_column(Integer, index=True)
    username: Mapped[str] = mapped_column(String(64))
    rating: Mapped[str] = mapped_column(String(8))  # up | down
    comment: Mapped[str] = mapped_column(Text, default="")
    correction: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | accepted | dismissed
    reviewed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class EvalQuestionRow(Base):
    """A stored evaluation question of a knowledge base (from reviewed feedback, or added by hand)."""

    __tablename__ = "kb_eval_questions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kb_id: Mapped[int] = mapped_column(Integer, index=True)
    question: Mapped[str] = mapped_column(Text)
    answers: Mapped[list] = mapped_column(JSONType, default=list)
    evidence: Mapped[list] = mapped_column(JSONType, default=list)
    answerable: Mapped[bool] = mapped_column(Boolean, default=True)
    source_feedback_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    created_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
