"""Search: hybrid retrieval over a knowledge base, routed, article-pinned, year re-scored, one chunk a page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xiaoyin.core.auth.principal import Permission, Principal, require
from xiaoyin.core.db import session_scope
from xiaoyin.core.errors import InvalidInput
from xiaoyin.core.settings import get_settings
from xiaoyin.knowledge import articles
from xiaoyin.knowledge import query as query_mod
from xiaoyin.knowledge.index.base import ACL_PREFIX
from xiaoyin.knowledge.retrieve import retrieve, route_documents
from xiaoyin.knowledge.service._base import _find_doc, _get_kb, _index_lock, _open, _reader_acl, _visible
from xiaoyin.knowledge.store import ChunkRow, Document
from xiaoyin.knowledge.types import SearchFilters
from xiaoyin.models.embed import get_embedder
from xiaoyin.models.llm import get_llm
from xiaoyin.models.rerank import get_reranker


@dataclass
class SearchHit:
    rank: int
    chunk_id: str
    score: float
    doc_id: str
    doc_name: str
    filename: str
    page_start: int | None
    page_end: int | None
    section: str
    text: str
    chunk_hash: str
    signals: dict[str, float]


@dataclass
class SearchResult:
    hits: list[SearchHit]
    mode: str
    reranked: bool
    rerank_skipped_reason: str | None
    timings_ms: dict[str, float]
    routed_to: list[str] | None = None  # documents the question named, to which the search was restricted
    article: articles.ArticleLookup | None = None  # an article named by number, looked up exactly
    doc_names: dict[str, str] = field(default_factory=dict)  # doc id -> name, of the documents looked in
    query_rewrite: str | None = None  # how a follow-up was made stand-alone: "llm", "rules" or None

    @property
    def pinned(self) -> int:
        """How many leading hits are the article(s) asked for."""
        return sum(1 for h in self.hits if h.signals.get("article_lookup"))


def _filters(s: Session, kb_id: int, docs: Sequence[str] | None, tags: Sequence[str] | None,
             date_from: date | None, date_to: date | None, principal: Principal | None) -> SearchFilters | None:
    doc_ids = None
    if docs:
        doc_ids = [_find_doc(s, kb_id, ref, principal).id for ref in docs]
    if tags and any(t.startswith(ACL_PREFIX) for t in tags):
        raise InvalidInput(f"标签不能以 {ACL_PREFIX} 开头 / tags may not start with {ACL_PREFIX!r}")
    f = SearchFilters(doc_ids=doc_ids, tags=list(tags) if tags else None, date_from=date_from, date_to=date_to,
                      acl=_reader_acl(principal))
    return None if f.is_empty() else f


def search(
    kb: str,
    query: str,
    *,
    k: int | None = None,
    docs: Sequence[str] | None = None,
    tags: Sequence[str] | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    mode: str = "hybrid",
    rerank: bool = True,
    principal: Principal | None = None,
) -> SearchResult:
    """Hybrid search over ``kb``: BM25 + dense vectors, fused, optionally reranked, filtered.

    ``principal``: the reader; only chunks of documents they may see are searched (inside the index,
    before ranking), routed to, looked up by article or returned. None: the platform itself."""
    require(principal, Permission.KB_READ)
    if not query or not query.strip():
        raise InvalidInput("问题不能为空 / the query is empty")
    st = get_settings()
    k = k or st.retrieval.top_k
    routed: list[str] | None = None
    with session_scope() as s:
        kb_id = _get_kb(s, kb).id
        flt = _filters(s, kb_id, docs, tags, date_from, date_to, principal)
        if not docs and st.retrieval.route_by_name:
            listed = [r for r in s.execute(select(Document.id, Document.name, Document.title, Document.acl).where(
                Document.kb_id == kb_id, Document.status == "indexed")).all()
                if principal is None or principal.can_see(r[3])]
            names = {r[0]: r[1] for r in listed}
            routed = route_documents(query, names, titles={r[0]: r[2] for r in listed})
            if routed:
                flt = flt or SearchFilters()
                flt.doc_ids = routed
        lookup = _article_lookup(s, query, flt.doc_ids if flt else None) if st.retrieval.article_lookup else None
        lookup_names: dict[str, str] = dict(s.execute(select(Document.id, Document.name).where(
            Document.id.in_(lookup.doc_ids))).all()) if lookup is not None else {}
    idx = _open(kb)
    embedder = get_embedder() if mode != "bm25" else None
    reranker = get_reranker(get_llm()) if rerank else None

    def texts(ids: list[str]) -> dict[str, str]:
        with session_scope() as s2:
            return {r.id: r.text for r in s2.scalars(select(ChunkRow).where(ChunkRow.id.in_(ids)))}

    qvec_embedder = embedder
    asked_years = query_mod.years(query) if st.retrieval.year_boost or st.retrieval.year_penalty else []
    with _index_lock:  # an ingest thread in this process swaps index state under the same lock
        fetch = max(k * 4, 20) if st.retrieval.one_chunk_per_page else k  # room to drop same-page duplicates
        if asked_years:
            fetch = max(fetch, st.retrieval.year_candidates)
        res = retrieve(idx, query, embedder=qvec_embedder, reranker=reranker, k=fetch, filters=flt, mode=mode,
                       texts=texts)
    if embedder is not None:
        lo, hi = getattr(embedder, "similarity_range", (0.0, 1.0))
        for h in res.hits:
            if "dense" in h.signals and hi > lo:
                h.signals["dense_norm"] = min(1.0, max(0.0, (float(h.signals["dense"]) - lo) / (hi - lo)))
    ids = [h.chunk_id for h in res.hits]
    with session_scope() as s:
        rows = {r.id: r for r in s.scalars(select(ChunkRow).where(ChunkRow.id.in_(ids)))}
        docs_by_id = {d.id: d for d in s.scalars(select(Document).where(Document.id.in_(
            {r.doc_id for r in rows.values()})))}
        if asked_years:
            _rescore_by_year(res.hits, asked_years, rows, docs_by_id)
        hits: list[SearchHit] = []
        pages_seen: set[tuple[str, int]] = set()
        if lookup is not None and lookup.chunk_ids:
            top = max((h.score for h in res.hits), default=0.0) + 1.0
            pinned = [r for r in s.scalars(select(ChunkRow).where(ChunkRow.id.in_(lookup.chunk_ids)))]
            pinned.sort(key=lambda r: lookup.chunk_ids.index(r.id))
            pinned_docs = {d.id: d for d in s.scalars(select(Document).where(Document.id.in_(
                {r.doc_id for r in pinned})))}
            for r in pinned:
                d = pinned_docs[r.doc_id]
                if not _visible(principal, d):  # defence in depth: lookups only read routed, visible documents
                    continue
                hits.append(SearchHit(len(hits) + 1, r.id, top, d.id, d.name, d.filename, r.page_start,
                                      r.page_end, " > ".join(r.section_path or []), r.text, r.chunk_hash,
                                      {"article_lookup": 1.0}))
            k = max(k, len(hits))
        pinned_ids = {h.chunk_id for h in hits}
        for h in res.hits:
            if h.chunk_id in pinned_ids:
                continue
            r = rows.get(h.chunk_id)
            if r is None:  # stale index entry (repaired on next ingest)
                continue
            if len(hits) >= k:
                break
            if st.retrieval.one_chunk_per_page and r.page_start is not None and r.kind != "article":
                # the page is already cited: make room for another (articles are units of their own)
                if (r.doc_id, r.page_start) in pages_seen:
                    continue
                pages_seen.add((r.doc_id, r.page_start))
            d = docs_by_id.get(r.doc_id)
            if d is None:  # deleted between the two reads
                continue
            if not _visible(principal, d):  # the index filtered already; a changed ACL not yet synced is caught here
                continue
            hits.append(SearchHit(len(hits) + 1, r.id, float(h.score), d.id, d.name, d.filename, r.page_start,
                                  r.page_end, " > ".join(r.section_path or []), r.text, r.chunk_hash,
                                  dict(h.signals)))
    return SearchResult(hits, res.mode_used, res.reranked, res.rerank_skipped_reason, dict(res.timings_ms),
                        routed_to=[names[d] for d in routed] if routed else None, article=lookup,
                        doc_names=lookup_names)


def _rescore_by_year(hits: list[Any], asked: list[int], rows: dict[str, ChunkRow],
                     docs_by_id: dict[str, Document]) -> None:
    """Prefer chunks of the year(s) a question names (see :func:`query.year_factor`); re-sorts ``hits``."""
    st = get_settings().retrieval
    doc_years: dict[str, set[int]] = {}
    for d in docs_by_id.values():
        ys = set(query_mod.years(f"{d.title or ''} {d.filename or ''}"))
        if d.doc_date is not None:
            ys.add(d.doc_date.year)
        if isinstance((d.meta or {}).get("year"), int):
            ys.add(int(d.meta["year"]))
        doc_years[d.id] = ys
    for h in hits:
        r = rows.get(h.chunk_id)
        if r is None:
            continue
        f = query_mod.year_factor(asked, doc_years.get(r.doc_id, set()), set(query_mod.years(r.text)),
                                  boost=st.year_boost, penalty=st.year_penalty)
        h.signals["year_factor"] = f
        h.score = float(h.score) * f
    hits.sort(key=lambda h: -h.score)


def _article_lookup(s: Session, query: str, doc_ids: Sequence[str] | None) -> articles.ArticleLookup | None:
    """The articles ``query`` names by number, read from the article chunks of the documents it names."""
    refs = articles.parse_refs(query)
    if not refs or not doc_ids:
        return None
    rows = s.execute(select(ChunkRow.id, ChunkRow.doc_id, ChunkRow.ordinal, ChunkRow.meta).where(
        ChunkRow.doc_id.in_(list(doc_ids)), ChunkRow.kind == "article")).all()
    return articles.lookup(refs, list(doc_ids), ((r[0], r[1], r[2], (r[3] or {}).get("article")) for r in rows))
