"""The evidence ledger's public API: append, signed tree heads, proofs, and full verification.

Each named log (``"credit-documents"``, ``"audit"`` …) is an RFC 9162 Merkle log stored in the
database, with a hash algorithm fixed at creation (``settings.ledger.hash``: sha256 or sm3).

* A leaf is the canonical JSON of ``{"kind": kind, "payload": payload, "ref": ref}`` (see
  :mod:`.canonical`); its leaf hash is ``H(0x00 || utf8(leaf))``. ``kind`` and ``ref`` are therefore
  covered by the hash as well as the payload.
* Every :func:`append` / :func:`append_many` call ends with one signed tree head (Ed25519), stored in
  the same transaction and published to the configured anchor once that transaction commits.
* Each entry also stores the root of the tree that ends with it (``tree_root``), so verification can
  name the exact first entry that diverges even inside a batch.
* Appends to one log are serialised: ``SELECT … FOR UPDATE`` on the log row (PostgreSQL), a write
  statement first so SQLite takes its write lock before the log state is read.
* The signing key fails closed: it is created only on first use (no tree head signed yet in any log)
  or by an explicit :func:`init_key`. Once heads exist, a missing key file makes appends raise
  :class:`LedgerKeyMissing` (code ``ledger_key_missing``) instead of silently starting a new key, and
  makes :func:`verify` report a ``key`` problem unless the caller pins the public key
  (``verify(public_key=PEM)``; on the command line ``xiaoyin ledger verify --public-key FILE``).
* Anchor publication runs after the commit and never fails the append: any error there is logged and
  the head stays pending (no receipt) for :func:`publish_pending`.
"""

from __future__ import annotations

import bisect
import json
import logging
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import event, insert, select, update
from sqlalchemy.orm import Session

from xiaoyin.core.db import session_scope, utcnow
from xiaoyin.core.errors import AlreadyExists, InvalidInput, NotFound, XiaoyinError
from xiaoyin.core.ledger import signing
from xiaoyin.core.ledger.anchor import AnchorError, default_anchor_path, get_anchor, read_file_anchors
from xiaoyin.core.ledger.canonical import canonical_json
from xiaoyin.core.ledger.hashing import HASH_ALGS, get_hash
from xiaoyin.core.ledger.merkle import (
    LEAF_PREFIX,
    Frontier,
    MerkleTree,
    verify_consistency,
    verify_inclusion,
)
from xiaoyin.core.ledger.signing import LedgerKeyError, LedgerKeyMissing, SignedTreeHead
from xiaoyin.core.ledger.store import LedgerEntry, LedgerLog, LedgerTreeHead

log_ = logging.getLogger(__name__)


class LedgerError(XiaoyinError):
    """The stored log cannot serve a request (damaged rows); run ``verify`` for details."""

    code = "ledger_error"
    http_status = 409


# ---------------------------------------------------------------------------------------------- results


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


# ---------------------------------------------------------------------------------------------- helpers


def _check_name(name: str, what: str, max_len: int) -> None:
    if not isinstance(name, str) or not name.strip() or len(name) > max_len or any(ord(c) < 32 for c in name):
        raise InvalidInput(f"invalid ledger {what} {name!r} (1-{max_len} printable characters)")


@contextmanager
def _session(session: Session | None) -> Iterator[Session]:
    if session is not None:
        yield session
    else:
        with session_scope() as s:
            yield s


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _find_log(session: Session, name: str) -> LedgerLog | None:
    return session.scalar(select(LedgerLog).where(LedgerLog.name == name))


def _require_log(session: Session, name: str) -> LedgerLog:
    row = _find_log(session, name)
    if row is None:
        raise NotFound(f"ledger log {name!r} does not exist")
    return row


