"""Answer feedback (👍/👎 with a comment or correction) and the managers' review queue."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Literal

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field

from xiaoyin.api.deps import CurrentPrincipal
from xiaoyin.core.errors import InvalidInput
from xiaoyin.knowledge import service

router = APIRouter(prefix="/api", tags=["knowledge feedback"])


class FeedbackIn(BaseModel):
    rating: Literal["up", "down"]
    comment: str = Field("", max_length=2000)
    correction: str = Field("", max_length=4000, description="what the answer should have said")


@router.post("/answers/{answer_id}/feedback", response_model=service.FeedbackInfo, status_code=201)
def submit_feedback(answer_id: str, body: FeedbackIn, principal: CurrentPrincipal) -> service.FeedbackInfo:
    return service.submit_feedback(answer_id, body.rating, comment=body.comment, correction=body.correction,
                                   principal=principal)


@router.get("/feedback", response_model=list[service.FeedbackInfo])
def list_feedback(principal: CurrentPrincipal, kb: str | None = None,
                  status: str | None = Query("open", pattern="^(open|accepted|dismissed)$"),
                  limit: int = Query(100, ge=1, le=1000)) -> list[service.FeedbackInfo]:
    return service.list_feedback(principal=principal, kb=kb, status=status, limit=limit)


@router.post("/feedback/{feedback_id}/review", response_model=service.FeedbackInfo)
def review_feedback(feedback_id: str, body: service.ReviewIn, principal: CurrentPrincipal) -> service.FeedbackInfo:
    """Accept (the question joins the knowledge base's evaluation set) or dismiss."""
    return service.review_feedback(feedback_id, body, principal=principal)


@router.get("/kb/{name}/eval-questions", response_model=list[service.EvalQuestionInfo])
def eval_questions(name: str, principal: CurrentPrincipal) -> list[service.EvalQuestionInfo]:
    return service.list_eval_questions(name, principal=principal)


@router.get("/kb/{name}/eval-questions.jsonl", response_class=PlainTextResponse)
def eval_questions_jsonl(name: str, principal: CurrentPrincipal) -> PlainTextResponse:
    """The evaluation set as JSONL, the format ``xiaoyin eval --questions`` reads."""
    return PlainTextResponse(service.eval_questions_jsonl(name, principal=principal),
                             media_type="application/x-ndjson; charset=utf-8")


class EvalRunIn(BaseModel):
    k: int = Field(5, ge=1, le=50)
    mode: str = Field("hybrid", pattern="^(hybrid|bm25|dense)$")
    use_llm: bool = Field(False, description="compose answers with the configured LLM (slower)")


@router.post("/kb/{name}/evaluate", response_model=service.EvalReport)
def run_evaluation(name: str, body: EvalRunIn, principal: CurrentPrincipal) -> service.EvalReport:
    """Run the knowledge base's stored evaluation set (at most 500 questions, answered in this request)
    and return the report: recall@k, MRR, answer accuracy, refusal rates and each question's outcome,
    computed over the documents the caller may see."""
    text = service.eval_questions_jsonl(name, principal=principal)
    if not text.strip():
        raise InvalidInput("该知识库还没有评测问题 / this knowledge base has no evaluation questions yet; "
                           "accept feedback in the review queue to add some")
    if text.count("\n") > 500:
        raise InvalidInput("评测问题超过 500 个，请用 xiaoyin eval / more than 500 questions: run `xiaoyin eval`")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "questions.jsonl"
        path.write_text(text, encoding="utf-8")
        return service.EvalReport.of(service.evaluate(name, path, k=body.k, mode=body.mode, use_llm=body.use_llm,
                                                      principal=principal))
