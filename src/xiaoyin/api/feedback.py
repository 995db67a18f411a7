"""Answer feedback (👍/👎 with a comment or correction) and the managers' review queue."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field

from xiaoyin.api.deps import CurrentPrincipal
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
