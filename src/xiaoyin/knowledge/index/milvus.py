"""Milvus backend (milvus-lite file by default, a Milvus server URI in production): one collection per KB.

BM25 runs inside Milvus (a ``BM25`` Function over an analysed VARCHAR field) but on *our* tokens:
``zh.tokenize`` output, each token encoded as an ASCII word (``t`` + 16 hex digits of its hash),
fed through the ``standard`` analyzer (lite has no ``whitespace`` tokenizer). So codes such as
``PD-2024-017`` and article numbers ``第35条`` match exactly as in the embedded backend. Dense
vectors live in a FLOAT_VECTOR field (FLAT / inner product). Fusion: the two ranked lists are fused
with the same :func:`~xiaoyin.knowledge.index.base.fuse` as the embedded backend (so ``signals``
are filled); ``native_hybrid=True`` uses Milvus ``hybrid_search`` with ``RRFRanker``/``WeightedRanker``.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from xiaoyin.core import zh
from xiaoyin.core.errors import InvalidInput, ModelUnavailable
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
from xiaoyin.knowledge.types import Hit, IndexChunk, SearchFilters

_CLIENTS: dict[str, Any] = {}
_USERS: dict[str, int] = {}
_LOCK = threading.Lock()
MAX_TEXT = 65535
BATCH = 1000
MAX_TAGS = 64  # capacity of the tags array field


def milvus_uri() -> str:
    s = get_settings()
    if s.retrieval.milvus_uri:
        return s.retrieval.milvus_uri
    return str(s.path("milvus.db").resolve())


def client(uri: str | None = None) -> Any:
    """A shared ``MilvusClient`` per URI (milvus-lite allows one per file and process); see ``release``."""
    uri = uri or milvus_uri()
    with _LOCK:
        c = _CLIENTS.get(uri)
        if c is None:
            try:
                from pymilvus import MilvusClient

                c = _CLIENTS[uri] = MilvusClient(uri)
            except Exception as e:  # server down, bad file, missing milvus-lite
                raise ModelUnavailable(f"cannot connect to Milvus at {uri}: {e}") from e
            _USERS[uri] = 0
        _USERS[uri] += 1
        return c


def release(uri: str) -> None:
    """Drop one user of the client for ``uri``; the last one closes it (stopping a milvus-lite server)."""
    with _LOCK:
        _USERS[uri] = _USERS.get(uri, 1) - 1
        if _USERS[uri] <= 0 and uri in _CLIENTS:
            _USERS.pop(uri, None)
            try:
                _CLIENTS.pop(uri).close()
            except Exception:  # closing is best effort
                pass


def close_clients() -> None:
    """Close every shared client (stops the milvus-lite servers this process started)."""
    for uri in list(_CLIENTS):
        _USERS[uri] = 0
        release(uri)


def collection_name(kb_name: str) -> str:
    check_kb_name(kb_name)
    return f"kb_{kb_name.replace('-', '_')}_{hashlib.sha1(kb_name.encode()).hexdigest()[:6]}"


def drop_collection(kb_name: str) -> None:
    name, uri = collection_name(kb_name), milvus_uri()
    c = client(uri)
    try:
        if c.has_collection(name):
            c.drop_collection(name)
    finally:
        release(uri)


def encode_terms(tokens: Sequence[str]) -> str:
    """Our tokens as space-separated ASCII words the ``standard`` analyzer keeps whole."""
    return " ".join("t" + hashlib.blake2b(t.encode(), digest_size=8).hexdigest() for t in tokens)


def lit(value: str) -> str:
    """A Milvus string literal (quotes, backslashes and control characters escaped)."""
    return json.dumps(str(value), ensure_ascii=False)


def filter_expr(f: SearchFilters | None) -> str:
    """A Milvus boolean expression for the filters ("" when none)."""
    if f is None or f.is_empty():
        return ""
    parts: list[str] = []
    if f.doc_ids:
        parts.append(f"doc_id in [{', '.join(lit(d) for d in f.doc_ids)}]")
    if f.tags:
        parts.append(f"array_contains_any(tags, [{', '.join(lit(t) for t in f.tags)}])")
    if f.acl is not None:
        parts.append(f"array_contains_any(tags, [{', '.join(lit(t) for t in acl_keys(f.acl))}])")
    if f.date_from or f.date_to:
        parts.append("doc_date > 0")
        if f.date_from:
            parts.append(f"doc_date >= {date_int(f.date_from)}")
        if f.date_to:
            parts.append(f"doc_date <= {date_int(f.date_to)}")
    return " and ".join(f"({p})" for p in parts)


class MilvusIndex:
    """A :class:`~xiaoyin.knowledge.index.base.SearchIndex` stored in one Milvus collection."""

    def __init__(self, kb_name: str, dim: int | None = None, *, uri: str | None = None,
                 k1: float = 1.2, b: float = 0.75, native_hybrid: bool = False) -> None:
        self.kb_name, self.name = kb_name, collection_name(kb_name)
        self.uri = uri or milvus_uri()
        self.client = client(self.uri)
        self._closed = False
        self.k1, self.b, self.native_hybrid = k1, b, native_hybrid
        if self.client.has_collection(self.name):
            desc = self.client.describe_collection(self.name)
            dense = [f for f in desc["fields"] if f["name"] == "dense"]
            self.dim = int(dense[0]["params"]["dim"]) if dense else None
            if dim is not None and self.dim is not None and dim != self.dim:
                raise InvalidInput(f"collection {self.name} holds {self.dim}-d vectors, the embedder gives {dim}-d")
        else:
            self.dim = dim
            self._create()
        self.client.load_collection(self.name)

    def _create(self) -> None:
        from pymilvus import DataType, Function, FunctionType

        s = self.client.create_schema(auto_id=False)
        s.add_field("id", DataType.VARCHAR, is_primary=True, max_length=512)
        s.add_field("doc_id", DataType.VARCHAR, max_length=512)
        s.add_field("tags", DataType.ARRAY, element_type=DataType.VARCHAR, max_capacity=MAX_TAGS, max_length=256)
        s.add_field("doc_date", DataType.INT64)
        s.add_field("text", DataType.VARCHAR, max_length=MAX_TEXT, enable_analyzer=True,
                    analyzer_params={"tokenizer": "standard"})
        s.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
        s.add_field("has_vec", DataType.BOOL)
        if self.dim is not None:
            s.add_field("dense", DataType.FLOAT_VECTOR, dim=self.dim)
        s.add_function(Function(name="bm25", function_type=FunctionType.BM25,
                                input_field_names=["text"], output_field_names=["sparse"]))
        ip = self.client.prepare_index_params()
        ip.add_index(field_name="sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25",
                     params={"bm25_k1": self.k1, "bm25_b": self.b})
        if self.dim is not None:
            ip.add_index(field_name="dense", index_type="FLAT", metric_type="IP")
        self.client.create_collection(self.name, schema=s, index_params=ip, consistency_level="Strong")

    def add(self, chunks: Sequence[IndexChunk], vectors: np.ndarray | None) -> None:
        """Upsert chunks (same id replaces); vectors are ignored when the collection has no dense field."""
        vecs = check_add(chunks, vectors, self.dim)
        rows = []
        for i, c in enumerate(chunks):
            text = encode_terms(zh.tokenize(c.text))
            if len(text) > MAX_TEXT:
                text = text[:MAX_TEXT].rsplit(" ", 1)[0]
            tags = stored_tags(c.tags, c.acl)
            if len(tags) > MAX_TAGS:
                raise InvalidInput(f"chunk {c.chunk_id}: {len(tags)} tags and ACL entries, at most {MAX_TAGS}")
            row: dict[str, Any] = {"id": c.chunk_id, "doc_id": c.doc_id, "tags": tags,
                                   "doc_date": date_int(c.doc_date), "text": text or "t0",
                                   "has_vec": vecs is not None}
            if self.dim is not None:
                row["dense"] = (vecs[i] if vecs is not None else np.zeros(self.dim, np.float32)).tolist()
            rows.append(row)
        for i in range(0, len(rows), BATCH):
            self.client.upsert(self.name, rows[i : i + BATCH])

    def set_acl(self, acl_by_doc: Mapping[str, Sequence[str]]) -> int:
        """Replace the ACL tags of these documents' chunks: read the rows back and upsert them (the
        BM25 sparse vector is recomputed by the collection's function from the same text)."""
        fields = ["id", "doc_id", "tags", "doc_date", "text", "has_vec"] + (["dense"] if self.dim is not None else [])
        changed = 0
        docs = list(acl_by_doc)
        for i in range(0, len(docs), 100):
            expr = filter_expr(SearchFilters(doc_ids=docs[i : i + 100]))
            rows = self.client.query(self.name, filter=expr, output_fields=fields)
            for r in rows:
                r["tags"] = stored_tags(list(r.get("tags") or []), acl_by_doc[r["doc_id"]])
                if "dense" in r:
                    r["dense"] = [float(x) for x in r["dense"]]
            for j in range(0, len(rows), BATCH):
                self.client.upsert(self.name, [dict(r) for r in rows[j : j + BATCH]])
            changed += len(rows)
        return changed

    def delete_documents(self, doc_ids: Sequence[str]) -> int:
        if not doc_ids:
            return 0
        expr = filter_expr(SearchFilters(doc_ids=list(doc_ids)))
        n = self._count(expr)
        if n:
            self.client.delete(self.name, filter=expr)
        return n

    def _count(self, expr: str = "") -> int:
        res = self.client.query(self.name, filter=expr, output_fields=["count(*)"])
        return int(res[0]["count(*)"]) if res else 0

    def count(self) -> int:
        return self._count()

    def doc_ids(self) -> set[str]:
        out: set[str] = set()
        it = self.client.query_iterator(self.name, batch_size=1000, filter="", output_fields=["doc_id"])
        try:
            while batch := it.next():
                out.update(r["doc_id"] for r in batch)
        finally:
            it.close()
        return out

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
        """Top ``k`` chunks; filters become a Milvus expression applied inside the search."""
        check_search(k, mode, query_vector)
        n_cand = min(max(k, candidates or get_settings().retrieval.candidates), 16384)
        expr = filter_expr(filters)
        terms = encode_terms(zh.tokenize(query))
        use_bm25 = mode in ("bm25", "hybrid") and bool(terms)
        use_dense = mode in ("dense", "hybrid") and query_vector is not None and self.dim is not None
        qv: list[float] | None = None
        if use_dense:
            q = np.asarray(query_vector, dtype=np.float32).ravel()
            if q.shape[0] != self.dim:
                raise InvalidInput(f"query vector has dimension {q.shape[0]}, the index holds {self.dim}")
            qv = q.tolist()
        dense_expr = " and ".join(p for p in ["(has_vec == true)", expr] if p)
        if self.native_hybrid and use_bm25 and use_dense:
            return self._native(terms, qv, k, n_cand, expr, dense_expr, fusion, weights)
        ranked: dict[str, list[tuple[str, float]]] = {}
        if use_bm25:
            res = self.client.search(self.name, data=[terms], anns_field="sparse", limit=n_cand,
                                     filter=expr, search_params={"metric_type": "BM25"})
            ranked["bm25"] = [(h["id"], abs(float(h["distance"]))) for h in res[0]]
        if use_dense:
            res = self.client.search(self.name, data=[qv], anns_field="dense", limit=n_cand,
                                     filter=dense_expr, search_params={"metric_type": "IP"})
            ranked["dense"] = [(h["id"], float(h["distance"])) for h in res[0]]
        return fuse(ranked, k, fusion, weights)

    def _native(self, terms: str, qv: list[float] | None, k: int, n_cand: int, expr: str, dense_expr: str,
                fusion: Fusion | None, weights: tuple[float, float] | None) -> list[Hit]:
        from pymilvus import AnnSearchRequest, RRFRanker, WeightedRanker

        s = get_settings().retrieval
        reqs = [AnnSearchRequest(data=[terms], anns_field="sparse", param={"metric_type": "BM25"},
                                 limit=n_cand, expr=expr or None),
                AnnSearchRequest(data=[qv], anns_field="dense", param={"metric_type": "IP"},
                                 limit=n_cand, expr=dense_expr)]
        wb, wd = weights if weights is not None else (s.bm25_weight, s.dense_weight)
        ranker = RRFRanker(s.rrf_k) if (fusion or s.fusion) == "rrf" else WeightedRanker(wb, wd)
        res = self.client.hybrid_search(self.name, reqs, ranker=ranker, limit=k)
        return [Hit(chunk_id=h["id"], score=float(h["distance"]), signals={"fused": float(h["distance"])})
                for h in res[0]]

    def close(self) -> None:
        """Release this index's share of the client (the last user closes the connection)."""
        if not self._closed:
            self._closed = True
            release(self.uri)