def _ensure_log(session: Session, name: str, hash_alg: str | None = None) -> LedgerLog:
    row = _find_log(session, name)
    if row is not None:
        return row
    _check_name(name, "log name", 100)
    if hash_alg is None:
        from xiaoyin.core.settings import get_settings

        hash_alg = get_settings().ledger.hash
    if hash_alg not in HASH_ALGS:
        raise InvalidInput(f"unknown ledger hash algorithm {hash_alg!r}; use one of {', '.join(HASH_ALGS)}")
    values = dict(name=name, hash_alg=hash_alg, tree_size=0, frontier="[]", created_at=utcnow())
    dialect = _dialect(session)
    if dialect in ("sqlite", "postgresql"):  # two creators racing: the second one does nothing
        mod = __import__(f"sqlalchemy.dialects.{dialect}", fromlist=["insert"])
        session.execute(mod.insert(LedgerLog).values(**values).on_conflict_do_nothing(index_elements=["name"]))
    else:  # pragma: no cover - other engines
        session.add(LedgerLog(**values))
        session.flush()
    row = _find_log(session, name)
    assert row is not None
    return row


def _lock_log(session: Session, log_id: int) -> LedgerLog:
    """The log row, re-read under the per-log write lock."""
    if _dialect(session) == "sqlite":  # take SQLite's write lock before reading the state
        session.execute(
            update(LedgerLog).where(LedgerLog.id == log_id).values(tree_size=LedgerLog.tree_size),
            execution_options={"synchronize_session": False},
        )
    stmt = select(LedgerLog).where(LedgerLog.id == log_id).with_for_update()
    return session.scalars(stmt.execution_options(populate_existing=True)).one()


def _frontier(row: LedgerLog) -> Frontier:
    return Frontier(get_hash(row.hash_alg), row.tree_size, [bytes.fromhex(x) for x in json.loads(row.frontier)])


def _sth(row: LedgerTreeHead, log: LedgerLog) -> SignedTreeHead:
    return SignedTreeHead(log=log.name, hash_alg=log.hash_alg, tree_size=row.tree_size, root_hash=row.root_hash,
                          timestamp=row.timestamp, key_id=row.key_id, signature=row.signature,
                          anchor_receipt=row.anchor_receipt)


def _leaf_text(payload: Any, kind: str, ref: str | None) -> str:
    _check_name(kind, "entry kind", 50)
    if ref is not None:
        _check_name(ref, "entry ref", 200)
    return canonical_json({"kind": kind, "payload": payload, "ref": ref})


# ------------------------------------------------------------------------------------ anchor publication

_PENDING = "xiaoyin.ledger.pending"
_HOOKED = "xiaoyin.ledger.hooked"


def _publish_one(engine: Any, anchor: Any, sth: SignedTreeHead, row_id: int) -> None:
    """Publish one head and store its receipt; the returned receipt shows it only once stored."""
    receipt = anchor.publish(sth)
    with Session(engine) as s:
        s.execute(update(LedgerTreeHead).where(LedgerTreeHead.id == row_id).values(anchor_receipt=receipt))
        s.commit()
    sth.anchor_receipt = receipt


def _publish(engine: Any, items: list[tuple[SignedTreeHead, int]]) -> None:
    """Best-effort publication after the commit: nothing raised here may reach the caller, whose
    entries are already stored; a head that fails stays pending for :func:`publish_pending`."""
    try:
        anchor = get_anchor()
    except Exception as e:  # the data is committed; report and keep the heads pending
        for sth, _ in items:
            log_.warning("ledger: tree head %s@%d not anchored: %s (retry with publish_pending)",
                         sth.log, sth.tree_size, getattr(e, "message", None) or repr(e))
        return
    if anchor is None:
        return
    for sth, row_id in items:
        try:
            _publish_one(engine, anchor, sth, row_id)
        except AnchorError as e:
            log_.warning("ledger: tree head %s@%d not anchored: %s (retry with publish_pending)",
                         sth.log, sth.tree_size, e.message)
        except Exception:  # e.g. "database is locked" writing the receipt
            log_.exception("ledger: tree head %s@%d: anchor publication failed after the commit; the entries "
                           "are stored and the head stays pending (retry with publish_pending)",
                           sth.log, sth.tree_size)


