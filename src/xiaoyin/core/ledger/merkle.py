"""RFC 6962 / RFC 9162 Merkle tree math: hashes, roots, inclusion and consistency proofs.

Pure functions over a digest function ``h`` (bytes -> bytes, see :mod:`.hashing`):

* leaf hash ``H(0x00 || d)``, node hash ``H(0x01 || left || right)``, empty tree ``H("")``;
* for n > 1, ``MTH(D[n]) = node(MTH(D[0:k]), MTH(D[k:n]))`` with k the largest power of two < n.

:class:`Frontier` keeps the compact range of a growing log (one perfect-subtree root per set bit of
the size), so an append updates the root in O(log n). :class:`MerkleTree` keeps every perfect
subtree root in memory so proofs for any earlier tree size cost O(log² n).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from xiaoyin.core.ledger.hashing import HashFn

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"


def leaf_hash(h: HashFn, data: bytes) -> bytes:
    """``H(0x00 || data)``."""
    return h(LEAF_PREFIX + data)


def node_hash(h: HashFn, left: bytes, right: bytes) -> bytes:
    """``H(0x01 || left || right)``."""
    return h(NODE_PREFIX + left + right)


def empty_root(h: HashFn) -> bytes:
    """The root of the empty tree, ``H("")``."""
    return h(b"")


def _split(n: int) -> int:
    """The largest power of two strictly less than ``n`` (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def root(h: HashFn, leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH of the leaves whose leaf hashes are given (iterative, O(n))."""
    f = Frontier(h)
    for lh in leaf_hashes:
        f.append(lh)
    return f.root()


SubtreeRoot = Callable[[int, int], bytes]


def _path(mth: SubtreeRoot, m: int, lo: int, hi: int) -> list[bytes]:
    """RFC 6962 PATH(m, D[lo:hi]), leaf-to-root order."""
    out: list[bytes] = []
    while hi - lo > 1:
        k = _split(hi - lo)
        if m < k:
            out.append(mth(lo + k, hi))
            hi = lo + k
        else:
            out.append(mth(lo, lo + k))
            lo, m = lo + k, m - k
    out.reverse()
    return out


def _subproof(mth: SubtreeRoot, m: int, lo: int, hi: int, complete: bool) -> list[bytes]:
    """RFC 6962 SUBPROOF(m, D[lo:hi], b), in proof order."""
    out: list[bytes] = []
    while True:
        n = hi - lo
        if m == n:
            if not complete:
                out.append(mth(lo, hi))
            break
        k = _split(n)
        if m <= k:
            out.append(mth(lo + k, hi))
            hi = lo + k
        else:
            out.append(mth(lo, lo + k))
            lo, m, complete = lo + k, m - k, False
    out.reverse()
    return out


def _check_index(index: int, size: int) -> None:
    if size < 1 or not 0 <= index < size:
        raise ValueError(f"leaf index {index} is out of range for a tree of size {size}")


def _check_sizes(m: int, n: int) -> None:
    if not 0 <= m <= n:
        raise ValueError(f"consistency needs 0 <= first <= second, got first={m}, second={n}")


def _naive_mth(h: HashFn, leaf_hashes: Sequence[bytes]) -> SubtreeRoot:
    return lambda lo, hi: root(h, leaf_hashes[lo:hi])


def inclusion_path(h: HashFn, leaf_hashes: Sequence[bytes], index: int, size: int) -> list[bytes]:
    """The audit path of leaf ``index`` in the tree of the first ``size`` leaves (O(n))."""
    _check_index(index, size)
    if size > len(leaf_hashes):
        raise ValueError(f"tree size {size} exceeds the {len(leaf_hashes)} leaves given")
    return _path(_naive_mth(h, leaf_hashes), index, 0, size)


def consistency_path(h: HashFn, leaf_hashes: Sequence[bytes], m: int, n: int) -> list[bytes]:
    """The consistency proof between the trees of the first ``m`` and ``n`` leaves (O(n)).

    Empty when ``m == 0`` or ``m == n`` (RFC 9162 §2.1.4.1)."""
    _check_sizes(m, n)
    if n > len(leaf_hashes):
        raise ValueError(f"tree size {n} exceeds the {len(leaf_hashes)} leaves given")
    if m == 0 or m == n:
        return []
    return _subproof(_naive_mth(h, leaf_hashes), m, 0, n, True)


def root_from_inclusion(h: HashFn, leaf: bytes, index: int, size: int, path: Sequence[bytes]) -> bytes | None:
    """The root implied by an inclusion proof (RFC 9162 §2.1.3.2), or None when malformed."""
    if index < 0 or size < 1 or index >= size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return None  # proof longer than the tree is tall
        if fn & 1 or fn == sn:
            r = node_hash(h, p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(h, r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        return None  # proof too short
    return r


def verify_inclusion(h: HashFn, leaf: bytes, index: int, size: int, path: Sequence[bytes], root_hash: bytes) -> bool:
    """True when ``path`` proves leaf hash ``leaf`` at ``index`` in the tree of ``size`` with ``root_hash``."""
    r = root_from_inclusion(h, leaf, index, size, path)
    return r is not None and r == root_hash


def verify_consistency(
    h: HashFn, m: int, n: int, root_m: bytes, root_n: bytes, path: Sequence[bytes]
) -> bool:
    """True when ``path`` proves the tree (n, root_n) extends the tree (m, root_m) (RFC 9162 §2.1.4.2).

    Edge cases: ``m > n`` or negative sizes fail; ``m == n`` needs an empty proof and equal roots;
    ``m == 0`` needs an empty proof and ``root_m`` equal to the empty-tree hash; otherwise the proof
    must be non-empty and consumed exactly (over-long or short proofs fail)."""
    if m < 0 or n < 0 or m > n:
        return False
    if m == n:
        return not path and root_m == root_n
    if m == 0:
        return not path and root_m == empty_root(h)
    if not path:
        return False
    proof = list(path)
    if m & (m - 1) == 0:  # exact power of two: the first tree is a complete subtree
        proof.insert(0, root_m)
    fn, sn = m - 1, n - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(h, c, fr)
            sr = node_hash(h, c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(h, sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == root_m and sr == root_n


class Frontier:
    """The compact range [0, size) of a log: perfect-subtree roots, largest (leftmost) first."""

    __slots__ = ("h", "size", "nodes")

    def __init__(self, h: HashFn, size: int = 0, nodes: Iterable[bytes] = ()) -> None:
        self.h = h
        self.size = size
        self.nodes = list(nodes)
        if len(self.nodes) != size.bit_count():
            raise ValueError(f"a frontier of size {size} has {size.bit_count()} nodes, got {len(self.nodes)}")

    def append(self, leaf: bytes) -> None:
        """Add one leaf hash, merging completed subtrees (amortised O(1) hashes)."""
        nodes, h = self.nodes, self.h
        nodes.append(leaf)
        self.size += 1
        t = self.size
        while not t & 1:
            right = nodes.pop()
            nodes[-1] = h(NODE_PREFIX + nodes[-1] + right)
            t >>= 1

    def root(self) -> bytes:
        """MTH of the leaves appended so far (O(log n))."""
        nodes, h = self.nodes, self.h
        if not nodes:
            return h(b"")
        r = nodes[-1]
        for i in range(len(nodes) - 2, -1, -1):
            r = h(NODE_PREFIX + nodes[i] + r)
        return r

    def copy(self) -> Frontier:
        return Frontier(self.h, self.size, self.nodes)


class MerkleTree:
    """An in-memory log keeping all perfect-subtree roots; proofs for any size in O(log² n)."""

    def __init__(self, h: HashFn, leaf_hashes: Iterable[bytes] = ()) -> None:
        self.h = h
        self.levels: list[list[bytes]] = [[]]
        for lh in leaf_hashes:
            self.append(lh)

    @property
    def size(self) -> int:
        return len(self.levels[0])

    def append(self, leaf: bytes) -> None:
        levels, h = self.levels, self.h
        levels[0].append(leaf)
        lvl = 0
        while len(levels[lvl]) % 2 == 0:
            row = levels[lvl]
            if lvl + 1 == len(levels):
                levels.append([])
            levels[lvl + 1].append(h(NODE_PREFIX + row[-2] + row[-1]))
            lvl += 1

    def leaf(self, index: int) -> bytes:
        return self.levels[0][index]

    def subtree_root(self, lo: int, hi: int) -> bytes:
        """MTH(D[lo:hi]) for the subtrees that RFC 6962 recursion visits (lo aligned)."""
        n = hi - lo
        if n == 0:
            return self.h(b"")
        if n & (n - 1) == 0:
            lvl = n.bit_length() - 1
            return self.levels[lvl][lo >> lvl]
        k = _split(n)
        return node_hash(self.h, self.subtree_root(lo, lo + k), self.subtree_root(lo + k, hi))

    def root(self, size: int | None = None) -> bytes:
        size = self.size if size is None else size
        if not 0 <= size <= self.size:
            raise ValueError(f"tree size {size} is beyond the {self.size} leaves held")
        return self.subtree_root(0, size)

    def inclusion_path(self, index: int, size: int | None = None) -> list[bytes]:
        size = self.size if size is None else size
        _check_index(index, size)
        if size > self.size:
            raise ValueError(f"tree size {size} is beyond the {self.size} leaves held")
        return _path(self.subtree_root, index, 0, size)

    def consistency_path(self, m: int, n: int | None = None) -> list[bytes]:
        n = self.size if n is None else n
        _check_sizes(m, n)
        if n > self.size:
            raise ValueError(f"tree size {n} is beyond the {self.size} leaves held")
        if m == 0 or m == n:
            return []
        return _subproof(self.subtree_root, m, 0, n, True)
