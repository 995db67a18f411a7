"""Answers: stand-alone queries, grounded answers with citations (whole or streamed), stored answers.

The streamed form of an answer is a sequence of typed events (:data:`AskEvent`, discriminated by
``event``): ``meta`` (retrieval done, what the answer will draw on), ``delta``… (answer text as it is
written), ``citations``, ``done`` (the authoritative answer and its stored id); the REST face sends
each as one Server-Sent Event named by ``event`` with the event as its JSON data, and reports an error
after the stream started as an ``error`` event.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, TypeAdapter
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from xiaoyin.core.audit import service as audit
from xiaoyin.core.auth.principal import Permission, Principal, acting_user
from xiaoyin.core.db import session_scope
from xiaoyin.core.errors import NotFound, XiaoyinError
from xiaoyin.core.jsonutil import to_jsonable
from xiaoyin.core.settings import get_settings
from xiaoyin.knowledge import answer as answer_mod
from xiaoyin.knowledge import articles
from xiaoyin.knowledge import query as query_mod
from xiaoyin.knowledge.service._base import _get_kb, _visible
from xiaoyin.knowledge.service.searching import SearchHit, SearchResult, search
from xiaoyin.knowledge.store import AnswerRecord, ChunkRow, CitedText, Document, KnowledgeBase
from xiaoyin.models.llm import get_llm

Citation = answer_mod.Citation  # ``[n]`` in an answer -> a chunk, its location and the verbatim quote


@dataclass
class AskResult:
    id: str | None
    question: str
    answer: str
    refused: bool
    support: float
    citations: list[Citation]
    model: str
    prompt_version: str
    meta: dict[str, Any]


class StoredCitation(BaseModel):
    """A stored answer's citation with the exact text it cited (archived by hash, so it survives re-ingests).

    A citation of a document the reader may no longer see keeps its location but not its text or quote
    (``withheld``; the key is present only then)."""

    n: int
    chunk_id: str
    chunk_hash: str
    doc_id: str
    doc_name: str
    page: int | None
    section: str
    quote: str | None
    text: str | None = Field(description="the cited chunk's text as it was when the answer was given")
    still_in_kb: bool | None = Field(description="whether the knowledge base still holds that exact text")
    withheld: bool = Field(False, exclude_if=lambda v: not v,
                           description="true: the reader may no longer see the document (text and quote left out)")


class StoredAnswer(BaseModel):
    """An answer as stored: the question, the answer, its citations resolved to the text they quote."""

    id: str
    kb: str | None
    question: str
    history: list[dict[str, Any]]
    answer: str
    refused: bool
    support: float
    citations: list[StoredCitation]
    model: str
    prompt_version: str
    meta: dict[str, Any]
    user: str | None
    created_at: datetime


# ------------------------------------------------------------------------------ streamed events


class EvidenceRef(BaseModel):
    """A retrieved chunk the answer may cite, numbered as the answer will cite it."""

    n: int
    chunk_id: str
    doc_id: str
    doc_name: str
    page: int | None
    section: str
    score: float


class MetaEvent(BaseModel):
    """First event: retrieval is done; how well the evidence supports an answer and who writes it."""

    event: Literal["meta"] = "meta"
    support: float
    refusal_threshold: float | None
    model: str = Field(description='the LLM that writes the answer, or "extractive"')
    prompt_version: str
    retrieval: dict[str, Any] = Field(description="how the question was searched (query, mode, hits, timings...)")
    evidence: list[EvidenceRef]


class DeltaEvent(BaseModel):
    """A piece of answer text, in order (``done.answer`` is authoritative and may replace them)."""

    event: Literal["delta"] = "delta"
    text: str


class CitationsEvent(BaseModel):
    """The answer's citations, once the answer is checked."""

    event: Literal["citations"] = "citations"
    citations: list[Citation]


class DoneEvent(BaseModel):
    """Last event: the authoritative answer (replaces the streamed text) and its stored id."""

    event: Literal["done"] = "done"
    answer: str
    refused: bool
    model: str
    support: float
    prompt_version: str
    meta: dict[str, Any]
    id: str | None = Field(None, description="the stored answer (GET /api/answers/{id})")


class ErrorEvent(BaseModel):
    """An error after the stream started (the HTTP status was already sent): the error body, as a
    JSON error response's ``error`` object. Its data carries no ``event`` key."""

    event: Literal["error"] = Field("error", exclude=True)
    code: str
    message: str
    details: Any = Field(None, exclude_if=lambda v: not v)

    @classmethod
    def of(cls, exc: XiaoyinError) -> ErrorEvent:
        return cls(**exc.to_dict())


AskEvent = Annotated[MetaEvent | DeltaEvent | CitationsEvent | DoneEvent | ErrorEvent, Field(discriminator="event")]
"""One event of a streamed answer; ``event`` names its kind (and the Server-Sent Event)."""

