"""RFC 6962/9162 Merkle math of the ledger: reference vectors, brute-force agreement, proof edge cases,
hash functions (SHA-256, SM3 from OpenSSL and gmssl) and canonical JSON."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum

import pytest
from pydantic import BaseModel

from xiaoyin.core.errors import InvalidInput
from xiaoyin.core.ledger import hashing
from xiaoyin.core.ledger.canonical import canonical_bytes, canonical_json
from xiaoyin.core.ledger.merkle import (
    Frontier,
    MerkleTree,
    consistency_path,
    empty_root,
    inclusion_path,
    leaf_hash,
    node_hash,
    root,
    verify_consistency,
    verify_inclusion,
)

H = hashing.get_hash("sha256")
LEAVES = [b"", b"\x00", b"\x10", b"\x20\x21", b"\x30\x31", b"\x40\x41\x42\x43",
          bytes(range(0x50, 0x58)), bytes(range(0x60, 0x70))]
LH = [leaf_hash(H, d) for d in LEAVES]
ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
# transparency-dev/merkle (and certificate-transparency) reference proofs: (index, size, path)
INCLUSION = [
    (0, 1, []),
    (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]
CONSISTENCY = [
    (1, 1, []),
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
    (3, 8, ["0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
            "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
]


def rh(i: int) -> bytes:
    return bytes.fromhex(ROOTS[i - 1])


# ---- brute force straight from the RFC 6962 §2.1 definitions (recursive) -------------------------------

def _k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(d: list[bytes]) -> bytes:
    if not d:
        return H(b"")
    if len(d) == 1:
        return d[0]
    k = _k(len(d))
    return node_hash(H, mth(d[:k]), mth(d[k:]))


def path(m: int, d: list[bytes]) -> list[bytes]:
    if len(d) == 1:
        return []
    k = _k(len(d))
    return path(m, d[:k]) + [mth(d[k:])] if m < k else path(m - k, d[k:]) + [mth(d[:k])]


def subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    n = len(d)
    if m == n:
        return [] if b else [mth(d)]
    k = _k(n)
    return subproof(m, d[:k], b) + [mth(d[k:])] if m <= k else subproof(m - k, d[k:], False) + [mth(d[:k])]


# ---- tests ---------------------------------------------------------------------------------------------

def test_reference_roots() -> None:
    assert empty_root(H).hex() == hashlib.sha256(b"").hexdigest()
    assert root(H, []).hex() == hashlib.sha256(b"").hexdigest()
    tree, f = MerkleTree(H), Frontier(H)
    for n in range(1, 9):
        assert root(H, LH[:n]).hex() == ROOTS[n - 1]
        tree.append(LH[n - 1])
        f.append(LH[n - 1])
        assert tree.root().hex() == f.root().hex() == ROOTS[n - 1]
    assert [tree.root(n).hex() for n in range(1, 9)] == ROOTS


@pytest.mark.parametrize(("index", "size", "expected"), INCLUSION)
def test_reference_inclusion_proofs(index: int, size: int, expected: list[str]) -> None:
    assert [p.hex() for p in inclusion_path(H, LH, index, size)] == expected
    assert [p.hex() for p in MerkleTree(H, LH).inclusion_path(index, size)] == expected
    proof = [bytes.fromhex(p) for p in expected]
    assert verify_inclusion(H, LH[index], index, size, proof, rh(size))
    # wrong index, size, leaf, root, and altered / extended / shortened proofs all fail
    for bad_index in (index - 1, index + 1, index ^ 2):
        assert not verify_inclusion(H, LH[index], bad_index, size, proof, rh(size))
    for bad_size in (size * 2, size // 2):
        assert not verify_inclusion(H, LH[index], index, bad_size, proof, rh(size))
    assert not verify_inclusion(H, b"WrongLeaf", index, size, proof, rh(size))
    assert not verify_inclusion(H, LH[index], index, size, proof, empty_root(H))
    for i in range(len(proof)):
        assert not verify_inclusion(H, LH[index], index, size, proof[:i] + [empty_root(H)] + proof[i + 1:], rh(size))
    assert not verify_inclusion(H, LH[index], index, size, proof + [b""], rh(size))
    assert not verify_inclusion(H, LH[index], index, size, proof + [rh(size)], rh(size))
    assert not verify_inclusion(H, LH[index], index, size, [rh(size)] + proof, rh(size))
    if proof:
        assert not verify_inclusion(H, LH[index], index, size, proof[:-1], rh(size))


def test_inclusion_out_of_range_is_rejected() -> None:
    for index, size in ((0, 0), (1, 0), (2, 1), (1, 1), (-1, 4), (8, 8)):
        assert not verify_inclusion(H, LH[0], index, size, [], empty_root(H))
        with pytest.raises(ValueError):
            inclusion_path(H, LH, index, size)
        with pytest.raises(ValueError):
            MerkleTree(H, LH).inclusion_path(index, size)
    with pytest.raises(ValueError):
        inclusion_path(H, LH, 0, 9)  # beyond the leaves given


@pytest.mark.parametrize(("m", "n", "expected"), CONSISTENCY)
def test_reference_consistency_proofs(m: int, n: int, expected: list[str]) -> None:
    assert [p.hex() for p in consistency_path(H, LH, m, n)] == expected
    assert [p.hex() for p in MerkleTree(H, LH).consistency_path(m, n)] == expected
    proof = [bytes.fromhex(p) for p in expected]
    assert verify_consistency(H, m, n, rh(m), rh(n), proof)
    if not proof:
        return
    for bm, bn in ((m - 1, n), (m + 1, n), (m ^ 2, n), (m, n * 2), (m, n // 2)):
        assert not verify_consistency(H, bm, bn, rh(m), rh(n), proof)
    assert not verify_consistency(H, m, n, b"WrongRoot", rh(n), proof)
    assert not verify_consistency(H, m, n, rh(m), b"WrongRoot", proof)
    assert not verify_consistency(H, m, n, rh(n), rh(m), proof)  # swapped roots
    assert not verify_consistency(H, m, n, rh(m), rh(n), [])
    for i in range(len(proof)):
        assert not verify_consistency(H, m, n, rh(m), rh(n), proof[:i] + [empty_root(H)] + proof[i + 1:])
    assert not verify_consistency(H, m, n, rh(m), rh(n), proof + [b""])  # over-long proofs
    assert not verify_consistency(H, m, n, rh(m), rh(n), proof + [rh(m)])
    assert not verify_consistency(H, m, n, rh(m), rh(n), proof[:-1])  # short proof
    assert not verify_consistency(H, m, n, rh(m), rh(n), [b""] + proof)
    assert not verify_consistency(H, m, n, rh(m), rh(n), [proof[0]] + proof)


def test_consistency_edge_cases() -> None:
    e = empty_root(H)
    assert verify_consistency(H, 0, 0, e, e, [])
    assert verify_consistency(H, 0, 5, e, rh(5), [])  # everything extends the empty tree
    assert not verify_consistency(H, 0, 5, rh(1), rh(5), [])  # ... but "size 0" must have the empty root
    assert not verify_consistency(H, 0, 5, e, rh(5), [e])  # non-empty proof for m == 0
    assert verify_consistency(H, 3, 3, rh(3), rh(3), [])
    assert not verify_consistency(H, 3, 3, rh(3), rh(4), [])  # m == n with different roots
    assert not verify_consistency(H, 3, 3, rh(3), rh(3), [rh(3)])  # m == n needs an empty proof
    assert not verify_consistency(H, 5, 3, rh(5), rh(3), [])  # m > n: time travel
    assert not verify_consistency(H, 2, 1, rh(2), rh(1), consistency_path(H, LH, 1, 2))
    assert not verify_consistency(H, -1, 3, e, rh(3), [])
    assert not verify_consistency(H, 1, 2, rh(1), rh(2), [])  # empty proof for 0 < m < n
    assert consistency_path(H, LH, 0, 8) == [] and consistency_path(H, LH, 8, 8) == []
    for m, n in ((5, 3), (-1, 2)):
        with pytest.raises(ValueError):
            consistency_path(H, LH, m, n)
        with pytest.raises(ValueError):
            MerkleTree(H, LH).consistency_path(m, n)
    with pytest.raises(ValueError):
        MerkleTree(H, LH).root(9)


@pytest.mark.parametrize("alg", ["sha256", "sm3"])
def test_agrees_with_brute_force_for_every_size_and_pair(alg: str) -> None:
    h = hashing.get_hash(alg)
    global H
    saved, H = H, h
    try:
        data = [leaf_hash(h, i.to_bytes(2, "big")) for i in range(70)]
        tree, f = MerkleTree(h), Frontier(h)
        for n in range(1, 71):
            tree.append(data[n - 1])
            f.append(data[n - 1])
            want = mth(data[:n])
            assert tree.root() == f.root() == root(h, data[:n]) == want
            assert Frontier(h, f.size, f.nodes).root() == want  # restored from the stored frontier
        for n in range(1, 71):
            r_n = tree.root(n)
            for i in range(n):
                p = tree.inclusion_path(i, n)
                assert p == path(i, data[:n])
                assert verify_inclusion(h, data[i], i, n, p, r_n)
                assert not verify_inclusion(h, data[i], i, n, p, tree.root(n - 1) if n > 1 else b"x")
                assert not verify_inclusion(h, data[(i + 1) % n], i, n, p, r_n) or n == 1
            for m in range(1, n + 1):
                p = tree.consistency_path(m, n)
                assert p == ([] if m == n else subproof(m, data[:n], True))
                assert verify_consistency(h, m, n, tree.root(m), r_n, p)
                if m < n:
                    assert not verify_consistency(h, m, n, tree.root(m), r_n, p[:-1])
                    assert not verify_consistency(h, m, n, tree.root(m), r_n, p + [r_n])
    finally:
        H = saved


def test_frontier_rejects_wrong_node_count() -> None:
    with pytest.raises(ValueError):
        Frontier(H, 3, [LH[0]])


def test_sm3_vectors_openssl_and_gmssl() -> None:
    abc = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    block = "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"  # GB/T 32905 example 2
    msg = b"abcd" * 16
    assert hashing.sm3_gmssl(b"abc").hex() == abc
    assert hashing.sm3_gmssl(msg).hex() == block
    assert hashing.get_hash("sm3")(b"abc").hex() == abc
    if hashing.sm3_openssl_available():
        assert hashing.sm3_openssl(b"abc").hex() == abc
        assert hashing.sm3_openssl(msg).hex() == block
    assert hashing.get_hash("sha256")(b"abc").hex() == hashlib.sha256(b"abc").hexdigest()
    with pytest.raises(InvalidInput):
        hashing.get_hash("md5")


def test_file_digest(tmp_path) -> None:
    p = tmp_path / "f.bin"
    p.write_bytes(b"abc")
    assert hashing.file_digest(p) == hashlib.sha256(b"abc").hexdigest()
    assert hashing.file_digest(p, "sm3").startswith("66c7f0f4")


class Color(Enum):
    RED = "red"


class Item(BaseModel):
    name: str
    amount: Decimal
    day: date


def test_canonical_json_is_deterministic() -> None:
    a = {"b": 1, "a": [Decimal("1.10"), Decimal("1E+2")], "名称": "发票", "c": Color.RED,
         "d": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), "e": (1, 2), "f": {3, 1, 2}, "g": b"\x01\xff",
         "m": Item(name="货物", amount=Decimal("12.50"), day=date(2026, 3, 1))}
    text = canonical_json(a)
    assert text == (
        '{"a":["1.10","100"],"b":1,"c":"red","d":"2026-01-02T03:04:05+00:00","e":[1,2],"f":[1,2,3],'
        '"g":"01ff","m":{"amount":"12.50","day":"2026-03-01","name":"货物"},"名称":"发票"}'
    )
    assert canonical_bytes(dict(reversed(list(a.items())))) == text.encode("utf-8")


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), Decimal("NaN"), {(1, 2): 1}, {1: "a", "1": "b"}, object()])
def test_canonical_json_refuses_what_it_cannot_record_faithfully(bad) -> None:
    with pytest.raises(InvalidInput):
        canonical_json({"x": bad})
