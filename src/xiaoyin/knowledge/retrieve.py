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
from xiaoyin.knowledge import query as query_mod
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


def condense_query(question: str, history: Sequence[Any] | None) -> str:
    """Make a follow-up question self-contained without an LLM (see :func:`xiaoyin.knowledge.query.condense`)."""
    return query_mod.condense(question, history)


_NAME_SPLIT = re.compile(r"[_\-\s(（\[【.]+")
_SQUEEZE = re.compile(r"[\s\W_]+", re.UNICODE)


def _primary_name(name: str) -> str:
    """The distinctive head of a file name: ``3M`` of ``3M_2018_10K.pdf``, ``商业银行法`` of
    ``商业银行法(2015-08-29).md``."""
    stem = name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    head = _NAME_SPLIT.split(stem.strip(), maxsplit=1)[0]
    return _SQUEEZE.sub("", zh.normalize(head))


_STATE = "中华人民共和国"
_LEGAL_TITLE = re.compile(r"(法|法典|[^\W\d_]编|条例|规定|办法|细则|解释|决定|准则|规则|指引|章程|制度|规程|守则)$")


def _legal_title(title: str | None) -> str | None:
    """A document title that names a statute (``中华人民共和国电子签名法`` -> ``电子签名法``), else None."""
    t = _SQUEEZE.sub("", zh.normalize(title or "")).replace(_STATE, "")
    return t if len(t) >= 4 and _LEGAL_TITLE.search(t) else None


_LATIN_NAME = re.compile(r"[a-z0-9&.'’]+")


_CJK_CHAR = re.compile(r"[\u3400-\u9fff]")


def _names_an_entity(head: str, english: bool) -> bool:
    """A name that identifies one document: a statute or regulation (…法, …条例, …办法), or in an
    English question a Latin name (the company of ``AMAZON_2019_10K.pdf``). A topic phrase such as
    ``ATM手续费标准`` or the ``atm`` of ``atm_fee_2021.pdf`` is not: several pages (one per year) may
    carry it, so it must not restrict the search to one of them."""
    return bool(_LEGAL_TITLE.search(head) or (english and _LATIN_NAME.fullmatch(head)))


def route_documents(query: str, documents: dict[str, str], max_docs: int = 5,
                    titles: dict[str, str | None] | None = None) -> list[str] | None:
    """The documents a question names, if it names any: restrict the search to them.

    A document is named when the head of its file name (the company of ``AMAZON_2019_10K.pdf``,
    the law of ``商业银行法(2015-08-29).md``; only names of statutes, regulations or Latin names count,
    not topic phrases), or its title when that is the name of a statute
    (``最高人民法院关于适用《中华人民共和国民法典》有关担保制度的解释``), appears in the question; spaces,
    punctuation and ``中华人民共和国`` ignored. Years in the question (``FY2019``) then pick among that
    document's editions. Returns None (search everything) when no document, or more than ``max_docs``,
    are named.
    """
    q = _SQUEEZE.sub("", zh.normalize(query or "")).replace(_STATE, "")
    if not q:
        return None
    english = len(_CJK_CHAR.findall(q)) < 4
    heads: dict[str, str] = {}
    for doc_id, name in documents.items():
        stem = re.sub(r"[(（]\d{4}-\d{2}-\d{2}[)）]$", "", name.rsplit("/", 1)[-1].rsplit(".", 1)[0])
        candidates = [_primary_name(name).replace(_STATE, ""),  # 民法典 of 民法典-物权编.md
                      _SQUEEZE.sub("", zh.normalize(stem)).replace(_STATE, "")]  # 民法典物权编
        if (legal := _legal_title((titles or {}).get(doc_id))) is not None:
            candidates.append(legal)
        matched = [c for c in candidates if len(c) >= 2 and c in q and _names_an_entity(c, english)]
        if matched:
            heads[doc_id] = max(matched, key=len)
    if not heads:
        return None
    # a head inside a longer named head is not meant on its own (个人信息保护法 vs 保护法; 民法典 inside
    # 最高人民法院关于适用民法典有关担保制度的解释)
    named = {d: documents[d] for d, h in heads.items() if not any(h != o and h in o for o in heads.values())}
    years = set(query_mod.years(query))
    if years:
        scored = {d: len(years & set(query_mod.years(n))) for d, n in named.items()}
        best = max(scored.values())
        if best:
            named = {d: n for d, n in named.items() if scored[d] == best}
    if not named or len(named) > max_docs:
        return None
    return sorted(named)