_ASK_EVENT: TypeAdapter[AskEvent] = TypeAdapter(AskEvent)


def ask_event(data: dict[str, Any]) -> AskEvent:
    """Validate one event (a dict with its ``event`` key; for ``error`` events add it) into its model."""
    return _ASK_EVENT.validate_python(data)


def _evidence(hits: list[SearchHit]) -> list[answer_mod.Evidence]:
    return [
        answer_mod.Evidence(chunk_id=h.chunk_id, chunk_hash=h.chunk_hash, text=h.text, doc_id=h.doc_id,
                            doc_name=h.filename, page_start=h.page_start, page_end=h.page_end,
                            section=h.section, score=h.score, signals=h.signals)
        for h in hits
    ]


def _retrieval_meta(res: SearchResult, query: str) -> dict[str, Any]:
    return {"query": query, "mode": res.mode, "reranked": res.reranked,
            "rerank_skipped_reason": res.rerank_skipped_reason, "timings_ms": res.timings_ms,
            "routed_to": res.routed_to, "query_rewrite": res.query_rewrite,
            "article_lookup": ({"found": res.article.found, "missing": res.article.missing}
                               if res.article is not None else None),
            "hits": [{"rank": h.rank, "doc": h.filename, "page": h.page_start, "section": h.section,
                      "score": round(h.score, 6)} for h in res.hits]}


def _store_answer(kb: str, question: str, history: list[dict] | None, result: answer_mod.AnswerResult,
                  user: str | None, principal: Principal | None = None) -> str:
    """Store the answer with its citations (cited text archived by hash) and, for a person, its audit
    entry — one transaction."""
    with session_scope() as s:
        kb_id = _get_kb(s, kb).id
        cits = []
        for c in result.citations:
            cd = asdict(c)
            cits.append(cd)
            if s.get(CitedText, c.chunk_hash) is None:
                row = s.scalar(select(ChunkRow).where(ChunkRow.id == c.chunk_id))
                if row is not None:
                    try:
                        with s.begin_nested():  # another answer may archive the same text concurrently
                            s.add(CitedText(chunk_hash=c.chunk_hash, text=row.text, doc_name=c.doc_name,
                                            section=c.section or "", page_start=row.page_start,
                                            page_end=row.page_end))
                    except IntegrityError:
                        pass
        rec = AnswerRecord(id=str(uuid.uuid4()), kb_id=kb_id, question=question, history=list(history or []),
                           answer=result.answer, refused=result.refused, support=float(result.support),
                           citations=cits, model=result.model, prompt_version=result.prompt_version,
                           meta=to_jsonable(result.meta), user=user)
        s.add(rec)
        if principal is not None:
            audit.record(principal, "kb.ask", target=kb, session=s, details={
                "answer_id": rec.id, "question": question[:2000], "refused": result.refused,
                "cited_chunks": [c.chunk_hash for c in result.citations], "model": result.model,
                "prompt_version": result.prompt_version})
        return rec.id


def standalone_query(question: str, history: Sequence[Any] | None, llm: Any = None) -> tuple[str, str | None]:
    """The query to search for a (possibly elliptical) question, and how it was made (llm, rules or None).

    With an LLM configured (and ``retrieval.condense_with_llm``), a follow-up is rewritten by the LLM and
    the rewrite checked; otherwise, or if the rewrite fails its checks, earlier turns' entities are
    carried in by rule.
    """
    if history and llm is not None and get_settings().retrieval.condense_with_llm:
        rewritten = query_mod.condense_with_llm(question, history, llm)
        if rewritten:
            return rewritten, "llm"
    query = query_mod.condense(question, history or [])
    return query, ("rules" if query != question.strip() else None)


def _retrieve_for(kb: str, question: str, history: list[dict] | None, k: int | None, docs: Sequence[str] | None,
                  tags: Sequence[str] | None, date_from: date | None, date_to: date | None, llm: Any = None,
                  principal: Principal | None = None) -> tuple[str, SearchResult]:
    """The stand-alone query for a (possibly elliptical) question and what retrieval finds for it."""
    query, how = standalone_query(question, history, llm)
    res = search(kb, query, k=k, docs=docs, tags=tags, date_from=date_from, date_to=date_to, principal=principal)
    res.query_rewrite = how
    return query, res


def _article_refusal(query: str, res: SearchResult) -> answer_mod.AnswerResult | None:
    """A clear refusal when the law the question names has no article of that number."""
    if res.article is None or not res.article.all_missing:
        return None
    text = articles.missing_message(res.article, {d: articles.law_title(n) for d, n in res.doc_names.items()})
    return answer_mod.refuse(query, text, "article_not_found", retrieval_meta=_retrieval_meta(res, query))


