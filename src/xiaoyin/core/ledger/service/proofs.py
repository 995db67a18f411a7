"""RFC 9162 inclusion and consistency proofs from the database, and their pure (database-free) checks."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xiaoyin.core.errors import InvalidInput
from xiaoyin.core.ledger import signing
from xiaoyin.core.ledger.hashing import get_hash
from xiaoyin.core.ledger.merkle import LEAF_PREFIX, MerkleTree, verify_consistency, verify_inclusion
from xiaoyin.core.ledger.service.models import ConsistencyProof, InclusionProof, LedgerError
from xiaoyin.core.ledger.service.rows import _require_log, _session, _sth
from xiaoyin.core.ledger.signing import SignedTreeHead
from xiaoyin.core.ledger.store import LedgerEntry, LedgerLog, LedgerTreeHead

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
