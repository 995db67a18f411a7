"""Ledger tables: logs, their entries (the leaves) and signed tree heads.

The schema is created by migration ``0003_ledger`` (hand-written; keep the two in step).
Rows are never updated after insertion except ``ledger_logs.tree_size/frontier`` (the append state)
and ``ledger_tree_heads.anchor_receipt`` (filled once the head is published).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from xiaoyin.core.db import Base, utcnow


class LedgerLog(Base):
    """One named append-only log; ``frontier`` is its compact range (JSON list of hex hashes)."""

    __tablename__ = "ledger_logs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    hash_alg: Mapped[str] = mapped_column(String(16))
    tree_size: Mapped[int] = mapped_column(BigInteger, default=0)
    frontier: Mapped[str] = mapped_column(Text, default="[]")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class LedgerEntry(Base):
    """One leaf: ``leaf_data`` is the canonical JSON that was hashed, ``tree_root`` the root after it."""

    __tablename__ = "ledger_entries"
    __table_args__ = (UniqueConstraint("log_id", "seq", name="uq_ledger_entries_log_id_seq"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    log_id: Mapped[int] = mapped_column(ForeignKey("ledger_logs.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(BigInteger)
    leaf_data: Mapped[str] = mapped_column(Text)
    leaf_hash: Mapped[str] = mapped_column(String(64))
    tree_root: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(50))
    ref: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class LedgerTreeHead(Base):
    """A signed tree head, stored at the end of every append call."""

    __tablename__ = "ledger_tree_heads"
    __table_args__ = (UniqueConstraint("log_id", "tree_size", name="uq_ledger_tree_heads_log_id_tree_size"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    log_id: Mapped[int] = mapped_column(ForeignKey("ledger_logs.id", ondelete="CASCADE"))
    tree_size: Mapped[int] = mapped_column(BigInteger)
    root_hash: Mapped[str] = mapped_column(String(64))
    timestamp: Mapped[int] = mapped_column(BigInteger)
    key_id: Mapped[str] = mapped_column(String(16))
    signature: Mapped[str] = mapped_column(Text)
    anchor_receipt: Mapped[str | None] = mapped_column(Text, nullable=True)