def _after_commit(session: Session) -> None:
    items = session.info.pop(_PENDING, [])
    if not items:
        return
    try:
        _publish(session.get_bind(), items)
    except Exception:  # never turn a committed append into an error
        log_.exception("ledger: anchor publication failed after the commit for %s",
                       ", ".join(f"{sth.log}@{sth.tree_size}" for sth, _ in items))


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


def _schedule_publish(session: Session, sth: SignedTreeHead, row_id: int) -> None:
    """Publish the tree head once the transaction that stored it commits (never if it rolls back)."""
    session.info.setdefault(_PENDING, []).append((sth, row_id))
    if not session.info.get(_HOOKED):
        session.info[_HOOKED] = True
        event.listen(session, "after_commit", _after_commit)
        event.listen(session, "after_rollback", _after_rollback)


# ---------------------------------------------------------------------------------------------- appends


def create_log(name: str, hash_alg: str | None = None, *, session: Session | None = None) -> LogInfo:
    """Create log ``name`` with ``hash_alg`` (default ``settings.ledger.hash``); an existing log is
    returned as is, but asking for a different algorithm than it has is an error."""
    with _session(session) as s:
        row = _ensure_log(s, name, hash_alg)
        if hash_alg is not None and row.hash_alg != hash_alg:
            raise InvalidInput(f"ledger log {name!r} already exists with hash {row.hash_alg}, not {hash_alg}")
        return _log_info(row)


def _log_info(row: LedgerLog) -> LogInfo:
    return LogInfo(name=row.name, hash_alg=row.hash_alg, tree_size=row.tree_size,
                   root_hash=_frontier(row).root().hex(), created_at=row.created_at)


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


def publish_pending(log: str | None = None) -> int:
    """Publish stored tree heads that have no anchor receipt yet (after an anchor outage).
    Returns how many were published now."""
    anchor = get_anchor()
    if anchor is None:
        return 0
    with session_scope() as s:
        stmt = select(LedgerTreeHead, LedgerLog).join(LedgerLog, LedgerLog.id == LedgerTreeHead.log_id).where(
            LedgerTreeHead.anchor_receipt.is_(None))
        if log is not None:
            stmt = stmt.where(LedgerLog.name == log)
        todo = [(_sth(t, lg), t.id) for t, lg in s.execute(stmt.order_by(LedgerLog.id, LedgerTreeHead.tree_size))]
        engine = s.get_bind()
    done = 0
    for sth, row_id in todo:
        sth.anchor_receipt = anchor.publish(sth)  # raises AnchorError: the rest stay pending
        with Session(engine) as s2:
            s2.execute(update(LedgerTreeHead).where(LedgerTreeHead.id == row_id)
                       .values(anchor_receipt=sth.anchor_receipt))
            s2.commit()
        done += 1
    return done


# ----------------------------------------------------------------------------------------------- reading


def list_logs(*, session: Session | None = None) -> list[LogInfo]:
    """Every log with its size and current root."""
    with _session(session) as s:
        return [_log_info(r) for r in s.scalars(select(LedgerLog).order_by(LedgerLog.name))]


def tree_head(log: str, tree_size: int | None = None, *, session: Session | None = None) -> SignedTreeHead:
    """The newest signed tree head of ``log`` (or the one of exactly ``tree_size``)."""
    with _session(session) as s:
        row = _require_log(s, log)
        stmt = select(LedgerTreeHead).where(LedgerTreeHead.log_id == row.id)
        if tree_size is None:
            stmt = stmt.order_by(LedgerTreeHead.tree_size.desc()).limit(1)
        else:
            stmt = stmt.where(LedgerTreeHead.tree_size == tree_size)
        head = s.scalar(stmt)
        if head is None:
            raise NotFound(f"ledger log {log!r} has no signed tree head"
                           + (f" of size {tree_size}" if tree_size is not None else ""))
        return _sth(head, row)


