"""The ledger service's results (pydantic models) and its own error."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from xiaoyin.core.errors import XiaoyinError
from xiaoyin.core.ledger.signing import SignedTreeHead


class LedgerError(XiaoyinError):
    """The stored log cannot serve a request (damaged rows); run ``verify`` for details."""

    code = "ledger_error"
    http_status = 409


class LedgerReceipt(BaseModel):
    """What an append returns: the entry's place and the signed tree head that covers it."""

    log: str
    seq: int
    leaf_hash: str
    tree_size: int = Field(description="size of the signed tree head ending this append call")
    root_hash: str
    sth: SignedTreeHead


class LogInfo(BaseModel):
    name: str
    hash_alg: str
    tree_size: int
    root_hash: str
    created_at: datetime


class EntryInfo(BaseModel):
    """One stored leaf, with its payload decoded."""

    log: str
    seq: int
    kind: str
    ref: str | None
    payload: Any
    leaf_data: str = Field(description="the canonical JSON that was hashed")
    leaf_hash: str
    created_at: datetime


class InclusionProof(BaseModel):
    """RFC 9162 inclusion proof of entry ``seq`` in the tree of ``tree_size`` entries."""

    log: str
    hash_alg: str
    seq: int
    tree_size: int
    leaf_hash: str
    path: list[str]
    root_hash: str
    sth: SignedTreeHead | None = Field(None, description="the stored signed head of that size, if any")


class ConsistencyProof(BaseModel):
    """RFC 9162 consistency proof that the tree of ``second`` entries extends that of ``first``."""

    log: str
    hash_alg: str
    first: int
    second: int
    first_root: str
    second_root: str
    path: list[str]


class Problem(BaseModel):
    """One finding of :func:`verify`; ``seq`` is the first entry it concerns (None: whole log)."""

    kind: str
    seq: int | None
    message: str


class LogVerification(BaseModel):
    log: str
    hash_alg: str
    ok: bool
    size: int = Field(description="entries stored")
    signed_size: int = Field(description="size of the newest signed tree head in the database")
    root_hash: str = Field(description="root recomputed from the stored entries")
    tree_heads_checked: int
    anchors_checked: int
    unanchored_heads: int
    first_bad_seq: int | None
    problems: list[Problem]
    warnings: list[str]


class VerifyReport(BaseModel):
    ok: bool
    logs: list[LogVerification]
    seconds: float
