"""Answer feedback and the review queue: staff rate an answer 👍/👎 (with a comment or correction),
knowledge-base managers review it and may turn it into an evaluation question of the knowledge base,
which :func:`eval_questions_jsonl` exports in the format ``evaluate`` reads."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from xiaoyin.core.audit import service as audit
from xiaoyin.core.auth.principal import Permission, Principal, require
from xiaoyin.core.db import session_scope, utcnow
from xiaoyin.core.errors import InvalidInput, NotFound
from xiaoyin.knowledge.service._base import _get_kb, _visible
from xiaoyin.knowledge.store import AnswerRecord, Document, EvalQuestionRow, Feedback, KnowledgeBase

Rating = Literal["up", "down"]


class FeedbackInfo(BaseModel):
    id: str
    answer_id: str
    kb: str
    username: str
    rating: Rating
    comment: str
    correction: str
    status: Literal["open", "accepted", "dismissed"]
    question: str
    answer: str
    refused: bool
    cited_docs: list[str]
    reviewed_by: str | None
    reviewed_at: datetime | None
    created_at: datetime


class EvalQuestionInfo(BaseModel):
    id: str
    question: str
    answers: list[str]
    evidence: list[dict[str, str | int]]
    answerable: bool
    source_feedback_id: str | None
    created_by: str | None
    created_at: datetime


class ReviewIn(BaseModel):
    """A manager's decision on one piece of feedback."""

    action: Literal["accept", "dismiss"]
    answers: list[str] = Field(default_factory=list, max_length=10,
                               description="key phrases a correct answer contains (default: the correction)")
    evidence_docs: list[str] | None = Field(None, max_length=10,
                                            description="gold documents (default: those the answer cited)")
    answerable: bool = Field(True, description="false: the knowledge base has no answer; it should refuse")


def _cited_doc_ids(rec: AnswerRecord) -> list[str]:
    return sorted({c.get("doc_id") for c in rec.citations or [] if c.get("doc_id")})


def _manager_may_see(s: Session, principal: Principal | None, rec: AnswerRecord) -> bool:
    """A reviewer sees feedback only on answers whose cited documents they may all see."""
    if principal is None or principal.sees_all_documents:
        return True
    for doc_id in _cited_doc_ids(rec):
        d = s.get(Document, doc_id)
        if d is not None and not _visible(principal, d):
            return False
    return True


def _info(s: Session, fb: Feedback, rec: AnswerRecord) -> FeedbackInfo:
    kb = s.get(KnowledgeBase, fb.kb_id)
    return FeedbackInfo(id=fb.id, answer_id=fb.answer_id, kb=kb.name if kb else "", username=fb.username,
                        rating=fb.rating, comment=fb.comment or "", correction=fb.correction or "",  # type: ignore[arg-type]
                        status=fb.status, question=rec.question, answer=rec.answer,  # type: ignore[arg-type]
                        refused=rec.refused, cited_docs=sorted({c.get("doc_name", "") for c in rec.citations or []}),
                        reviewed_by=fb.reviewed_by, reviewed_at=fb.reviewed_at, created_at=fb.created_at)


def submit_feedback(answer_id: str, rating: Rating, *, comment: str = "", correction: str = "",
                    principal: Principal) -> FeedbackInfo:
    """Rate one of your answers; rating it again replaces your earlier feedback (and reopens it)."""
    principal.require(Permission.KB_READ)
    if rating not in ("up", "down"):
        raise InvalidInput("rating 须为 up 或 down / rating must be 'up' or 'down'")
    if len(comment) > 2000 or len(correction) > 4000:
        raise InvalidInput("意见或更正过长 / the comment (2000) or correction (4000 characters) is too long")
    with session_scope() as s:
        rec = s.get(AnswerRecord, answer_id)
        if rec is None or (not principal.sees_all_documents and rec.user != principal.username):
            raise NotFound(f"回答不存在 / answer not found: {answer_id}")
        fb = s.scalar(select(Feedback).where(Feedback.answer_id == answer_id, Feedback.username == principal.username))
        if fb is None:
            fb = Feedback(id=str(uuid.uuid4()), answer_id=answer_id, kb_id=rec.kb_id, username=principal.username)
            s.add(fb)
        fb.rating, fb.comment, fb.correction = rating, comment.strip(), correction.strip()
        fb.status, fb.reviewed_by, fb.reviewed_at, fb.created_at = "open", None, None, utcnow()
        s.flush()
        audit.record(principal, "kb.feedback", target=answer_id, session=s,
                     details={"rating": rating, "has_correction": bool(correction.strip())})
        return _info(s, fb, rec)


