"""The committed demo knowledge base (samples/demo/) opens with the real libraries and answers its questions."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import sys
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from bs4 import BeautifulSoup
from docx import Document
from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "samples" / "demo"


def _load_script():
    spec = importlib.util.spec_from_file_location("make_demo_docs", ROOT / "scripts" / "make_demo_docs.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_demo_docs", mod)
    spec.loader.exec_module(mod)
    return mod


gen = _load_script()
DOCS = [gen.MD_NAME, gen.DOCX_NAME, gen.PDF_NAME, gen.SCAN_NAME, gen.XLSX_NAME, gen.HTML_NAME, gen.TXT_NAME]
QUESTIONS = [json.loads(line) for line in (DEMO / "questions.jsonl").read_text(encoding="utf-8").splitlines()]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _pdf_pages(path: Path) -> list[str]:
    pdf = pdfium.PdfDocument(str(path))
    try:
        return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    finally:
        pdf.close()


def _docx_text(path: Path) -> str:
    doc = Document(str(path))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def _xlsx_text(path: Path) -> str:
    wb = load_workbook(path)
    return "\n".join(
        str(v) for ws in wb for row in ws.iter_rows(values_only=True) for v in row if v is not None
    )


def doc_text(name: str, page: int | None = None) -> str:
    """Text of a demo document (one page for PDFs; the script's source text for the scan)."""
    path = DEMO / name
    if name == gen.SCAN_NAME:
        return gen.SCAN_PAGES[page - 1] if page else "\n".join(gen.SCAN_PAGES)
    if name.endswith(".pdf"):
        pages = _pdf_pages(path)
        return pages[page - 1] if page else "\n".join(pages)
    if name.endswith(".docx"):
        return _docx_text(path)
    if name.endswith(".xlsx"):
        return _xlsx_text(path)
    if name.endswith(".html"):
        return BeautifulSoup(path.read_bytes(), "lxml").get_text("\n")
    if name.endswith(".txt"):
        return path.read_bytes().decode("gbk")
    return path.read_text(encoding="utf-8")


def test_all_files_present_and_small() -> None:
    names = {p.name for p in DEMO.iterdir()}
    assert set(DOCS) | {"README.md", "questions.jsonl"} <= names
    assert sum(p.stat().st_size for p in DEMO.iterdir()) < 3 * 1024 * 1024


def test_markdown_has_chapters_and_articles() -> None:
    text = doc_text(gen.MD_NAME)
    assert text.startswith("# 青禾农村商业银行个人贷款管理办法")
    assert "## 第一章　总则" in text and "## 第八章　附则" in text
    n_articles = sum(len(articles) for _, articles in gen.LOAN_CHAPTERS)
    assert n_articles == 25
    assert re.search(r"^第一条　", text, re.M) and re.search(r"^第二十五条　", text, re.M)
    assert len(re.findall(r"^第[一二三四五六七八九十]+条　", text, re.M)) == n_articles
    assert "QH-DK-2024-017" in text


def test_docx_has_headings_and_fee_table() -> None:
    doc = Document(str(DEMO / gen.DOCX_NAME))
    styles = {p.style.name for p in doc.paragraphs}
    assert {"Title", "Heading 1"} <= styles
    assert len(doc.tables) == 1
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["收费项目", "收费标准", "说明"]
    column0 = [row.cells[0].text for row in table.rows]
    assert column0.count("分期手续费率") == 4  # vertically merged across the 3/6/12/24-period rows
    assert "滞纳金" in column0 and "违约金" in column0


def test_text_pdf_has_chinese_text_layer_on_every_page() -> None:
    pages = _pdf_pages(DEMO / gen.PDF_NAME)
    assert len(pages) >= 3
    for text in pages:
        cjk = sum("\u4e00" <= ch <= "\u9fff" for ch in text)
        assert cjk > 0.5 * len(_squash(text)), text[:80]
    assert "大额交易报告" in pages[0] + pages[1]


def test_scanned_pdf_is_images_without_text() -> None:
    pdf = pdfium.PdfDocument(str(DEMO / gen.SCAN_NAME))
    try:
        assert len(pdf) == len(gen.SCAN_PAGES)
        for i in range(len(pdf)):
            page = pdf[i]
            assert page.get_textpage().get_text_range().strip() == ""
            kinds = [obj.type for obj in page.get_objects()]
            assert kinds == [pdfium_c.FPDF_PAGEOBJ_IMAGE]
            assert abs(page.get_width() / page.get_height() - 210 / 297) < 0.01  # A4
    finally:
        pdf.close()


def test_xlsx_has_sheets_and_merged_cells() -> None:
    wb = load_workbook(DEMO / gen.XLSX_NAME)
    assert wb.sheetnames == ["产品列表", "费率表", "风险等级说明"]
    products = wb["产品列表"]
    merged = {str(r) for r in products.merged_cells.ranges}
    assert "A1:H1" in merged  # title across the header
    assert any(r.min_row > 2 and r.max_row > r.min_row for r in products.merged_cells.ranges)  # inside data
    assert [c.value for c in products[2]][:3] == ["产品代码", "产品名称", "风险等级"]
    assert products["A5"].value == "QH-LC-2025-003" and products["C5"].value == "R2"
    assert any(r.max_row > r.min_row for r in wb["费率表"].merged_cells.ranges)


def test_txt_is_gbk_not_utf8() -> None:
    raw = (DEMO / gen.TXT_NAME).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert raw.decode("gbk").startswith("青禾农村商业银行客服常见问题解答")


def test_html_parses() -> None:
    soup = BeautifulSoup((DEMO / gen.HTML_NAME).read_bytes(), "lxml")
    assert soup.title.string == "青禾农村商业银行网点服务指南"
    assert len(soup.find_all("tr")) == 1 + len(gen.BRANCHES)


def test_questions_are_well_formed() -> None:
    assert 8 <= len(QUESTIONS) <= 12
    assert len({q["id"] for q in QUESTIONS}) == len(QUESTIONS)
    assert sum(not q["answerable"] for q in QUESTIONS) == 2
    for q in QUESTIONS:
        assert set(q) == {"id", "question", "answers", "evidence", "answerable"}
        if not q["answerable"]:
            assert q["answers"] == [] and q["evidence"] == []
            continue
        assert q["answers"] and len(q["evidence"]) == 1
        ev = q["evidence"][0]
        assert ev["doc"] in DOCS
        assert ("page" in ev) == ev["doc"].endswith(".pdf")
        assert ("article" in ev) == (ev["doc"] in {gen.MD_NAME, gen.PDF_NAME})
    assert {q["evidence"][0]["doc"] for q in QUESTIONS if q["answerable"]} == set(DOCS)


@pytest.mark.parametrize("q", [q for q in QUESTIONS if q["answerable"]], ids=lambda q: q["id"])
def test_answer_phrases_are_in_gold_document(q: dict) -> None:
    ev = q["evidence"][0]
    text = _squash(doc_text(ev["doc"], ev.get("page")))
    for alternative in q["answers"]:
        phrases = alternative if isinstance(alternative, list) else [alternative]
        for phrase in phrases:
            assert _squash(phrase) in text, f"{phrase!r} not in {ev['doc']} page {ev.get('page')}"
    if "article" in ev:  # the phrases sit in the cited article itself
        chapters = gen.LOAN_CHAPTERS if ev["doc"] == gen.MD_NAME else gen.AML_CHAPTERS
        articles = [t for _, arts in chapters for t in arts]
        number = next(i for i in range(1, len(articles) + 1) if f"第{gen.cn_num(i)}条" == ev["article"])
        body = _squash(articles[number - 1])
        for alternative in q["answers"]:
            for phrase in alternative if isinstance(alternative, list) else [alternative]:
                assert _squash(phrase) in body, f"{phrase!r} not in {ev['article']}"


def test_questions_load_with_the_evaluator() -> None:
    evaluate = pytest.importorskip("xiaoyin.knowledge.evaluate")
    loaded = evaluate.load_questions(DEMO / "questions.jsonl")
    assert [q.id for q in loaded] == [q["id"] for q in QUESTIONS]


def test_unanswerable_topics_absent_from_kb() -> None:
    corpus = "\n".join(doc_text(name) for name in DOCS)
    for word in ("净利润", "黄金", "积存"):
        assert word not in corpus


def test_generation_is_deterministic_and_committed_copy_is_current(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    gen.build(a)
    gen.build(b)
    digest = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in a.iterdir()}
    assert digest == {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in b.iterdir()}
    # Text outputs are library-independent: the committed copies must match a fresh run.
    for name in (gen.MD_NAME, gen.HTML_NAME, gen.TXT_NAME, "questions.jsonl", "README.md"):
        assert (a / name).read_bytes() == (DEMO / name).read_bytes(), f"{name} is stale: rerun the script"
