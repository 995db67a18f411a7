"""Okapi BM25 over a sparse term-frequency matrix (rows = chunks, columns = vocabulary terms).

The term-frequency rows are kept as they are (never re-tokenised); the BM25 weight matrix is
rebuilt in one vectorised pass per change, so adding chunks batch by batch stays linear per call.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp


class BM25:
    """BM25 with Lucene's idf ``log(1 + (N - df + .5) / (df + .5))``; ``k1``/``b`` are parameters."""

    def __init__(self, tf: sp.csr_matrix | None = None, vocab: list[str] | None = None,
                 k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.terms: list[str] = list(vocab or [])
        self.vocab: dict[str, int] = {t: i for i, t in enumerate(self.terms)}
        self.tf = tf if tf is not None else sp.csr_matrix((0, len(self.terms)), dtype=np.float32)
        self._w: sp.csc_matrix | None = None
        self._idf: np.ndarray | None = None

    @property
    def n(self) -> int:
        return self.tf.shape[0]

    def rows(self, token_lists: Sequence[Sequence[str]]) -> sp.csr_matrix:
        """Term-frequency rows for tokenised texts (new terms are added to the vocabulary)."""
        vocab, terms = self.vocab, self.terms
        row_idx: list[int] = []
        col_idx: list[int] = []
        for r, toks in enumerate(token_lists):
            for t in toks:
                c = vocab.get(t)
                if c is None:
                    c = vocab[t] = len(terms)
                    terms.append(t)
                col_idx.append(c)
            row_idx.extend([r] * len(toks))
        data = np.ones(len(col_idx), dtype=np.float32)
        m = sp.csr_matrix((data, (np.asarray(row_idx, dtype=np.int64), np.asarray(col_idx, dtype=np.int64))),
                          shape=(len(token_lists), len(terms)), dtype=np.float32)
        m.sum_duplicates()
        return m

    def _widen(self, m: sp.csr_matrix) -> sp.csr_matrix:
        if m.shape[1] == len(self.terms):
            return m
        return sp.csr_matrix((m.data, m.indices, m.indptr), shape=(m.shape[0], len(self.terms)))

    def keep_and_append(self, keep: np.ndarray | None, new_rows: sp.csr_matrix | None) -> None:
        """Keep the rows where ``keep`` is True (all if None), then append ``new_rows``."""
        tf = self._widen(self.tf)
        if keep is not None and not keep.all():
            tf = tf[np.flatnonzero(keep)]
        if new_rows is not None and new_rows.shape[0]:
            tf = sp.vstack([tf, self._widen(new_rows)], format="csr", dtype=np.float32)
        self.tf = tf.tocsr()
        self._w = self._idf = None

    def _prepare(self) -> None:
        tf = self._widen(self.tf)
        self.tf = tf
        n = tf.shape[0]
        dl = np.asarray(tf.sum(axis=1)).ravel()
        avgdl = float(dl.mean()) if n else 1.0
        denom_row = self.k1 * (1.0 - self.b + self.b * dl / max(avgdl, 1e-9))
        per_nnz = np.repeat(denom_row, np.diff(tf.indptr)).astype(np.float32)
        data = tf.data * (self.k1 + 1.0) / (tf.data + per_nnz)
        self._w = sp.csr_matrix((data.astype(np.float32), tf.indices, tf.indptr), shape=tf.shape).tocsc()
        df = np.bincount(tf.indices, minlength=tf.shape[1]).astype(np.float64)
        self._idf = np.log1p((n - df + 0.5) / (df + 0.5)).astype(np.float32)

    def scores(self, query_tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every row for the query (float32, shape (n,)); zeros where no term matches."""
        if self._w is None:
            self._prepare()
        assert self._w is not None and self._idf is not None
        q = Counter(t for t in query_tokens if t in self.vocab)
        if not q or self.n == 0:
            return np.zeros(self.n, dtype=np.float32)
        cols = np.fromiter((self.vocab[t] for t in q), dtype=np.int64)
        wts = self._idf[cols] * np.fromiter(q.values(), dtype=np.float32)
        return np.asarray(self._w[:, cols] @ wts, dtype=np.float32).ravel()
