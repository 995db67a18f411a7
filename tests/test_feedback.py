"""👍/👎 on answers: a staff member rates their answer, a knowledge-base manager who may see its sources
reviews it, and an accepted correction becomes an evaluation question that ``evaluate`` runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from xiaoyin.core.auth.acl import DocumentAcl
from xiaoyin.core.auth.principal import Principal, Role
from xiaoyin.core.errors import Forbidden, InvalidInput, NotFound
from xiaoyin.knowledge import service

ADMIN = Principal("admin", roles=frozenset({Role.ADMIN}))
WX = Principal("wx_staff", branch="WX", branch_path=("WX", "HQ"))
SZ = Principal("sz_staff", branch="SZ", branch_path=("SZ", "HQ"))
KM_WX = Principal("wx_km", roles=frozenset({Role.KNOWLEDGE_MANAGER}), branch="WX", branch_path=("WX", "HQ"))
KM_SZ = Principal("sz_km", roles=frozenset({Role.KNOWLEDGE_MANAGER}), branch="SZ", branch_path=("SZ", "HQ"))


@pytest.fixture
def kb(home: Path, tmp_path: Path) -> str:
    f = tmp_path / "无锡分行费用标准.md"
    f.write_text("# 无锡分行费用标准\n\n第一条 无锡分行对公账户年费为人民币三百元。\n\n"
                 "第二条 无锡分行网银证书工本费为人民币五十元。\n", encoding="utf-8")
    service.create_kb("fees", principal=ADMIN)
    service.ingest("fees", [f], acl=DocumentAcl(branches=["WX"]), principal=ADMIN)
    return "fees"


def test_feedback_review_and_evaluation_question(kb: str, tmp_path: Path) -> None:
    a = service.ask(kb, "对公账户年费是多少？", principal=WX)
    fb = service.submit_feedback(a.id, "down", comment="没说清楚", correction="三百元", principal=WX)
    assert fb.status == "open" and fb.rating == "down"
    with pytest.raises(NotFound):  # nobody rates someone else's answer
        service.submit_feedback(a.id, "up", principal=SZ)
    with pytest.raises(Forbidden):  # staff do not review
        service.list_feedback(principal=WX)
    assert [x.id for x in service.list_feedback(principal=KM_WX)] == [fb.id]
    assert service.list_feedback(principal=KM_SZ) == []  # the Suzhou manager may not see the cited document
    with pytest.raises(NotFound):
        service.review_feedback(fb.id, service.ReviewIn(action="accept"), principal=KM_SZ)
    done = service.review_feedback(fb.id, service.ReviewIn(action="accept"), principal=KM_WX)
    assert done.status == "accepted" and done.reviewed_by == "wx_km"
    with pytest.raises(InvalidInput):
        service.review_feedback(fb.id, service.ReviewIn(action="dismiss"), principal=KM_WX)
    qs = service.list_eval_questions(kb, principal=KM_WX)
    assert len(qs) == 1 and qs[0].answers == ["三百元"] and qs[0].evidence == [{"doc": "无锡分行费用标准.md"}]
    path = tmp_path / "fees.jsonl"
    path.write_text(service.eval_questions_jsonl(kb, principal=KM_WX), encoding="utf-8")
    report = service.evaluate(kb, path, principal=KM_WX, use_llm=False)
    assert report["questions"] == 1 and report["recall_at_k"] == 1.0


def test_rating_again_replaces_and_bad_input(kb: str) -> None:
    a = service.ask(kb, "网银证书工本费是多少？", principal=WX)
    service.submit_feedback(a.id, "up", principal=WX)
    again = service.submit_feedback(a.id, "down", correction="五十元", principal=WX)
    assert again.rating == "down" and len(service.list_feedback(principal=ADMIN)) == 1
    with pytest.raises(InvalidInput):
        service.submit_feedback(a.id, "meh", principal=WX)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        service.submit_feedback(a.id, "down", comment="x" * 2001, principal=WX)
    with pytest.raises(InvalidInput):  # a thumbs-down accepted as answerable needs the right answer
        b = service.ask(kb, "对公账户年费是多少？", principal=WX)
        f = service.submit_feedback(b.id, "down", principal=WX)
        service.review_feedback(f.id, service.ReviewIn(action="accept"), principal=KM_WX)
    with pytest.raises(NotFound):
        service.submit_feedback("no-such-answer", "up", principal=WX)
