"""The evidence ledger on real databases (SQLite and PostgreSQL): appends, proofs, signed tree heads,
anchors, and ``verify`` catching every kind of tampering done with real SQL."""

from __future__ import annotations

import json
import logging
import stat
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from xiaoyin.core import ledger
from xiaoyin.core.db import get_engine, session_scope
from xiaoyin.core.errors import AlreadyExists, InvalidInput, NotFound
from xiaoyin.core.ledger import signing
from xiaoyin.core.ledger.anchor import AnchorError, CommandAnchor, read_file_anchors
from xiaoyin.core.ledger.hashing import get_hash, sm3_gmssl
from xiaoyin.core.ledger.merkle import LEAF_PREFIX, Frontier
from xiaoyin.core.ledger.store import LedgerEntry
from xiaoyin.core.settings import get_settings, reset_settings

LOG = "credit-documents"


def _payload(i: int) -> dict:
    return {"invoice_no": f"{i:08d}", "seller": "某某贸易有限公司", "amount": f"{1000 + i}.00",
            "file_sha256": f"{i:064x}"}


def _fill() -> None:
    """10 single appends (seq 0..9, a tree head each), then one batch (seq 10..19, one tree head)."""
    for i in range(10):
        ledger.append(LOG, _payload(i), kind="document_package", ref=f"APP-{i % 3}")
    ledger.append_many(LOG, [_payload(i) for i in range(10, 20)], kind="document_package")


def _sql(stmt: str, **params) -> None:
    with get_engine().begin() as conn:
        conn.execute(text(stmt), params)


def _rows() -> list[tuple[int, str]]:
    with get_engine().connect() as conn:
        return [tuple(r) for r in conn.execute(text("SELECT seq, leaf_data FROM ledger_entries ORDER BY seq"))]


def _lh(data: str) -> str:
    return get_hash("sha256")(LEAF_PREFIX + data.encode()).hex()


def _report(**kw) -> ledger.LogVerification:
    rep = ledger.verify(LOG, **kw)
    assert len(rep.logs) == 1
    return rep.logs[0]


def _rewrite_roots(from_seq: int) -> None:
    """What an attacker who understands the running roots would do after changing entries."""
    f = Frontier(get_hash("sha256"))
    for seq, data in _rows():
        f.append(get_hash("sha256")(LEAF_PREFIX + data.encode()))
        if seq >= from_seq:
            _sql("UPDATE ledger_entries SET tree_root = :r WHERE seq = :s", r=f.root().hex(), s=seq)


# ------------------------------------------------------------------------------------------ happy path