def _compose(query: str, res: SearchResult, llm: Any, history: list[dict] | None) -> answer_mod.AnswerResult:
    """The answer for a search result: the article refusal, or the composed (pinned-first) answer."""
    refusal = _article_refusal(query, res)
    if refusal is not None:
        return refusal
    return answer_mod.compose_answer(query, _evidence(res.hits), llm=llm, history=history,
                                     retrieval_meta=_retrieval_meta(res, query), pinned=res.pinned)


def ask(
    kb: str,
    question: str,
    *,
    history: list[dict] | None = None,
    k: int | None = None,
    docs: Sequence[str] | None = None,
    tags: Sequence[str] | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    user: str | None = None,
    store: bool = True,
    use_llm: bool = True,
    principal: Principal | None = None,
) -> AskResult:
    """Answer ``question`` from ``kb`` with numbered citations, or refuse when evidence is insufficient.

    ``principal``: who asks; the answer draws only on documents they may see, is stored under their
    name and audited. None: the platform itself (benchmarks), stored under ``user``, not audited."""
    user = acting_user(principal, Permission.KB_READ, user)
    llm = get_llm() if use_llm else None
    query, res = _retrieve_for(kb, question, history, k, docs, tags, date_from, date_to, llm, principal)
    result = _compose(query, res, llm, history)
    answer_id = _store_answer(kb, question, history, result, user, principal) if store else None
    return AskResult(answer_id, question, result.answer, result.refused, float(result.support),
                     list(result.citations), result.model, result.prompt_version, to_jsonable(result.meta))


def ask_stream(
    kb: str,
    question: str,
    *,
    history: list[dict] | None = None,
    k: int | None = None,
    docs: Sequence[str] | None = None,
    tags: Sequence[str] | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    user: str | None = None,
    principal: Principal | None = None,
) -> Iterator[AskEvent]:
    """Like :func:`ask`, as typed events (:data:`AskEvent`): meta, delta…, citations, done (with the
    stored answer id).

    Retrieval runs before the first event, so a bad request raises here rather than mid-stream; an
    error while iterating raises too (the REST face turns it into an :class:`ErrorEvent`).
    """
    user = acting_user(principal, Permission.KB_READ, user)
    llm = get_llm()
    query, res = _retrieve_for(kb, question, history, k, docs, tags, date_from, date_to, llm, principal)
    refusal = _article_refusal(query, res)
    stream = (answer_mod.result_events(refusal) if refusal is not None else
              answer_mod.stream_answer(query, _evidence(res.hits), llm=llm, history=history,
                                       retrieval_meta=_retrieval_meta(res, query), pinned=res.pinned))

    def events() -> Iterator[AskEvent]:
        citations: list[dict[str, Any]] = []
        for ev in stream:
            if ev.get("event") == "citations":
                citations = list(ev.get("citations") or [])
            if ev.get("event") == "done":
                result = answer_mod.AnswerResult(
                    answer=ev["answer"], refused=bool(ev["refused"]),
                    citations=[answer_mod.Citation(**c) for c in citations], model=ev["model"],
                    prompt_version=ev["prompt_version"], support=float(ev["support"]),
                    meta=dict(ev.get("meta") or {}))
                ev = {**ev, "id": _store_answer(kb, question, history, result, user, principal)}
            yield ask_event(to_jsonable(ev))

    return events()


def get_answer(answer_id: str, principal: Principal | None = None) -> StoredAnswer:
    """A stored answer with its citations resolved to the exact text cited (even after re-ingest).

    A reader sees their own answers (administrators: all); a citation of a document they may no longer
    see comes back without its text (``withheld``)."""
    with session_scope() as s:
        rec = s.get(AnswerRecord, answer_id)
        if rec is None or (principal is not None and not principal.sees_all_documents
                           and rec.user != principal.username):
            raise NotFound(f"回答不存在 / answer not found: {answer_id}")
        kb = s.get(KnowledgeBase, rec.kb_id)
        cits: list[dict[str, Any]] = []
        for c in rec.citations or []:
            doc = s.get(Document, c.get("doc_id")) if c.get("doc_id") else None
            if doc is not None and not _visible(principal, doc):
                cits.append({**c, "text": None, "quote": None, "still_in_kb": None, "withheld": True})
                continue
            archived = s.get(CitedText, c.get("chunk_hash"))
            live = s.scalar(select(ChunkRow).where(ChunkRow.chunk_hash == c.get("chunk_hash"),
                                                   ChunkRow.kb_id == rec.kb_id).limit(1))
            cits.append({**c, "text": archived.text if archived else None,
                         "still_in_kb": live is not None})
        return StoredAnswer(id=rec.id, kb=kb.name if kb else None, question=rec.question,
                            history=list(rec.history or []), answer=rec.answer, refused=rec.refused,
                            support=rec.support, citations=[StoredCitation(**c) for c in cits], model=rec.model,
                            prompt_version=rec.prompt_version, meta=dict(rec.meta or {}), user=rec.user,
                            created_at=rec.created_at)
