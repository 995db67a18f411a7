"""Evaluation: run a question set against a knowledge base (retrieval, answers, refusals)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import select

from xiaoyin.core.audit import service as audit
from xiaoyin.core.auth.principal import Permission, Principal, require
from xiaoyin.core.db import session_scope
from xiaoyin.core.errors import XiaoyinError
from xiaoyin.core.jsonutil import to_jsonable
from xiaoyin.core.settings import get_settings
from xiaoyin.knowledge.service._base import _get_kb, _visible
from xiaoyin.knowledge.service.answers import _compose, standalone_query
from xiaoyin.knowledge.service.searching import SearchResult, search
from xiaoyin.knowledge.store import Document
from xiaoyin.models.embed import get_embedder
from xiaoyin.models.llm import get_llm

log = logging.getLogger(__name__)


class TypeScores(BaseModel):
    questions: int
    recall_at_k: float | None
    accuracy: float | None


class Latency(BaseModel):
    p50: float | None
    p95: float | None


class QuestionScore(BaseModel):
    """How one question went: retrieval rank of its gold document, page/article hits, the answer."""

    id: str
    answerable: bool
    hit_rank: int | None
    page_hit: bool | None
    article_hit: bool | None
    correct: bool
    refused: bool
    support: float
    top_doc: str | None
    top_page: int | None
    answer: str = Field(description="the answer's first 200 characters")


class RefusalRates(BaseModel):
    threshold: float
    refusal_rate_answerable: float
    refusal_rate_unanswerable: float | None


class RefusalCalibration(RefusalRates):
    """The refusal threshold these questions suggest, with rates at evenly spread candidates."""

    max_answerable_refusal: float
    answerable: int
    unanswerable: int
    table: list[RefusalRates]


class EvalSettings(BaseModel):
    kb: str
    mode: str
    filter_by_doc: bool
    rerank: bool
    llm: str
    embedder: str


class EvalReport(BaseModel):
    """An evaluation run's report (what :func:`evaluate` returns, typed): retrieval recall@k and MRR
    over answerable questions with evidence, page/article recall where gold pages/articles are given
    (None when none are), answer accuracy, refusal rates, latency and each question's outcome."""

    k: int
    questions: int
    by_type: dict[str, TypeScores] | None = Field(description="per question type, when questions name one")
    recall_at_k: float | None
    mrr: float | None
    page_recall_at_k: float | None
    article_recall_at_k: float | None
    article_hit_at_1: float | None
    answer_accuracy: float | None
    refusal_rate_answerable: float | None
    refusal_rate_unanswerable: float | None
    latency_ms: Latency
    per_question: list[QuestionScore]
    refusal_calibration: RefusalCalibration | None
    refusal_threshold: float
    settings: EvalSettings

    @classmethod
    def of(cls, report: dict[str, Any]) -> EvalReport:
        """The typed form of a report :func:`evaluate` returned."""
        return cls.model_validate(to_jsonable(report))


def evaluate(
    kb: str,
    questions_path: Path,
    *,
    k: int = 5,
    out: Path | None = None,
    mode: str = "hybrid",
    filter_by_doc: bool = False,
    use_llm: bool = True,
    rerank: bool = True,
    progress: Callable[[int, int], None] | None = None,
    principal: Principal | None = None,
) -> dict[str, Any]:
    """Run an evaluation set against ``kb``: retrieval recall/MRR, page recall, answer accuracy, refusals.

    ``filter_by_doc`` restricts each question to its gold (or ``doc_filter``) document, the
    "filing known" setting of FinanceBench. ``principal``: who runs it (needs ``kb.manage``); retrieval
    sees only their documents, so the report (which quotes retrieved text) holds nothing they may not
    see; the run is audited.
    """
    require(principal, Permission.KB_MANAGE)
    import json

    from xiaoyin.knowledge import evaluate as ev

    questions = ev.load_questions(questions_path)
    with session_scope() as s:
        kb_id = _get_kb(s, kb).id
        by_filename: dict[str, list[str]] = {}
        for d in s.scalars(select(Document).where(Document.kb_id == kb_id, Document.status == "indexed")):
            if not _visible(principal, d):
                continue
            by_filename.setdefault(d.filename, []).append(d.id)
    llm = get_llm() if use_llm else None
    outcomes = []
    supports: list[tuple[float, bool]] = []
    for i, q in enumerate(questions):
        t0 = time.perf_counter()
        docs = None
        if filter_by_doc:
            wanted = getattr(q, "doc_filter", None) or (q.evidence[0].doc if q.evidence else None)
            if wanted and wanted in by_filename:
                docs = by_filename[wanted]
        history = [h.model_dump() if hasattr(h, "model_dump") else dict(h) for h in (q.history or [])]
        query, how = standalone_query(q.question, history, llm)
        try:
            res = search(kb, query, k=k, docs=docs, mode=mode, rerank=rerank, principal=principal)
            res.query_rewrite = how
        except XiaoyinError as e:
            log.warning("question %s: %s", q.id, e.message)
            res = SearchResult([], mode, False, str(e), {})
        result = _compose(query, res, llm, history)
        retrieved = [{"doc": h.filename, "page": h.page_start, "page_end": h.page_end, "section": h.section,
                      "text": h.text, "chunk_id": h.chunk_id, "score": h.score} for h in res.hits]
        outcomes.append(ev.QuestionOutcome(id=q.id, answerable=q.answerable, retrieved=retrieved,
                                           answer=result.answer, refused=result.refused,
                                           support=float(result.support),
                                           latency_ms=(time.perf_counter() - t0) * 1000))
        supports.append((float(result.support), q.answerable))
        if progress:
            progress(i + 1, len(questions))
    report = ev.score(questions, outcomes, k)
    report["refusal_calibration"] = ev.calibrate_refusal(supports) if supports else None
    report["refusal_threshold"] = get_settings().answer.refusal_threshold
    report["settings"] = {"kb": kb, "mode": mode, "filter_by_doc": filter_by_doc, "rerank": rerank,
                          "llm": llm.model_id if llm else "none",
                          "embedder": (get_embedder().name if get_embedder() and mode != "bm25" else "none")}
    if principal is not None:
        audit.record(principal, "kb.evaluate", target=kb, details={
            "questions": len(questions), "file": Path(questions_path).name, "mode": mode, "k": k})
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(to_jsonable(report), ensure_ascii=False, indent=2), encoding="utf-8")
    return report