def test_append_proofs_and_clean_verify(db_home: str) -> None:
    receipts = [ledger.append(LOG, _payload(i), kind="document_package", ref="APP-1") for i in range(5)]
    batch = ledger.append_many(LOG, [_payload(i) for i in range(5, 12)], kind="document_package",
                               refs=[f"APP-{i}" for i in range(5, 12)])
    assert [r.seq for r in receipts + batch] == list(range(12))
    assert {r.tree_size for r in batch} == {12} and len({r.sth.signature for r in batch}) == 1
    head = ledger.tree_head(LOG)
    assert head.tree_size == 12 and head.root_hash == batch[-1].root_hash
    assert ledger.verify_sth_signature(head) and ledger.verify_sth_signature(head, ledger.public_key_pem())
    assert head.anchor_receipt and head.anchor_receipt.startswith("file:")

    for seq in range(12):
        p = ledger.inclusion_proof(LOG, seq)
        assert p.tree_size == 12 and p.root_hash == head.root_hash and p.sth == head
        entry = ledger.get_entry(LOG, seq)
        assert ledger.verify_inclusion_proof(p, leaf_data=entry.leaf_data)
        assert not ledger.verify_inclusion_proof(p.model_copy(update={"seq": (seq + 1) % 12}))
        assert not ledger.verify_inclusion_proof(p.model_copy(update={"tree_size": 24}))
        assert not ledger.verify_inclusion_proof(p, root_hash=receipts[0].root_hash)
        assert not ledger.verify_inclusion_proof(p, leaf_data=entry.leaf_data + " ")
        assert not ledger.verify_inclusion_proof(p.model_copy(update={"path": p.path + [head.root_hash]}))
        assert not ledger.verify_inclusion_proof(p.model_copy(update={"path": ["zz"]}))
    # a proof against an older signed head, checked against that head's root
    old = ledger.inclusion_proof(LOG, 1, tree_size=3)
    assert ledger.verify_inclusion_proof(old, root_hash=ledger.tree_head(LOG, 3).root_hash)
    # consistency between every pair of signed heads
    sizes = [1, 2, 3, 4, 5, 12]
    for a in sizes:
        for b in sizes:
            if a <= b:
                c = ledger.consistency_proof(LOG, a, b)
                assert ledger.verify_consistency_proof(
                    c, first_root=ledger.tree_head(LOG, a).root_hash, second_root=ledger.tree_head(LOG, b).root_hash)
    c = ledger.consistency_proof(LOG, 3)
    assert c.second == 12 and not ledger.verify_consistency_proof(c, first_root=head.root_hash)
    assert not ledger.verify_consistency_proof(c.model_copy(update={"path": c.path[:-1]}))

    entry = ledger.get_entry(LOG, 6)
    assert entry.payload == json.loads(json.dumps(_payload(6))) and entry.kind == "document_package"
    assert entry.ref == "APP-6" and json.loads(entry.leaf_data)["ref"] == "APP-6"
    assert [e.seq for e in ledger.entries_by_ref("APP-1")] == [0, 1, 2, 3, 4]
    info = ledger.list_logs()
    assert [(i.name, i.hash_alg, i.tree_size, i.root_hash) for i in info] == [(LOG, "sha256", 12, head.root_hash)]

    rep = ledger.verify()
    assert rep.ok, rep
    v = rep.logs[0]
    assert (v.size, v.signed_size, v.tree_heads_checked, v.anchors_checked, v.first_bad_seq) == (12, 12, 6, 6, None)
    assert v.unanchored_heads == 0 and v.root_hash == head.root_hash
    anchors = read_file_anchors(get_settings().home / "ledger" / "anchors.jsonl")
    assert [a.tree_size for a in anchors] == sizes and all(ledger.verify_sth_signature(a) for a in anchors)


def test_sm3_log(db_home: str) -> None:
    info = ledger.create_log("audit", "sm3")
    assert info.hash_alg == "sm3" and info.tree_size == 0
    assert info.root_hash == sm3_gmssl(b"").hex()
    ledger.append_many("audit", [{"user": "张三", "action": f"view-{i}"} for i in range(6)], kind="audit")
    r = ledger.append("audit", {"user": "李四", "action": "approve"}, kind="audit")
    # independent recomputation with gmssl's pure-Python SM3
    leaves = [sm3_gmssl(LEAF_PREFIX + ledger.get_entry("audit", i).leaf_data.encode()) for i in range(7)]
    f = Frontier(sm3_gmssl)
    for lh in leaves:
        f.append(lh)
    assert r.root_hash == f.root().hex() and r.sth.hash_alg == "sm3"
    p = ledger.inclusion_proof("audit", 3)
    assert p.hash_alg == "sm3" and ledger.verify_inclusion_proof(p)
    assert not ledger.verify_inclusion_proof(p, alg="sha256")
    assert ledger.verify_consistency_proof(ledger.consistency_proof("audit", 6))
    assert ledger.verify("audit").ok
    with pytest.raises(InvalidInput):
        ledger.create_log("audit", "sha256")  # the algorithm of a log is fixed
    assert ledger.create_log("audit").hash_alg == "sm3"