def get_entry(log: str, seq: int, *, session: Session | None = None) -> EntryInfo:
    """Entry ``seq`` of ``log``, payload decoded from the stored canonical JSON."""
    with _session(session) as s:
        row = _require_log(s, log)
        e = s.scalar(select(LedgerEntry).where(LedgerEntry.log_id == row.id, LedgerEntry.seq == seq))
        if e is None:
            raise NotFound(f"ledger log {log!r} has no entry {seq}")
        return _entry_info(e, row)


def entries_by_ref(ref: str, log: str | None = None, *, session: Session | None = None) -> list[EntryInfo]:
    """Entries recorded with external reference ``ref`` (e.g. an application number), oldest first."""
    with _session(session) as s:
        stmt = select(LedgerEntry, LedgerLog).join(LedgerLog, LedgerLog.id == LedgerEntry.log_id).where(
            LedgerEntry.ref == ref)
        if log is not None:
            stmt = stmt.where(LedgerLog.name == log)
        return [_entry_info(e, lg) for e, lg in s.execute(stmt.order_by(LedgerLog.name, LedgerEntry.seq))]


def _entry_info(e: LedgerEntry, row: LedgerLog) -> EntryInfo:
    try:
        payload = json.loads(e.leaf_data).get("payload")
    except (ValueError, AttributeError):
        payload = None
    return EntryInfo(log=row.name, seq=e.seq, kind=e.kind, ref=e.ref, payload=payload, leaf_data=e.leaf_data,
                     leaf_hash=e.leaf_hash, created_at=e.created_at)


def public_key_pem() -> str:
    """The ledger's Ed25519 public key (PEM), for auditors and anchors. Never creates a key:
    :class:`LedgerKeyMissing` when there is none."""
    return signing.public_pem(signing.load_private_key().public_key())


def key_id() -> str:
    """The ledger key's id (first 16 hex of SHA-256 over the raw public key); never creates a key."""
    return signing.key_id(signing.load_private_key().public_key())


# ------------------------------------------------------------------------------------------------ proofs

_trees: dict[tuple[str, int, str], MerkleTree] = {}
_trees_lock = threading.Lock()


def _tree(s: Session, row: LedgerLog, size: int) -> MerkleTree:
    """An in-memory tree of at least ``size`` stored leaf hashes (cached per log, extended as it grows).

    The cache is checked against the database on every use (its last leaf must still be stored)."""
    key = (str(s.get_bind().url), row.id, row.name)
    with _trees_lock:
        tree = _trees.get(key)
        if tree is not None and tree.size:
            last = s.scalar(select(LedgerEntry.leaf_hash).where(LedgerEntry.log_id == row.id,
                                                                LedgerEntry.seq == tree.size - 1))
            if last != tree.leaf(tree.size - 1).hex() or tree.h is not get_hash(row.hash_alg):
                tree = None
        if tree is None:
            tree = MerkleTree(get_hash(row.hash_alg))
        if tree.size < size:
            stmt = select(LedgerEntry.seq, LedgerEntry.leaf_hash).where(
                LedgerEntry.log_id == row.id, LedgerEntry.seq >= tree.size, LedgerEntry.seq < size
            ).order_by(LedgerEntry.seq)
            for seq, lh in s.execute(stmt):
                if seq != tree.size:
                    raise LedgerError(f"ledger log {row.name!r} is missing entry {tree.size}; run verify")
                tree.append(bytes.fromhex(lh))
            if tree.size < size:
                raise LedgerError(f"ledger log {row.name!r} has {tree.size} entries, fewer than {size}; run verify")
        _trees[key] = tree
        return tree


