"""Appends: create a log, append entries with one signed tree head per call, the signing key."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from xiaoyin.core.db import utcnow
from xiaoyin.core.errors import AlreadyExists, InvalidInput
from xiaoyin.core.ledger import signing
from xiaoyin.core.ledger.merkle import LEAF_PREFIX
from xiaoyin.core.ledger.service.anchoring import _schedule_publish
from xiaoyin.core.ledger.service.models import LedgerReceipt, LogInfo
from xiaoyin.core.ledger.service.reading import public_key_pem
from xiaoyin.core.ledger.service.rows import (
    _ensure_log,
    _frontier,
    _leaf_text,
    _lock_log,
    _log_info,
    _session,
    log_,
)
from xiaoyin.core.ledger.signing import LedgerKeyMissing
from xiaoyin.core.ledger.store import LedgerEntry, LedgerTreeHead


def create_log(name: str, hash_alg: str | None = None, *, session: Session | None = None) -> LogInfo:
    """Create log ``name`` with ``hash_alg`` (default ``settings.ledger.hash``); an existing log is
    returned as is, but asking for a different algorithm than it has is an error."""
    with _session(session) as s:
        row = _ensure_log(s, name, hash_alg)
        if hash_alg is not None and row.hash_alg != hash_alg:
            raise InvalidInput(f"ledger log {name!r} already exists with hash {row.hash_alg}, not {hash_alg}")
        return _log_info(row)


def append(
    log: str, payload: Mapping[str, Any] | BaseModel | Any, *, kind: str, ref: str | None = None,
    session: Session | None = None,
) -> LedgerReceipt:
    """Append one entry to ``log`` (created on first use) and sign the new tree head.

    With ``session=`` the entry joins the caller's transaction; the tree head is anchored when that
    transaction commits and dropped with it if it rolls back."""
    return append_many(log, [payload], kind=kind, refs=[ref], session=session)[0]


def append_many(
    log: str, payloads: Sequence[Mapping[str, Any] | BaseModel | Any], *, kind: str,
    refs: Sequence[str | None] | None = None, session: Session | None = None,
) -> list[LedgerReceipt]:
    """Append entries in one transaction with one signed tree head at the end (the batch API)."""
    if refs is not None and len(refs) != len(payloads):
        raise InvalidInput(f"append_many got {len(payloads)} payloads but {len(refs)} refs")
    texts = [_leaf_text(p, kind, refs[i] if refs is not None else None) for i, p in enumerate(payloads)]
    if not texts:
        return []
    with _session(session) as s:
        row = _lock_log(s, _ensure_log(s, log).id)
        key = _signing_key(s)
        f = _frontier(row)
        h = f.h
        now = utcnow()
        entries: list[dict[str, Any]] = []
        for i, text in enumerate(texts):
            lh = h(LEAF_PREFIX + text.encode("utf-8"))
            f.append(lh)
            entries.append(dict(log_id=row.id, seq=f.size - 1, leaf_data=text, leaf_hash=lh.hex(),
                                tree_root=f.root().hex(), kind=kind,
                                ref=refs[i] if refs is not None else None, created_at=now))
        s.execute(insert(LedgerEntry), entries)
        row.tree_size = f.size
        row.frontier = json.dumps([n.hex() for n in f.nodes])
        root_hex = entries[-1]["tree_root"]
        sth = signing.sign_tree_head(key, log=row.name, hash_alg=row.hash_alg, tree_size=f.size,
                                     root_hash=root_hex, timestamp=int(time.time() * 1000))
        head = LedgerTreeHead(log_id=row.id, tree_size=sth.tree_size, root_hash=sth.root_hash,
                              timestamp=sth.timestamp, key_id=sth.key_id, signature=sth.signature)
        s.add(head)
        s.flush()
        _schedule_publish(s, sth, head.id)
        return [LedgerReceipt(log=row.name, seq=e["seq"], leaf_hash=e["leaf_hash"], tree_size=f.size,
                              root_hash=root_hex, sth=sth) for e in entries]


def _any_signed_head(s: Session) -> bool:
    return s.scalar(select(LedgerTreeHead.id).limit(1)) is not None


def _signing_key(s: Session) -> signing.Ed25519PrivateKey:
    """The ledger key; created here only on first use (no tree head signed yet in any log)."""
    try:
        return signing.load_private_key()
    except LedgerKeyMissing:
        if _any_signed_head(s):
            path = signing.default_key_path().resolve()
            raise signing.missing_key_error(path, ", but tree heads have already been signed with it; "
                                            "refusing to start a new key silently") from None
        signing.create_key()
        return signing.load_private_key()


def init_key(*, session: Session | None = None) -> str:
    """Create the ledger signing key explicitly (e.g. after a key loss, once the old public key is kept
    for verifying older heads). Never overwrites: an existing key file is :class:`AlreadyExists`.
    Returns the new public key (PEM)."""
    path = signing.default_key_path().resolve()
    if not signing.create_key(path):
        raise AlreadyExists(f"a ledger signing key already exists at {path}; it is never overwritten")
    with _session(session) as s:
        if _any_signed_head(s):
            log_.warning("ledger: new signing key %s created while tree heads signed by an older key exist; "
                         "verify those with the old public key", path)
    return public_key_pem()
