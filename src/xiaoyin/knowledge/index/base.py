"""The search-index contract shared by the embedded and Milvus backends, plus score fusion.

This module imports no backend: choosing one is :mod:`xiaoyin.knowledge.index.factory`'s job.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Literal, Protocol, runtime_checkable

import numpy as np

from xiaoyin.core.errors import InvalidInput
from xiaoyin.core.settings import get_settings
from xiaoyin.knowledge.types import Hit, IndexChunk, SearchFilters

Mode = Literal["bm25", "dense", "hybrid"]
Fusion = Literal["rrf", "weighted"]
MODES = ("bm25", "dense", "hybrid")
_KB_NAME = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")


@runtime_checkable
class SearchIndex(Protocol):
    """A knowledge base's chunk index: BM25 + dense vectors, fused.

    ``add`` replaces chunks whose id is already present; ``search`` returns at most ``k`` hits,
    best first, each with ``signals`` such as ``bm25``, ``bm25_rank``, ``dense``, ``dense_rank``, ``fused``.
    """

    def add(self, chunks: Sequence[IndexChunk], vectors: np.ndarray | None) -> None: ...

    def delete_documents(self, doc_ids: Sequence[str]) -> int: ...

    def set_acl(self, acl_by_doc: Mapping[str, Sequence[str]]) -> int:
        """Replace the ACL tags of every chunk of these documents (no re-embedding); returns chunks changed."""
        ...

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
    ) -> list[Hit]: ...

    def count(self) -> int: ...

    def doc_ids(self) -> set[str]: ...

    def close(self) -> None: ...


#: ACL tags are stored beside the document tags, prefixed, so both backends filter them in the same
#: array/inverted index as tags (no separate field, no schema change for existing collections)
ACL_PREFIX = "acl:"
#: what an empty reader tag list is turned into: a tag no chunk carries ('!' is not allowed in ACL codes)
NO_ACCESS = ACL_PREFIX + "!none"


def stored_tags(tags: Sequence[str], acl: Sequence[str]) -> list[str]:
    """The tags an index stores for a chunk: its document tags, then its ACL tags prefixed."""
    return [t for t in tags if not t.startswith(ACL_PREFIX)] + [ACL_PREFIX + a for a in acl]


def acl_keys(reader_tags: Sequence[str]) -> list[str]:
    """The stored tags a reader's ACL tags match (never empty: an empty list matches nothing)."""
    return [ACL_PREFIX + t for t in reader_tags] or [NO_ACCESS]


def check_kb_name(kb_name: str) -> str:
    """Knowledge-base names become directory and collection names: letters, digits, _ and - only."""
    if not _KB_NAME.match(kb_name or ""):
        raise InvalidInput(f"invalid knowledge base name {kb_name!r} (use letters, digits, _ or -, max 64)")
    return kb_name


def check_add(chunks: Sequence[IndexChunk], vectors: np.ndarray | None, dim: int | None) -> np.ndarray | None:
    """Validate an ``add`` call; returns the vectors as a float32 (n, dim) matrix or None."""
    ids = [c.chunk_id for c in chunks]
    if len(set(ids)) != len(ids):
        raise InvalidInput("duplicate chunk ids in one add() call")
    if any(not c.chunk_id or not c.doc_id for c in chunks):
        raise InvalidInput("every chunk needs a chunk_id and a doc_id")
    if vectors is None:
        return None
    v = np.asarray(vectors, dtype=np.float32)
    if v.ndim != 2 or v.shape[0] != len(chunks):
        raise InvalidInput(f"vectors must have shape ({len(chunks)}, dim), got {v.shape}")
    if dim is not None and v.shape[1] != dim:
        raise InvalidInput(f"vectors have dimension {v.shape[1]}, the index expects {dim}")
    return v


def check_search(k: int, mode: str, query_vector: np.ndarray | None) -> None:
    """The argument checks every backend's ``search`` starts with."""
    if mode not in MODES:
        raise InvalidInput(f"unknown search mode {mode!r} (bm25, dense or hybrid)")
    if k < 1:
        raise InvalidInput("k must be at least 1")
    if mode == "dense" and query_vector is None:
        raise InvalidInput("dense search needs a query vector (no embedder configured?)")


def date_int(d: date | None) -> int:
    """A date as yyyymmdd (0 for none)."""
    return d.year * 10000 + d.month * 100 + d.day if d else 0


def fuse(
    ranked: dict[str, list[tuple[str, float]]],
    k: int,
    fusion: Fusion | None = None,
    weights: tuple[float, float] | None = None,
) -> list[Hit]:
    """Fuse per-signal ranked lists ``{"bm25": [(id, score), ...], "dense": [...]}`` into hits.

    ``rrf``: fused = sum_s w_s / (rrf_k + rank_s). ``weighted``: fused = sum_s w_s * minmax(score_s)
    over each signal's candidates. Weights default to settings (bm25_weight, dense_weight).
    """
    s = get_settings().retrieval
    fusion = fusion or s.fusion
    wb, wd = weights if weights is not None else (s.bm25_weight, s.dense_weight)
    w = {"bm25": wb, "dense": wd}
    hits: dict[str, Hit] = {}
    for sig, lst in ranked.items():
        if not lst:
            continue
        scores = np.array([sc for _, sc in lst], dtype=np.float64)
        lo, hi = float(scores.min()), float(scores.max())
        for rank, (cid, sc) in enumerate(lst, start=1):
            h = hits.setdefault(cid, Hit(chunk_id=cid, score=0.0, signals={}))
            h.signals[sig] = float(sc)
            h.signals[f"{sig}_rank"] = float(rank)
            if fusion == "rrf":
                part = w.get(sig, 1.0) / (s.rrf_k + rank)
            else:
                norm = (sc - lo) / (hi - lo) if hi > lo else 1.0
                part = w.get(sig, 1.0) * norm
            h.score += part
    out = sorted(hits.values(), key=lambda h: (-h.score, h.signals.get("bm25_rank", 1e9), h.chunk_id))
    for h in out:
        h.signals["fused"] = h.score
    return out[:k]