def inclusion_proof(log: str, seq: int, tree_size: int | None = None, *,
                    session: Session | None = None) -> InclusionProof:
    """Proof that entry ``seq`` is in the tree of ``tree_size`` entries (default: the newest signed head)."""
    with _session(session) as s:
        row = _require_log(s, log)
        size = row.tree_size if tree_size is None else tree_size
        if not 0 < size <= row.tree_size:
            raise InvalidInput(f"tree size {size} is not between 1 and {row.tree_size} for log {log!r}")
        if not 0 <= seq < size:
            raise InvalidInput(f"entry {seq} is not in the first {size} entries of log {log!r}")
        tree = _tree(s, row, size)
        head = s.scalar(select(LedgerTreeHead).where(LedgerTreeHead.log_id == row.id,
                                                     LedgerTreeHead.tree_size == size))
        return InclusionProof(log=row.name, hash_alg=row.hash_alg, seq=seq, tree_size=size,
                              leaf_hash=tree.leaf(seq).hex(), path=[p.hex() for p in tree.inclusion_path(seq, size)],
                              root_hash=tree.root(size).hex(), sth=_sth(head, row) if head else None)


def consistency_proof(log: str, first: int, second: int | None = None, *,
                      session: Session | None = None) -> ConsistencyProof:
    """Proof that the tree of ``second`` entries (default: newest) extends the tree of ``first``."""
    with _session(session) as s:
        row = _require_log(s, log)
        second = row.tree_size if second is None else second
        if not 0 <= first <= second <= row.tree_size:
            raise InvalidInput(f"need 0 <= first ({first}) <= second ({second}) <= {row.tree_size} for log {log!r}")
        tree = _tree(s, row, second)
        return ConsistencyProof(log=row.name, hash_alg=row.hash_alg, first=first, second=second,
                                first_root=tree.root(first).hex(), second_root=tree.root(second).hex(),
                                path=[p.hex() for p in tree.consistency_path(first, second)])


def _unhex(values: Sequence[str]) -> list[bytes] | None:
    try:
        return [bytes.fromhex(v) for v in values]
    except (ValueError, TypeError):
        return None


def verify_inclusion_proof(proof: InclusionProof, *, alg: str | None = None, root_hash: str | None = None,
                           leaf_data: str | bytes | None = None) -> bool:
    """Pure check of an inclusion proof (no database): the path leads from the leaf to the root.

    ``root_hash`` (e.g. from a signed tree head) overrides the proof's own root; ``leaf_data`` (the
    entry's canonical JSON) is hashed and must match the proof's leaf hash."""
    h = get_hash(alg or proof.hash_alg)
    vals = _unhex([proof.leaf_hash, root_hash or proof.root_hash, *proof.path])
    if vals is None:
        return False
    leaf, root_b, path = vals[0], vals[1], vals[2:]
    if leaf_data is not None:
        data = leaf_data.encode("utf-8") if isinstance(leaf_data, str) else leaf_data
        if h(LEAF_PREFIX + data) != leaf:
            return False
    return verify_inclusion(h, leaf, proof.seq, proof.tree_size, path, root_b)


def verify_consistency_proof(proof: ConsistencyProof, *, alg: str | None = None, first_root: str | None = None,
                             second_root: str | None = None) -> bool:
    """Pure check of a consistency proof; roots given here (from signed heads) override the proof's."""
    h = get_hash(alg or proof.hash_alg)
    vals = _unhex([first_root or proof.first_root, second_root or proof.second_root, *proof.path])
    if vals is None:
        return False
    return verify_consistency(h, proof.first, proof.second, vals[0], vals[1], vals[2:])


def verify_sth_signature(sth: SignedTreeHead, public_key: Any = None) -> bool:
    """True when the tree head is signed by ``public_key`` (PEM, raw bytes, key or PEM file path; default:
    the ledger key on this host, never created here: :class:`LedgerKeyMissing` when there is none)."""
    pub = public_key if public_key is not None else signing.load_private_key()
    return signing.verify_tree_head(sth, pub)


