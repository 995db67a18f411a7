"""Full verification: recompute each log and check it against its signed and anchored tree heads."""

from __future__ import annotations

import bisect
import json
import time
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xiaoyin.core.errors import InvalidInput, NotFound
from xiaoyin.core.ledger import signing
from xiaoyin.core.ledger.anchor import AnchorError, default_anchor_path, read_file_anchors
from xiaoyin.core.ledger.hashing import get_hash
from xiaoyin.core.ledger.merkle import LEAF_PREFIX, Frontier
from xiaoyin.core.ledger.service.models import LogVerification, Problem, VerifyReport
from xiaoyin.core.ledger.service.rows import _find_log, _session, _sth
from xiaoyin.core.ledger.signing import LedgerKeyError, SignedTreeHead
from xiaoyin.core.ledger.store import LedgerEntry, LedgerLog, LedgerTreeHead

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