def test_settings_choose_hash_of_new_logs(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XIAOYIN_LEDGER__HASH", "sm3")
    reset_settings()
    assert ledger.append("x", {"a": 1}, kind="k").sth.hash_alg == "sm3"


def test_bad_input_is_rejected(home: Path) -> None:
    for bad in ("", " ", "a\nb", "x" * 101):
        with pytest.raises(InvalidInput):
            ledger.append(bad, {"a": 1}, kind="k")
    with pytest.raises(InvalidInput):
        ledger.append(LOG, {"a": 1}, kind="")
    with pytest.raises(InvalidInput):
        ledger.append(LOG, {"a": float("nan")}, kind="k")
    with pytest.raises(InvalidInput):
        ledger.append_many(LOG, [{"a": 1}], kind="k", refs=["r1", "r2"])
    with pytest.raises(InvalidInput):
        ledger.create_log("other", "md5")
    assert ledger.append_many(LOG, [], kind="k") == []
    with pytest.raises(NotFound):
        ledger.tree_head(LOG)
    ledger.append(LOG, {"a": 1}, kind="k")
    with pytest.raises(NotFound):
        ledger.get_entry(LOG, 5)
    with pytest.raises(NotFound):
        ledger.inclusion_proof("nope", 0)
    with pytest.raises(NotFound):
        ledger.verify("nope")
    for seq, size in ((1, None), (-1, None), (0, 2), (0, 0)):
        with pytest.raises(InvalidInput):
            ledger.inclusion_proof(LOG, seq, size)
    with pytest.raises(InvalidInput):
        ledger.consistency_proof(LOG, 2)


def test_signing_key_file(home: Path) -> None:
    ledger.append(LOG, {"a": 1}, kind="k")
    key_path = home / "ledger" / "signing.key"
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    pub = signing.load_public_key(ledger.public_key_pem())
    import hashlib

    assert ledger.key_id() == hashlib.sha256(signing.raw_public(pub)).hexdigest()[:16] == ledger.tree_head(LOG).key_id
    other = signing.Ed25519PrivateKey.generate()
    assert not ledger.verify_sth_signature(ledger.tree_head(LOG), other.public_key())


# ------------------------------------------------------------------------------------------- tampering


def _assert_bad(first_bad: int | None, *kinds: str, **kw) -> ledger.LogVerification:
    v = _report(**kw)
    assert not v.ok
    got = {p.kind for p in v.problems}
    assert set(kinds) <= got, v.problems
    assert v.first_bad_seq == first_bad, v.problems
    assert all(p.message for p in v.problems)
    return v


def test_changed_data_is_named(db_home: str) -> None:
    _fill()
    assert _report().ok
    data = _rows()[6][1].replace("1006.00", "9006.00")
    _sql("UPDATE ledger_entries SET leaf_data = :d WHERE seq = 6", d=data)
    v = _assert_bad(6, "changed", "root", "anchor")
    assert any("entry 6" in p.message for p in v.problems)


def test_changed_ref_column_is_caught(db_home: str) -> None:
    _fill()
    _sql("UPDATE ledger_entries SET ref = 'APP-999' WHERE seq = 4")
    _assert_bad(4, "changed")


def test_rehashed_entry_is_named_even_inside_a_batch(db_home: str) -> None:
    _fill()
    data = _rows()[14][1].replace("1014.00", "1.00")
    _sql("UPDATE ledger_entries SET leaf_data = :d, leaf_hash = :h WHERE seq = 14", d=data, h=_lh(data))
    v = _assert_bad(14, "order", "root")
    assert not any(p.kind == "changed" for p in v.problems)


def test_rehashed_entry_with_rewritten_roots_is_bounded_by_its_batch(db_home: str) -> None:
    _fill()
    data = _rows()[14][1].replace("1014.00", "1.00")
    _sql("UPDATE ledger_entries SET leaf_data = :d, leaf_hash = :h WHERE seq = 14", d=data, h=_lh(data))
    _rewrite_roots(14)
    v = _assert_bad(10, "root", "anchor")  # the signed head covers 10..19: the batch is named
    assert any("10" in p.message and "19" in p.message for p in v.problems if p.kind == "root")
    # and a single append has its own signed head: its entry is named exactly
    data = _rows()[7][1].replace("1007.00", "1.00")
    _sql("UPDATE ledger_entries SET leaf_data = :d, leaf_hash = :h WHERE seq = 7", d=data, h=_lh(data))
    _rewrite_roots(7)
    _assert_bad(7, "root")


def test_deleted_row_is_named(db_home: str) -> None:
    _fill()
    _sql("DELETE FROM ledger_entries WHERE seq = 4")
    v = _assert_bad(4, "missing", "header")
    assert any(p.kind == "missing" and p.seq == 4 for p in v.problems)


def test_deleted_tail_is_caught(db_home: str) -> None:
    _fill()
    _sql("DELETE FROM ledger_entries WHERE seq >= 18")
    _assert_bad(18, "truncated", "header")


def test_truncation_hidden_in_the_database_is_caught_by_the_anchor(db_home: str, tmp_path: Path) -> None:
    _fill()
    f = Frontier(get_hash("sha256"))
    for _, data in _rows()[:10]:
        f.append(get_hash("sha256")(LEAF_PREFIX + data.encode()))
    _sql("DELETE FROM ledger_entries WHERE seq >= 10")
    _sql("DELETE FROM ledger_tree_heads WHERE tree_size > 10")
    _sql("UPDATE ledger_logs SET tree_size = 10, frontier = :f", f=json.dumps([n.hex() for n in f.nodes]))
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    assert _report(anchor_path=empty).ok  # the database alone is self-consistent now ...
    v = _assert_bad(10, "truncated")  # ... but the anchored head of size 20 says otherwise
    assert any("20" in p.message for p in v.problems)


def test_inserted_rows_are_caught(db_home: str) -> None:
    _fill()
    # at the end, with a correct hash and running root
    f = Frontier(get_hash("sha256"))
    for _, data in _rows():
        f.append(get_hash("sha256")(LEAF_PREFIX + data.encode()))
    data = json.dumps({"kind": "document_package", "payload": _payload(99), "ref": None},
                      sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    f.append(get_hash("sha256")(LEAF_PREFIX + data.encode()))
    with session_scope() as s:
        log_id = s.execute(text("SELECT id FROM ledger_logs")).scalar_one()
        s.add(LedgerEntry(log_id=log_id, seq=20, leaf_data=data, leaf_hash=_lh(data), tree_root=f.root().hex(),
                          kind="document_package", ref=None))
    _assert_bad(20, "unsigned", "header")


def test_inserted_row_in_the_middle_is_named(db_home: str) -> None:
    _fill()
    _sql("UPDATE ledger_entries SET seq = seq + 1000 WHERE seq >= 5")
    _sql("UPDATE ledger_entries SET seq = seq - 999 WHERE seq >= 1000")
    data = json.dumps({"kind": "document_package", "payload": _payload(77), "ref": None},
                      sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    with session_scope() as s:
        log_id = s.execute(text("SELECT id FROM ledger_logs")).scalar_one()
        s.add(LedgerEntry(log_id=log_id, seq=5, leaf_data=data, leaf_hash=_lh(data), tree_root="00" * 32,
                          kind="document_package", ref=None))
    _assert_bad(5, "order", "root", "header", "unsigned")


def test_reordered_rows_are_named(db_home: str) -> None:
    _fill()
    _sql("UPDATE ledger_entries SET seq = -1 WHERE seq = 3")
    _sql("UPDATE ledger_entries SET seq = 3 WHERE seq = 7")
    _sql("UPDATE ledger_entries SET seq = 7 WHERE seq = -1")
    _assert_bad(3, "order", "root")


def test_forged_tree_head_is_caught(db_home: str) -> None:
    _fill()
    _sql("UPDATE ledger_tree_heads SET root_hash = :r WHERE tree_size = 5", r="ab" * 32)
    v = _assert_bad(4, "signature", "root", "anchor")
    assert any("size 5" in p.message for p in v.problems if p.kind == "signature")


def test_tampered_signature_is_caught(db_home: str) -> None:
    _fill()
    with get_engine().connect() as conn:
        sig = conn.execute(text("SELECT signature FROM ledger_tree_heads WHERE tree_size = 3")).scalar_one()
    bad = ("B" if sig[0] != "B" else "C") + sig[1:]
    _sql("UPDATE ledger_tree_heads SET signature = :s WHERE tree_size = 3", s=bad)
    _assert_bad(2, "signature", "anchor")


def test_database_head_resigned_by_an_insider_disagrees_with_the_anchor(db_home: str) -> None:
    _fill()
    data = _rows()[2][1].replace("1002.00", "2.00")
    _sql("UPDATE ledger_entries SET leaf_data = :d, leaf_hash = :h WHERE seq = 2", d=data, h=_lh(data))
    _rewrite_roots(2)
    # the insider holds the signing key and re-signs every head from the new roots
    with get_engine().connect() as conn:
        roots = dict(conn.execute(text("SELECT seq + 1, tree_root FROM ledger_entries")).all())
        heads = conn.execute(text("SELECT tree_size, timestamp FROM ledger_tree_heads")).all()
    key = signing.load_private_key()
    for size, ts in heads:
        if size >= 3:
            sth = signing.sign_tree_head(key, log=LOG, hash_alg="sha256", tree_size=size, root_hash=roots[size],
                                         timestamp=ts)
            _sql("UPDATE ledger_tree_heads SET root_hash = :r, signature = :s WHERE tree_size = :n",
                 r=sth.root_hash, s=sth.signature, n=size)
    f = Frontier(get_hash("sha256"))
    for _, d in _rows():
        f.append(get_hash("sha256")(LEAF_PREFIX + d.encode()))
    _sql("UPDATE ledger_logs SET frontier = :f", f=json.dumps([n.hex() for n in f.nodes]))
    empty = Path(get_settings().home) / "none.jsonl"
    empty.write_text("")
    assert _report(anchor_path=empty).ok  # the database is self-consistent ...
    v = _assert_bad(2, "anchor")  # ... the anchor is not fooled
    assert any("differs from the anchored" in p.message for p in v.problems)


def test_deleted_log_is_caught_by_the_anchor(db_home: str) -> None:
    _fill()
    _sql("DELETE FROM ledger_tree_heads")
    _sql("DELETE FROM ledger_entries")
    _sql("DELETE FROM ledger_logs")
    rep = ledger.verify()
    assert not rep.ok and rep.logs[0].log == LOG and rep.logs[0].problems[0].kind == "truncated"


def test_corrupt_anchor_file_is_reported(home: Path) -> None:
    ledger.append(LOG, {"a": 1}, kind="k")
    with open(home / "ledger" / "anchors.jsonl", "a") as f:
        f.write("not json\n")
    v = _report()
    assert not v.ok and v.problems[-1].kind == "anchor"


# ------------------------------------------------------------------------------- anchors and sessions


def test_command_anchor(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "sth.json"
    monkeypatch.setenv("XIAOYIN_LEDGER__ANCHOR", "command")
    monkeypatch.setenv("XIAOYIN_LEDGER__ANCHOR_COMMAND", f"cat > {out}; echo receipt-1")
    reset_settings()
    r = ledger.append(LOG, {"a": 1}, kind="k")
    assert r.sth.anchor_receipt == "receipt-1" and ledger.tree_head(LOG).anchor_receipt == "receipt-1"
    published = ledger.SignedTreeHead.model_validate_json(out.read_text())
    assert published == r.sth.model_copy(update={"anchor_receipt": None})
    assert ledger.verify_sth_signature(published)

    failing = CommandAnchor("echo chain node unreachable >&2; exit 3")
    with pytest.raises(AnchorError, match="status 3.*unreachable"):
        failing.publish(r.sth)
    monkeypatch.setenv("XIAOYIN_LEDGER__ANCHOR_COMMAND", "echo chain node unreachable >&2; exit 3")
    reset_settings()
    r2 = ledger.append(LOG, {"a": 2}, kind="k")  # the entry is kept; the head waits for the anchor
    assert r2.sth.anchor_receipt is None and ledger.tree_head(LOG).anchor_receipt is None
    assert _report().unanchored_heads == 1
    with pytest.raises(AnchorError):
        ledger.publish_pending(LOG)
    monkeypatch.setenv("XIAOYIN_LEDGER__ANCHOR_COMMAND", "cat > /dev/null; echo receipt-2")
    reset_settings()
    assert ledger.publish_pending(LOG) == 1
    assert ledger.tree_head(LOG).anchor_receipt == "receipt-2" and ledger.publish_pending() == 0


def test_command_anchor_without_command_is_an_error(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XIAOYIN_LEDGER__ANCHOR", "command")
    reset_settings()
    with pytest.raises(AnchorError):
        ledger.get_anchor()


def test_append_in_the_callers_transaction(db_home: str) -> None:
    anchors = get_settings().home / "ledger" / "anchors.jsonl"
    with pytest.raises(RuntimeError):
        with session_scope() as s:
            r = ledger.append(LOG, {"a": 1}, kind="k", session=s)
            assert r.seq == 0
            raise RuntimeError("the caller's own work failed")
    assert not anchors.exists() or anchors.read_text() == ""
    with session_scope() as s:
        assert s.execute(text("SELECT count(*) FROM ledger_entries")).scalar_one() == 0
        r = ledger.append(LOG, {"a": 2}, kind="k", session=s)
        r2 = ledger.append(LOG, {"a": 3}, kind="k", session=s)
        assert (r.seq, r2.seq) == (0, 1) and r.sth.anchor_receipt is None
    assert r2.sth.anchor_receipt is not None  # published after the caller committed
    assert [a.tree_size for a in read_file_anchors(anchors)] == [1, 2]
    assert ledger.verify().ok


def test_concurrent_appends_get_contiguous_seqs(db_home: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XIAOYIN_LEDGER__ANCHOR", "none")
    reset_settings()
    ledger.create_log(LOG)
    seqs: list[int] = []
    errors: list[BaseException] = []

    def work(t: int) -> None:
        try:
            for i in range(200):
                seqs.append(ledger.append(LOG, {"thread": t, "i": i}, kind="k").seq)
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors, errors
    assert sorted(seqs) == list(range(400))
    v = _report()
    assert v.ok and v.size == 400 and v.tree_heads_checked == 400


# ------------------------------------------------------------------------------ the key fails closed


def _counts() -> tuple[int, int]:
    with get_engine().connect() as conn:
        return (conn.execute(text("SELECT count(*) FROM ledger_entries")).scalar_one(),
                conn.execute(text("SELECT count(*) FROM ledger_tree_heads")).scalar_one())


def test_no_key_is_created_by_readers(home: Path) -> None:
    key_path = home / "ledger" / "signing.key"
    for call in (ledger.public_key_pem, ledger.key_id):
        with pytest.raises(ledger.LedgerKeyMissing) as ei:
            call()
        assert ei.value.code == "ledger_key_missing" and ei.value.http_status == 503
    other = signing.Ed25519PrivateKey.generate()
    sth = signing.sign_tree_head(other, log=LOG, hash_alg="sha256", tree_size=1, root_hash="00" * 32, timestamp=1)
    with pytest.raises(ledger.LedgerKeyMissing):
        ledger.verify_sth_signature(sth)
    assert ledger.verify_sth_signature(sth, other.public_key())
    assert ledger.verify().ok  # nothing signed yet: nothing to check
    assert not key_path.exists()
    ledger.append(LOG, {"a": 1}, kind="k")  # first use creates it
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600 and ledger.verify_sth_signature(ledger.tree_head(LOG))


def test_lost_key_stops_appends_and_fails_verify(db_home: str) -> None:
    _fill()
    key_path = get_settings().home / "ledger" / "signing.key"
    pem, saved = ledger.public_key_pem(), key_path.read_bytes()
    key_path.unlink()
    for attempt in (lambda: ledger.append(LOG, {"a": 1}, kind="k"),
                    lambda: ledger.append_many(LOG, [{"a": 1}, {"a": 2}], kind="k"),
                    lambda: ledger.append("another-log", {"a": 1}, kind="k")):  # heads exist in some log
        with pytest.raises(ledger.LedgerKeyMissing, match="Restore the key file") as ei:
            attempt()
        assert ei.value.code == "ledger_key_missing" and "--public-key" in ei.value.message
    assert not key_path.exists() and _counts() == (20, 11)
    assert [i.name for i in ledger.list_logs()] == [LOG]  # the failed append created nothing
    with pytest.raises(ledger.LedgerKeyMissing):
        ledger.public_key_pem()
    assert not key_path.exists()

    v = _report()  # no key, signed heads present: not a pass
    assert not v.ok and [p.kind for p in v.problems] == ["key"] and v.first_bad_seq is None
    assert "cannot be checked" in v.problems[0].message and "--public-key" in v.problems[0].message
    # a pinned public key (PEM text, bytes, file, key object) verifies without the private key
    pem_file = get_settings().home / "ledger-public.pem"
    pem_file.write_text(pem)
    for pinned in (pem, pem.encode(), pem_file, signing.load_public_key(pem)):
        assert _report(public_key=pinned).ok
    other = signing.public_pem(signing.Ed25519PrivateKey.generate().public_key())
    assert {p.kind for p in _report(public_key=other).problems} == {"signature", "anchor"}
    for bad in ("not a key", b"\x00" * 5, get_settings().home / "nope.pem"):
        with pytest.raises(InvalidInput):
            ledger.verify(LOG, public_key=bad)
    # tampering is still found with the pinned key
    _sql("UPDATE ledger_entries SET ref = 'APP-999' WHERE seq = 4")
    assert _report(public_key=pem).first_bad_seq == 4
    _sql("UPDATE ledger_entries SET ref = 'APP-1' WHERE seq = 4")

    key_path.write_bytes(saved)  # restored from backup: everything works again
    assert ledger.append(LOG, {"a": 1}, kind="k").seq == 20 and _report().ok


def test_init_key_is_explicit_and_never_overwrites(home: Path) -> None:
    ledger.append(LOG, {"a": 1}, kind="k")
    key_path = home / "ledger" / "signing.key"
    old_pem = ledger.public_key_pem()
    with pytest.raises(AlreadyExists):
        ledger.init_key()
    assert ledger.public_key_pem() == old_pem
    key_path.unlink()
    new_pem = ledger.init_key()  # the deliberate rotation after a real loss
    assert new_pem != old_pem and ledger.public_key_pem() == new_pem
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    r = ledger.append(LOG, {"a": 2}, kind="k")
    assert ledger.verify_sth_signature(r.sth) and not ledger.verify_sth_signature(r.sth, old_pem)
    v = _report()  # the head signed by the lost key is shown as such
    assert [(p.kind, p.seq) for p in v.problems] == [("signature", 0), ("anchor", None)]
    assert "unknown key" in v.problems[0].message and "invalid signature" in v.problems[1].message


def test_init_key_on_a_fresh_home(home: Path) -> None:
    pem = ledger.init_key()
    assert ledger.public_key_pem() == pem
    assert ledger.append(LOG, {"a": 1}, kind="k").sth.key_id == ledger.key_id()


def test_unreadable_key_file_is_an_error(home: Path) -> None:
    ledger.append(LOG, {"a": 1}, kind="k")
    key_path = home / "ledger" / "signing.key"
    key_path.write_text("-----BEGIN PRIVATE KEY-----\ngarbage\n-----END PRIVATE KEY-----\n")
    with pytest.raises(ledger.LedgerKeyError) as ei:
        ledger.append(LOG, {"a": 2}, kind="k")
    assert ei.value.code == "ledger_key_invalid"
    v = _report()
    assert not v.ok and [p.kind for p in v.problems] == ["key"]
    pub = signing.Ed25519PrivateKey.generate().public_key()  # a public key where the private one belongs
    key_path.write_text(signing.public_pem(pub))
    with pytest.raises(ledger.LedgerKeyError):
        ledger.public_key_pem()


# ---------------------------------------------------------------- publication never fails a stored append


def test_anchor_path_that_cannot_be_written(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            caplog: pytest.LogCaptureFixture) -> None:
    target = tmp_path / "anchors-dir"
    target.mkdir()
    monkeypatch.setenv("XIAOYIN_LEDGER__ANCHOR_PATH", str(target))
    reset_settings()
    with caplog.at_level(logging.WARNING, logger="xiaoyin.core.ledger.service"):
        r = ledger.append(LOG, {"a": 1}, kind="k")
    assert r.seq == 0 and r.sth.anchor_receipt is None and ledger.get_entry(LOG, 0).payload == {"a": 1}
    assert f"{LOG}@1" in caplog.text and "publish_pending" in caplog.text
    assert ledger.tree_head(LOG).anchor_receipt is None  # pending for publish_pending


def _fail_receipt_writes() -> None:
    """A real database failure on the receipt UPDATE (a trigger), as 'database is locked' would be."""
    if get_engine().dialect.name == "sqlite":
        _sql("CREATE TRIGGER no_receipt BEFORE UPDATE OF anchor_receipt ON ledger_tree_heads "
             "BEGIN SELECT RAISE(ABORT, 'database is locked'); END")
    else:
        _sql("CREATE FUNCTION no_receipt() RETURNS trigger LANGUAGE plpgsql AS "
             "$$ BEGIN RAISE EXCEPTION 'database is locked'; END $$")
        _sql("CREATE TRIGGER no_receipt BEFORE UPDATE OF anchor_receipt ON ledger_tree_heads "
             "FOR EACH ROW EXECUTE FUNCTION no_receipt()")


def test_receipt_write_failure_keeps_the_append(db_home: str, caplog: pytest.LogCaptureFixture) -> None:
    ledger.append(LOG, {"a": 0}, kind="k")
    _fail_receipt_writes()
    with caplog.at_level(logging.WARNING, logger="xiaoyin.core.ledger.service"):
        r = ledger.append(LOG, {"a": 1}, kind="k")
        with session_scope() as s:  # in the caller's transaction: its commit does not raise either
            r2 = ledger.append_many(LOG, [{"a": 2}, {"a": 3}], kind="k", session=s)[-1]
    assert (r.seq, r2.seq) == (1, 3) and r.sth.anchor_receipt is None and r2.sth.anchor_receipt is None
    assert f"{LOG}@2" in caplog.text and f"{LOG}@4" in caplog.text and "database is locked" in caplog.text
    assert ledger.get_entry(LOG, 3).payload == {"a": 3}
    assert [ledger.tree_head(LOG, n).anchor_receipt is None for n in (1, 2, 4)] == [False, True, True]
    assert _report().unanchored_heads == 2
    _sql("DROP TRIGGER no_receipt" + ("" if get_engine().dialect.name == "sqlite" else " ON ledger_tree_heads"))
    assert ledger.publish_pending() == 2 and ledger.publish_pending() == 0
    v = _report()
    assert v.ok and v.unanchored_heads == 0, v.problems
    sizes = [a.tree_size for a in read_file_anchors(get_settings().home / "ledger" / "anchors.jsonl")]
    assert sizes == [1, 2, 4, 2, 4]  # published once after the commit, again by publish_pending


def test_failing_anchor_command_keeps_the_append(home: Path, monkeypatch: pytest.MonkeyPatch,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("XIAOYIN_LEDGER__ANCHOR", "command")
    monkeypatch.setenv("XIAOYIN_LEDGER__ANCHOR_COMMAND", "cat > /dev/null; echo node down >&2; exit 7")
    reset_settings()
    with caplog.at_level(logging.WARNING, logger="xiaoyin.core.ledger.service"):
        rs = ledger.append_many(LOG, [{"a": 1}, {"a": 2}], kind="k")
    assert [r.seq for r in rs] == [0, 1] and rs[0].sth.anchor_receipt is None
    assert f"{LOG}@2" in caplog.text and "status 7" in caplog.text
    monkeypatch.delenv("XIAOYIN_LEDGER__ANCHOR_COMMAND")
    reset_settings()  # anchor = command without a command: get_anchor itself fails after the commit
    with caplog.at_level(logging.WARNING, logger="xiaoyin.core.ledger.service"):
        assert ledger.append(LOG, {"a": 3}, kind="k").seq == 2
    assert f"{LOG}@3" in caplog.text and _report().unanchored_heads == 2