# ------------------------------------------------------------------------------------------ verification

_MAX_PER_KIND = 20


class _Findings:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.counts: dict[str, int] = {}

    def add(self, kind: str, seq: int | None, message: str) -> None:
        n = self.counts[kind] = self.counts.get(kind, 0) + 1
        if n <= _MAX_PER_KIND:
            self.problems.append(Problem(kind=kind, seq=seq, message=message))

    def close(self) -> list[Problem]:
        for kind, n in self.counts.items():
            if n > _MAX_PER_KIND:
                self.problems.append(Problem(kind=kind, seq=None,
                                             message=f"… and {n - _MAX_PER_KIND} more problems of kind {kind}"))
        return self.problems


def _read_snapshot(s: Session, row_id: int) -> tuple[LedgerLog, list[LedgerTreeHead], list[tuple]]:
    """Header, tree heads and entries read consistently (retried while an append lands in between)."""
    for _ in range(5):
        h1 = s.scalars(select(LedgerLog).where(LedgerLog.id == row_id)
                       .execution_options(populate_existing=True)).one()
        size1 = h1.tree_size
        heads = list(s.scalars(select(LedgerTreeHead).where(LedgerTreeHead.log_id == row_id)
                               .order_by(LedgerTreeHead.tree_size)))
        entries = list(s.execute(
            select(LedgerEntry.seq, LedgerEntry.leaf_data, LedgerEntry.leaf_hash, LedgerEntry.tree_root,
                   LedgerEntry.kind, LedgerEntry.ref)
            .where(LedgerEntry.log_id == row_id).order_by(LedgerEntry.seq, LedgerEntry.id)))
        h2 = s.scalars(select(LedgerLog).where(LedgerLog.id == row_id)
                       .execution_options(populate_existing=True)).one()
        if h2.tree_size == size1:
            break
    return h2, heads, entries


