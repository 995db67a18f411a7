"""Our RFC 6962 Merkle tree against an independent implementation (pymerkle 7): same roots for every
size, and pymerkle's inclusion proofs verify against our roots."""

from __future__ import annotations

import pytest

from xiaoyin.core.ledger import hashing, merkle

pymerkle = pytest.importorskip("pymerkle")


def test_roots_and_proofs_agree_with_pymerkle() -> None:
    h = hashing.get_hash("sha256")
    tree = pymerkle.InmemoryTree(algorithm="sha256")
    data = [f"第{i}笔 invoice-{i:08d}".encode() for i in range(1, 71)]
    leaves: list[bytes] = []
    for n, d in enumerate(data, start=1):
        tree.append_entry(d)
        leaves.append(merkle.leaf_hash(h, d))
        ours = merkle.root(h, leaves)
        assert tree.get_root() == ours, n
        for i in (1, (n + 1) // 2, n):
            pymerkle.verify_inclusion(tree.get_leaf(i), ours, tree.prove_inclusion(i))
            assert merkle.verify_inclusion(h, leaves[i - 1], i - 1, n, merkle.inclusion_path(h, leaves, i - 1, n), ours)