def list_feedback(*, principal: Principal, kb: str | None = None, status: str | None = "open",
                  limit: int = 100) -> list[FeedbackInfo]:
    """The review queue (newest first) for a knowledge-base manager."""
    principal.require(Permission.KB_MANAGE)
    with session_scope() as s:
        q = select(Feedback, AnswerRecord).join(AnswerRecord, AnswerRecord.id == Feedback.answer_id)
        if kb is not None:
            q = q.where(Feedback.kb_id == _get_kb(s, kb).id)
        if status:
            q = q.where(Feedback.status == status)
        out = []
        for fb, rec in s.execute(q.order_by(Feedback.created_at.desc()).limit(max(1, min(limit, 1000)))):
            if _manager_may_see(s, principal, rec):
                out.append(_info(s, fb, rec))
        return out


def review_feedback(feedback_id: str, review: ReviewIn, *, principal: Principal) -> FeedbackInfo:
    """Accept (adds an evaluation question to the knowledge base) or dismiss one piece of feedback."""
    principal.require(Permission.KB_MANAGE)
    with session_scope() as s:
        fb = s.get(Feedback, feedback_id)
        rec = s.get(AnswerRecord, fb.answer_id) if fb is not None else None
        if fb is None or rec is None or not _manager_may_see(s, principal, rec):
            raise NotFound(f"反馈不存在 / feedback not found: {feedback_id}")
        if fb.status != "open":
            raise InvalidInput(f"该反馈已处理（{fb.status}）/ this feedback was already {fb.status}")
        fb.status = "accepted" if review.action == "accept" else "dismissed"
        fb.reviewed_by, fb.reviewed_at = principal.username, utcnow()
        question_id = None
        if review.action == "accept":
            answers = [a.strip() for a in review.answers if a.strip()] or ([fb.correction] if fb.correction else [])
            if review.answerable and not answers and fb.rating == "down":
                raise InvalidInput("请给出正确答案的要点 / give the key phrases of a correct answer")
            docs = review.evidence_docs
            if docs is None:
                docs = sorted({c.get("doc_name", "") for c in rec.citations or [] if c.get("doc_name")})
            row = EvalQuestionRow(id=str(uuid.uuid4()), kb_id=fb.kb_id, question=rec.question,
                                  answers=answers if review.answerable else [],
                                  evidence=[{"doc": d} for d in docs] if review.answerable else [],
                                  answerable=review.answerable, source_feedback_id=fb.id,
                                  created_by=principal.username)
            s.add(row)
            question_id = row.id
        audit.record(principal, "kb.feedback_review", target=feedback_id, session=s,
                     details={"action": review.action, "eval_question_id": question_id})
        return _info(s, fb, rec)


def list_eval_questions(kb: str, *, principal: Principal | None = None) -> list[EvalQuestionInfo]:
    require(principal, Permission.KB_MANAGE)
    with session_scope() as s:
        kb_id = _get_kb(s, kb).id
        rows = s.scalars(select(EvalQuestionRow).where(EvalQuestionRow.kb_id == kb_id)
                         .order_by(EvalQuestionRow.created_at))
        return [EvalQuestionInfo(id=r.id, question=r.question, answers=list(r.answers or []),
                                 evidence=list(r.evidence or []), answerable=r.answerable,
                                 source_feedback_id=r.source_feedback_id, created_by=r.created_by,
                                 created_at=r.created_at) for r in rows]


def eval_questions_jsonl(kb: str, *, principal: Principal | None = None) -> str:
    """The stored evaluation questions as JSONL, ready for ``evaluate`` / ``xiaoyin eval``."""
    lines = [json.dumps({"id": q.id, "question": q.question, "answers": q.answers, "evidence": q.evidence,
                         "answerable": q.answerable}, ensure_ascii=False)
             for q in list_eval_questions(kb, principal=principal)]
    return "\n".join(lines) + ("\n" if lines else "")