def _verify_log(s: Session, row: LedgerLog, pub: Any, anchored: list[SignedTreeHead] | None,
                key_problem: str | None = None) -> LogVerification:
    out = _Findings()
    warnings: list[str] = []
    row, heads, entries = _read_snapshot(s, row.id)
    try:
        h = get_hash(row.hash_alg)
    except InvalidInput:
        out.add("header", None, f"log {row.name!r} names an unknown hash algorithm {row.hash_alg!r}")
        return LogVerification(log=row.name, hash_alg=row.hash_alg, ok=False, size=len(entries), signed_size=0,
                               root_hash="", tree_heads_checked=0, anchors_checked=0, unanchored_heads=0,
                               first_bad_seq=0, problems=out.close(), warnings=warnings)
    need = {t.tree_size for t in heads} | {a.tree_size for a in anchored or ()}
    roots_at: dict[int, str] = {0: h(b"").hex()}
    mismatches: list[int] = []  # positions whose stored running root differs from the recomputed one
    f = Frontier(h)
    expected = 0
    for seq, data, stored_leaf, stored_root, kind, ref in entries:
        if seq > expected:
            out.add("missing", expected, f"entries {expected}..{seq - 1} are missing (rows deleted)"
                    if seq - 1 > expected else f"entry {expected} is missing (row deleted)")
        elif seq < expected:
            out.add("duplicate", seq, f"entry {seq} appears more than once (row inserted)")
        pos = f.size
        lh = h(LEAF_PREFIX + data.encode("utf-8"))
        if lh.hex() != stored_leaf:
            out.add("changed", seq, f"entry {seq}: its data no longer matches its recorded hash (changed)")
        try:
            env = json.loads(data)
            if env.get("kind") != kind or env.get("ref") != ref:
                out.add("changed", seq, f"entry {seq}: its kind/ref columns differ from the recorded data")
        except (ValueError, AttributeError):
            out.add("changed", seq, f"entry {seq}: its data is not the JSON that was recorded")
        f.append(lh)
        r = f.root().hex()
        if r != stored_root:
            if not mismatches:
                out.add("order", pos, f"entry {pos}: the log up to here no longer matches the root recorded "
                        "with it (an entry at or before it was changed, removed, inserted or moved)")
            mismatches.append(pos)
        if f.size in need:
            roots_at[f.size] = r
        expected = seq + 1
    n = f.size
    if mismatches and len(mismatches) > 1:
        warnings.append(f"{len(mismatches)} entries from {mismatches[0]} on do not match their recorded roots")

    if row.tree_size != n:
        out.add("header", min(n, row.tree_size),
                f"the log header says {row.tree_size} entries but {n} are stored"
                + (" (rows deleted)" if n < row.tree_size else " (rows inserted)"))
    elif json.loads(row.frontier or "[]") != [x.hex() for x in f.nodes]:
        out.add("header", None, "the log header's frontier does not match the stored entries")

    my_key_id = signing.key_id(signing.load_public_key(pub)) if pub is not None else None
    if my_key_id is None and (heads or anchored):
        out.add("key", None, f"{len(heads)} signed tree heads ({len(anchored or ())} anchored) cannot be checked: "
                + (key_problem or "no public key"))
    prev = 0
    for t in heads:
        sth = _sth(t, row)
        if my_key_id is not None:
            if t.key_id != my_key_id:
                out.add("signature", prev, f"tree head of size {t.tree_size} is signed by unknown key {t.key_id}")
            elif not signing.verify_tree_head(sth, pub):
                out.add("signature", prev, f"tree head of size {t.tree_size} has an invalid signature "
                        "(forged or altered)")
        if t.tree_size > n:
            out.add("truncated", n, f"the signed tree head of size {t.tree_size} covers entries "
                    f"{n}..{t.tree_size - 1}, which are not stored (rows deleted)")
        elif roots_at.get(t.tree_size) != t.root_hash:
            i = bisect.bisect_left(mismatches, prev)
            bad = mismatches[i] if i < len(mismatches) and mismatches[i] < t.tree_size else prev
            out.add("root", bad, f"the entries up to {t.tree_size - 1} no longer give the signed root of size "
                    f"{t.tree_size}: entry {bad} is the first that differs"
                    + ("" if bad != prev or t.tree_size - prev == 1 else f" (or a later one up to {t.tree_size - 1})"))
        prev = t.tree_size
    signed_size = heads[-1].tree_size if heads else 0
    if n > signed_size:
        out.add("unsigned", signed_size, f"entries {signed_size}..{n - 1} are not covered by any signed tree "
                "head (rows inserted)")

    anchors_checked = 0
    if anchored is not None:
        by_size = {t.tree_size: t for t in heads}
        good = 0  # the largest anchored size whose root the stored entries still give
        for a in sorted(anchored, key=lambda x: x.tree_size):
            anchors_checked += 1
            if my_key_id is not None and not signing.verify_tree_head(a, pub):
                out.add("anchor", None, f"the anchored tree head of size {a.tree_size} has an invalid signature")
                continue
            if a.tree_size > n:
                out.add("truncated", n, f"the log has {n} entries but a tree head of size {a.tree_size} was "
                        "anchored (log truncated)")
                continue
            bad = good
            if roots_at.get(a.tree_size) != a.root_hash:
                i = bisect.bisect_left(mismatches, good)
                bad = mismatches[i] if i < len(mismatches) and mismatches[i] < a.tree_size else good
                out.add("anchor", bad, f"the stored entries no longer give the root anchored at size {a.tree_size}: "
                        f"entry {bad} is the first that differs"
                        + ("" if bad != good or a.tree_size - good == 1 else f" (or a later one up to {a.tree_size - 1})"))
            else:
                good = a.tree_size
            db = by_size.get(a.tree_size)
            if db is None:
                out.add("anchor", bad, f"the anchored tree head of size {a.tree_size} is missing from the database")
            elif db.root_hash != a.root_hash or db.signature != a.signature:
                out.add("anchor", bad, f"the database tree head of size {a.tree_size} differs from the anchored one")
    problems = out.close()
    data_problems = [p for p in problems if p.kind != "key"]  # an unusable key says nothing about entries
    seqs = [p.seq for p in data_problems if p.seq is not None]
    first_bad = min(seqs) if seqs else (0 if data_problems else None)
    return LogVerification(
        log=row.name, hash_alg=row.hash_alg, ok=not problems, size=n, signed_size=signed_size,
        root_hash=f.root().hex(), tree_heads_checked=len(heads), anchors_checked=anchors_checked,
        unanchored_heads=sum(1 for t in heads if t.anchor_receipt is None), first_bad_seq=first_bad,
        problems=problems, warnings=warnings,
    )


