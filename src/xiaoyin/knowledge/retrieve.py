"""Retrieval pipeline: query embedding -> index search (BM25/dense/hybrid) -> optional rerank."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from xiaoyin.core import zh
from xiaoyin.core.errors import InvalidInput
from xiaoyin.core.settings import get_settings
from xiaoyin.knowledge.index.base import MODES, SearchIndex
from xiaoyin.knowledge.types import Hit, SearchFilters
from xiaoyin.models.embed import Embedder
from xiaoyin.models.rerank import Reranker

log = logging.getLogger(__name__)


@dataclass
class RetrievalResult:
    """Hits best first, with how they were obtained."""

    hits: list[Hit]
    mode_used: str
    reranked: bool = False
    rerank_skipped_reason: str | None = None
    timings_ms: dict[str, float] = field(default_factory=dict)


def retrieve(
    index: SearchIndex,
    query: str,
    *,
    embedder: Embedder | None,
    reranker: Reranker | None,
    k: int,
    filters: SearchFilters | None = None,
    mode: str = "hybrid",
    texts: Callable[[list[str]], dict[str, str]] | None = None,
) -> RetrievalResult:
    """Search ``index`` for ``query`` and return the best ``k`` hits.

    Without an embedder, hybrid/dense fall back to BM25 (``mode_used`` says so). With a reranker and
    a ``texts`` callable (chunk ids -> texts), the top ``settings.rerank.candidates`` fused hits are
    rescored: ``Hit.score`` becomes the rerank score, the fused score stays in ``signals["fused"]``.
    A failing reranker does not fail the search: the fused order is kept and the reason reported.
    """
    if mode not in MODES:
        raise InvalidInput(f"unknown retrieval mode {mode!r} (bm25, dense or hybrid)")
    if k < 1:
        raise InvalidInput("k must be at least 1")
    timings: dict[str, float] = {}
    t_all = time.perf_counter()
    query = (query or "").strip()
    if not query:
        return RetrievalResult([], mode, rerank_skipped_reason="empty query", timings_ms={"total": 0.0})
    mode_used = mode if embedder is not None else "bm25"
    qv = None
    if mode_used in ("dense", "hybrid"):
        t = time.perf_counter()
        qv = embedder.embed_query(query)  # type: ignore[union-attr]
        timings["embed"] = (time.perf_counter() - t) * 1000
    n = max(k, get_settings().rerank.candidates) if (reranker is not None and texts is not None) else k
    t = time.perf_counter()
    hits = index.search(query, qv, k=n, mode=mode_used, filters=filters)  # type: ignore[arg-type]
    timings["search"] = (time.perf_counter() - t) * 1000
    reranked, reason = False, None
    if reranker is None:
        reason = "no reranker configured"
    elif texts is None:
        reason = "no chunk text source given for reranking"
    elif not hits:
        reason = "no candidates"
    else:
        t = time.perf_counter()
        try:
            reranked = _rerank(reranker, query, hits, texts)
            if not reranked:
                reason = "chunk texts not found"
        except Exception as e:  # keep fused order when the reranker fails
            log.warning("reranker %s failed: %s", getattr(reranker, "name", reranker), e)
            reason = f"reranker failed: {e}"
        timings["rerank"] = (time.perf_counter() - t) * 1000
    timings["total"] = (time.perf_counter() - t_all) * 1000
    return RetrievalResult(hits[:k], mode_used, reranked, reason, timings)


def _rerank(reranker: Reranker, query: str, hits: list[Hit], texts: Callable[[list[str]], dict[str, str]]) -> bool:
    found = texts([h.chunk_id for h in hits])
    with_text = [h for h in hits if h.chunk_id in found]
    if not with_text:
        return False
    scores = reranker.rerank(query, [found[h.chunk_id] for h in with_text])
    if len(scores) != len(with_text):
        raise ValueError(f"reranker returned {len(scores)} scores for {len(with_text)} passages")
    for pos, h in enumerate(hits, start=1):
        h.signals["pre_rerank_rank"] = float(pos)
    for h, s in zip(with_text, scores, strict=True):
        h.signals["rerank"] = float(s)
        h.score = float(s)
    floor = min(scores) - 1.0  # chunks without text go after the reranked ones, in fused order
    for h in hits:
        if h.chunk_id not in found:
            h.score = floor
    hits.sort(key=lambda h: (-h.score, h.signals["pre_rerank_rank"]))
    return True


_ELLIPTIC = re.compile(r"^(那么|那|它们|它|这个|这些|这|该|其|此|还有|另外|然后|如果是|要是|and |what about |how about )",
                       re.I)


def condense_query(question: str, history: Sequence[Any] | None) -> str:
    """Make a follow-up question self-contained without an LLM.

    When the question looks elliptical (short, or starts with 那/那么/它/这个 ...), the keywords of
    the previous user question are appended. ``history`` items may be ``{"question", "answer"}`` turns,
    ``{"role", "content"}`` dicts
    (oldest first), ``(question, answer)`` pairs, or plain strings (earlier questions).
    """
    q = (question or "").strip()
    prev = _last_question(history or [])
    if not q or not prev:
        return q
    norm = zh.normalize(q)
    content = re.sub(r"[\s\W_]+", "", norm)
    if not (_ELLIPTIC.match(norm) or len(content) <= 6):
        return q
    extra = [w for w in zh.keywords(prev) if w not in norm]
    return f"{q} {' '.join(extra)}" if extra else q


def _last_question(history: Sequence[Any]) -> str | None:
    for item in reversed(list(history)):
        if isinstance(item, dict):
            if item.get("question"):  # the API / evaluation turn format {question, answer}
                return str(item["question"])
            if item.get("role", "user") == "user" and item.get("content"):
                return str(item["content"])
        elif isinstance(item, (tuple, list)) and item:
            return str(item[0])
        elif isinstance(item, str) and item.strip():
            return item
    return None


_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_NAME_SPLIT = re.compile(r"[_\-\s(（\[【.]+")
_SQUEEZE = re.compile(r"[\s\W_]+", re.UNICODE)


def _primary_name(name: str) -> str:
    """The distinctive head of a file name: ``3M`` of ``3M_2018_10K.pdf``, ``商业银行法`` of
    ``商业银行法(2015-08-29).md``."""
    stem = name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    head = _NAME_SPLIT.split(stem.strip(), maxsplit=1)[0]
    return _SQUEEZE.sub("", zh.normalize(head))


def route_documents(query: str, documents: dict[str, str], max_docs: int = 5) -> list[str] | None:
    """The documents a question names, if it names any: restrict the search to them.

    A document is named when the head of its file name (the company of ``AMAZON_2019_10K.pdf``,
    the law of ``商业银行法(2015-08-29).md``) appears in the question, spaces and punctuation
    ignored; years in the question (``FY2019``) then pick among that document's editions. Returns
    None (search everything) when no document, or more than ``max_docs``, are named.
    """
    q = _SQUEEZE.sub("", zh.normalize(query or ""))
    if not q:
        return None
    named = {doc_id: name for doc_id, name in documents.items()
             if len(head := _primary_name(name)) >= 2 and head in q}
    if not named:
        return None
    # a head inside a longer named head is not meant on its own (个人信息保护法 vs 保护法)
    heads = {doc_id: _primary_name(name) for doc_id, name in named.items()}
    named = {d: n for d, n in named.items() if not any(heads[d] != h and heads[d] in h for h in heads.values())}
    years = set(_YEAR.findall(zh.normalize(query)))
    if years:
        scored = {d: len(years & set(_YEAR.findall(n))) for d, n in named.items()}
        best = max(scored.values())
        if best:
            named = {d: n for d, n in named.items() if scored[d] == best}
    if not named or len(named) > max_docs:
        return None
    return sorted(named)
