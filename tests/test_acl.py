"""Document permissions inside retrieval, through every service route, on both index backends.

Three documents in one knowledge base: one for all staff, one for the Suzhou branch (and its
sub-branches), one for the Wuxi branch. A Suzhou sub-branch user and a Wuxi user try to reach each
other's document by search, ask, streamed ask, naming the document, naming its article, the ``docs``
filter, listing, reading chunks, stored answers, evaluation, deletion and re-upload.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from xiaoyin.core.audit import service as audit
from xiaoyin.core.auth.acl import DocumentAcl
from xiaoyin.core.auth.principal import Principal, Role
from xiaoyin.core.errors import Forbidden, NotFound
from xiaoyin.knowledge import service

SZ01 = Principal("sz_staff", branch="SZ01", branch_path=("SZ01", "SZ", "HQ"))
WX = Principal("wx_staff", branch="WX", branch_path=("WX", "HQ"))
MANAGER_SZ = Principal("sz_km", roles=frozenset({Role.KNOWLEDGE_MANAGER}), branch="SZ", branch_path=("SZ", "HQ"))
ADMIN = Principal("admin", roles=frozenset({Role.ADMIN}))

PUBLIC_MD = "# 员工行为守则\n\n第一条 全体员工应当诚实守信，遵守青禾银行员工行为守则。\n"
SZ_MD = ("# 苏州分行授信业务操作细则\n\n第一条 苏州分行对园区科技企业授信的审批权限为人民币三千万元。\n\n"
         "第二条 苏州分行的抵押率上限为百分之六十五，琥珀计划专用。\n")
WX_MD = ("# 无锡分行授信业务操作细则\n\n第一条 无锡分行对物联网企业授信的审批权限为人民币两千万元。\n\n"
         "第二条 无锡分行的抵押率上限为百分之七十，翡翠计划专用。\n")


@pytest.fixture(params=["embedded", "milvus"])
def kb(request: pytest.FixtureRequest, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "milvus":
        pytest.importorskip("milvus_lite")
        monkeypatch.setenv("XIAOYIN_RETRIEVAL__BACKEND", "milvus")
        from tests.conftest import _reset

        _reset()
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, text in (("员工行为守则.md", PUBLIC_MD), ("苏州分行授信细则.md", SZ_MD), ("无锡分行授信细则.md", WX_MD)):
        (folder / name).write_text(text, encoding="utf-8")
    service.create_kb("credit", principal=ADMIN)
    service.ingest("credit", [folder / "员工行为守则.md"], principal=ADMIN)
    service.ingest("credit", [folder / "苏州分行授信细则.md"], acl=DocumentAcl(branches=["SZ"]), principal=ADMIN)
    service.ingest("credit", [folder / "无锡分行授信细则.md"], acl=DocumentAcl(branches=["WX"]), principal=ADMIN)
    return "credit"


def _names(res: service.SearchResult) -> set[str]:
    return {h.filename for h in res.hits}


def _cited(cits: list[service.Citation]) -> set[str]:
    return {c.doc_name for c in cits}


def test_search_and_ask_see_only_permitted_documents(kb: str) -> None:
    q = "授信审批权限是多少"
    assert _names(service.search(kb, q, k=10, principal=ADMIN)) >= {"苏州分行授信细则.md", "无锡分行授信细则.md"}
    assert "无锡分行授信细则.md" not in _names(service.search(kb, q, k=10, principal=SZ01))
    assert "苏州分行授信细则.md" in _names(service.search(kb, q, k=10, principal=SZ01))
    assert "苏州分行授信细则.md" not in _names(service.search(kb, q, k=10, principal=WX))
    for who, other in ((SZ01, "无锡分行授信细则.md"), (WX, "苏州分行授信细则.md")):
        for mode in ("bm25", "dense", "hybrid"):
            assert other not in _names(service.search(kb, q, k=20, mode=mode, principal=who)), (who, mode)
        # a word only the other branch's document contains finds nothing of it
        secret, content = ("翡翠计划", "百分之七十") if other.startswith("无锡") else ("琥珀计划", "百分之六十五")
        assert other not in _names(service.search(kb, secret, k=20, principal=who))
        a = service.ask(kb, f"{secret}的抵押率上限是多少？", principal=who)
        assert other not in _cited(a.citations) and content not in a.answer
        events = list(service.ask_stream(kb, f"{secret}的抵押率上限是多少？", principal=who))
        done = [e for e in events if e.event == "done"][0]
        streamed = json.dumps([e.model_dump(mode="json") for e in events], ensure_ascii=False)
        assert other not in streamed and content not in streamed and done.id


def test_naming_the_document_or_its_article_does_not_reach_it(kb: str) -> None:
    res = service.search(kb, "无锡分行授信细则第二条的内容是什么？", principal=SZ01)
    assert res.routed_to is None or "无锡分行授信细则.md" not in res.routed_to
    assert "无锡分行授信细则.md" not in _names(res) and res.pinned == 0
    a = service.ask(kb, "无锡分行授信细则第二条的内容是什么？", principal=SZ01)
    assert "翡翠" not in a.answer and "七十" not in a.answer
    ok = service.search(kb, "无锡分行授信细则第二条的内容是什么？", principal=WX)
    assert ok.pinned == 1 and "翡翠计划" in ok.hits[0].text
    with pytest.raises(NotFound):  # the docs filter: "not found", not "forbidden" (existence is not revealed)
        service.search(kb, "抵押率", docs=["无锡分行授信细则.md"], principal=SZ01)


def test_document_routes_hide_other_branches(kb: str) -> None:
    assert {d.filename for d in service.list_documents(kb, principal=SZ01)} == {"员工行为守则.md", "苏州分行授信细则.md"}
    assert len(service.list_documents(kb, principal=ADMIN)) == 3
    for fn in (service.get_document, service.document_chunks):
        with pytest.raises(NotFound):
            fn(kb, "无锡分行授信细则.md", principal=SZ01)
    with pytest.raises(Forbidden):  # staff may not delete at all
        service.delete_document(kb, "员工行为守则.md", principal=SZ01)
    with pytest.raises(NotFound):  # a Suzhou manager cannot delete (or see) the Wuxi document
        service.delete_document(kb, "无锡分行授信细则.md", principal=MANAGER_SZ)
    with pytest.raises(NotFound):
        service.set_document_acl(kb, "无锡分行授信细则.md", DocumentAcl.everyone(), principal=MANAGER_SZ)
    with pytest.raises(Forbidden):  # nor delete the knowledge base that holds it
        service.delete_kb(kb, principal=MANAGER_SZ)


def test_reupload_under_a_hidden_name_is_refused(kb: str, tmp_path: Path) -> None:
    evil = tmp_path / "evil" / "无锡分行授信细则.md"
    evil.parent.mkdir()
    evil.write_text("# 无锡分行授信细则\n\n第一条 审批权限为零元。\n", encoding="utf-8")
    rep = service.ingest(kb, [evil], principal=MANAGER_SZ)
    assert rep.files[0].status == "failed" and rep.files[0].error_code == "name_taken"
    assert "翡翠计划" in service.document_chunks(kb, "无锡分行授信细则.md", principal=WX)[-1].text


def test_stored_answers_and_changed_permissions(kb: str) -> None:
    a = service.ask(kb, "翡翠计划的抵押率上限是多少？", principal=WX)
    assert "无锡分行授信细则.md" in _cited(a.citations)
    with pytest.raises(NotFound):  # someone else's answer
        service.get_answer(a.id, principal=SZ01)
    assert service.get_answer(a.id, principal=WX).citations[0].text
    # the document is moved to Suzhou only: at once invisible to Wuxi in search and in its old answer
    service.set_document_acl(kb, "无锡分行授信细则.md", DocumentAcl(branches=["SZ"]), principal=ADMIN)
    assert "无锡分行授信细则.md" not in _names(service.search(kb, "翡翠计划", k=10, principal=WX))
    assert "无锡分行授信细则.md" in _names(service.search(kb, "翡翠计划", k=10, principal=SZ01))
    cit = [c for c in service.get_answer(a.id, principal=WX).citations if c.doc_name == "无锡分行授信细则.md"]
    assert cit and cit[0].withheld and cit[0].text is None and cit[0].quote is None
    acts = {e.action for e in audit.list_events(ADMIN, audit.AuditFilter(action="kb.")).events}
    assert {"kb.create", "kb.upload", "kb.ask", "kb.document_acl"} <= acts


def test_evaluation_report_holds_only_permitted_text(kb: str, tmp_path: Path) -> None:
    qs = tmp_path / "q.jsonl"
    qs.write_text(json.dumps({"id": "q1", "question": "翡翠计划的抵押率上限是多少？", "answers": ["百分之七十"],
                              "evidence": [{"doc": "无锡分行授信细则.md"}]}, ensure_ascii=False) + "\n",
                  encoding="utf-8")
    km_sz = Principal("km", roles=frozenset({Role.KNOWLEDGE_MANAGER}), branch="SZ01", branch_path=("SZ01", "SZ"))
    report = service.evaluate(kb, qs, principal=km_sz, filter_by_doc=True, use_llm=False)
    assert "翡翠" not in json.dumps(report["per_question"], ensure_ascii=False)
    assert report["recall_at_k"] == 0.0
    with pytest.raises(Forbidden):
        service.evaluate(kb, qs, principal=SZ01)


def test_new_documents_take_the_kb_default(kb: str, tmp_path: Path) -> None:
    service.set_default_acl(kb, DocumentAcl(branches=["WX"]), principal=ADMIN)
    f = tmp_path / "新规.md"
    f.write_text("# 新规\n\n第一条 珊瑚计划自下月起施行。\n", encoding="utf-8")
    service.ingest(kb, [f], principal=ADMIN)
    assert "新规.md" not in _names(service.search(kb, "珊瑚计划", principal=SZ01))
    assert "新规.md" in _names(service.search(kb, "珊瑚计划", principal=WX))


def test_the_index_filters_before_ranking(kb: str) -> None:
    """k=1 over a query the Wuxi document matches best still returns a Suzhou-visible chunk: the ACL is a
    filter inside the index, not a post-filter that would leave nothing."""
    from xiaoyin.knowledge.types import SearchFilters

    idx = service._open(kb)
    top_any = idx.search("翡翠计划 无锡分行 物联网", None, k=1, mode="bm25")
    hits = idx.search("翡翠计划 无锡分行 物联网", None, k=1, mode="bm25",
                      filters=SearchFilters(acl=sorted(SZ01.acl_tags())))
    wx_chunks = {c.id for c in service.document_chunks(kb, "无锡分行授信细则.md")}
    assert top_any[0].chunk_id in wx_chunks
    assert len(hits) == 1 and hits[0].chunk_id not in wx_chunks
    assert idx.search("翡翠计划", None, k=5, mode="bm25", filters=SearchFilters(acl=[])) == []


def test_original_files_follow_the_document_permissions(kb: str) -> None:
    f = service.document_file(kb, "无锡分行授信细则.md", principal=WX)
    assert f.path.read_text(encoding="utf-8") == WX_MD and f.media_type == "text/markdown"
    with pytest.raises(NotFound):
        service.document_file(kb, "无锡分行授信细则.md", principal=SZ01)
    with pytest.raises(NotFound):
        service.page_image(kb, "无锡分行授信细则.md", 1, principal=SZ01)
    service.delete_document(kb, "无锡分行授信细则.md", principal=ADMIN)
    assert not f.path.exists()  # the kept original goes with the document