def verify(log: str | None = None, *, anchor_path: Path | None = None, public_key: Any = None,
           session: Session | None = None) -> VerifyReport:
    """Recompute every log (or just ``log``) from its entries and check it against its signed tree heads
    and, where a file anchor exists, the anchored heads. Names the first bad entry of each log.

    ``anchor_path``: the file anchor to compare with (default: the configured one when
    ``ledger.anchor = "file"`` and the file exists). ``public_key``: the key tree heads must be signed
    with — PEM text or bytes, raw 32 bytes, a key object or a PEM file path (``xiaoyin ledger verify
    --public-key FILE`` passes it); default: the ledger key on this host. Without either, signed heads
    cannot be checked and each log that has some gets a ``key`` problem (``ok`` is False): a lost key
    never passes as "verified". A bad ``public_key`` is :class:`InvalidInput`."""
    t0 = time.perf_counter()
    from xiaoyin.core.settings import get_settings

    warnings: list[str] = []
    key_problem: str | None = None
    if public_key is not None:
        pub: Any = signing.load_public_key(public_key)
    else:
        try:
            pub = signing.load_private_key()
        except LedgerKeyError as e:
            pub, key_problem = None, e.message
    if anchor_path is None and get_settings().ledger.anchor == "file":
        p = default_anchor_path()
        anchor_path = p if p.exists() else None
    anchored: dict[str, list[SignedTreeHead]] | None = None
    anchor_problem: str | None = None
    if anchor_path is not None:
        anchored = {}
        try:
            for a in read_file_anchors(Path(anchor_path)):
                anchored.setdefault(a.log, []).append(a)
        except (AnchorError, OSError) as e:
            anchor_problem = getattr(e, "message", str(e))
    results: list[LogVerification] = []
    with _session(session) as s:
        if log is not None:
            rows = [r for r in [_find_log(s, log)] if r is not None]
        else:
            rows = list(s.scalars(select(LedgerLog).order_by(LedgerLog.name)))
        names = {r.name for r in rows}
        for r in rows:
            res = _verify_log(s, r, pub, None if anchored is None else anchored.get(r.name, []), key_problem)
            res.warnings[:0] = warnings
            if anchor_problem:
                res.problems.append(Problem(kind="anchor", seq=None, message=anchor_problem))
                res.ok = False
            results.append(res)
        missing = ({log} if log is not None else set(anchored or {})) - names
        for name in sorted(missing):
            if log is not None and (anchored is None or name not in anchored):
                raise NotFound(f"ledger log {name!r} does not exist")
            results.append(LogVerification(
                log=name, hash_alg="", ok=False, size=0, signed_size=0, root_hash="", tree_heads_checked=0,
                anchors_checked=len(anchored[name]), unanchored_heads=0, first_bad_seq=0,
                problems=[Problem(kind="truncated", seq=0, message=f"log {name!r} was anchored but is missing "
                                  "from the database (deleted)")], warnings=list(warnings)))
    return VerifyReport(ok=all(r.ok for r in results), logs=results, seconds=round(time.perf_counter() - t0, 3))
