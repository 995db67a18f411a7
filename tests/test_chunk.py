"""chunk_document: articles whole, table headers repeated, sections and pages never crossed."""

from __future__ import annotations

from pathlib import Path

import pytest

from xiaoyin.knowledge.chunk import chunk_document, split_text
from xiaoyin.knowledge.parse import parse_file
from xiaoyin.knowledge.types import Block, ParsedDocument

FIX = Path(__file__).parent / "fixtures" / "parse"
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def check_basic(chunks):
    assert chunks and all(c.text.strip() for c in chunks)
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))


def test_article_whole_with_chapter():
    long_article = "第十条 " + "商业银行应当按照规定审查借款人的资信状况，" * 30 + "并保障按期收回贷款。"
    assert 600 < len(long_article) < 1800
    doc = ParsedDocument(
        [
            Block("示例法", kind="heading", level=1),
            Block("第二章 贷款", kind="heading", level=2),
            Block(long_article, kind="article", meta={"article": "第十条"}),
            Block("第十一条 短条文。", kind="article", meta={"article": "第十一条"}),
        ]
    )
    chunks = chunk_document(doc, max_chars=600)
    check_basic(chunks)
    assert chunks[0].text == long_article and chunks[0].kind == "article"
    assert chunks[0].section_path == ["示例法", "第二章 贷款"] and chunks[0].meta["article"] == "第十条"
    assert chunks[1].text.startswith("第十一条")


def test_very_long_article_split_at_sentence_ends():
    text = "第二十条 " + "借款人应当如实提供资料；" * 200
    doc = ParsedDocument([Block(text, kind="article", meta={"article": "第二十条"})])
    chunks = chunk_document(doc, max_chars=300)
    assert len(chunks) > 1 and all(c.text.startswith("第二十条") for c in chunks)
    assert all(c.text.endswith("；") for c in chunks)


def test_table_header_in_every_chunk():
    header = "| 支行 | 余额 |\n| --- | --- |"
    rows = [f"| 第{i}支行 | {i * 100} |" for i in range(60)]
    doc = ParsedDocument(
        [
            Block(
                "\n".join([header, *rows]),
                kind="table",
                section_path=["余额表"],
                meta={"header": header, "rows": rows, "sheet": "余额表"},
            )
        ]
    )
    chunks = chunk_document(doc, max_chars=200)
    check_basic(chunks)
    assert len(chunks) > 3 and all(c.text.startswith(header) for c in chunks)
    body = [ln for c in chunks for ln in c.text.split("\n")[2:]]
    assert body == rows and all(c.section_path == ["余额表"] and c.kind == "table" for c in chunks)


def test_pages_and_sections_not_crossed():
    doc = ParsedDocument(
        [
            Block("Revenue grew 5% in 2018.", page=1),
            Block("Operating margin was 22%.", page=1),
            Block("Cash flow was strong.", page=2),
            Block("第一章 总则", kind="heading", level=2, page=2),
            Block("本章说明。", page=2),
        ]
    )
    chunks = chunk_document(doc)
    check_basic(chunks)
    assert [(c.page_start, c.page_end) for c in chunks] == [(1, 1), (2, 2), (2, 2)]
    assert chunks[0].text == "Revenue grew 5% in 2018.\nOperating margin was 22%."
    assert chunks[2].section_path == ["第一章 总则"] and chunks[1].section_path == []


def test_long_paragraph_split_with_overlap():
    sents = [f"第{i}句说明贷款展期的条件和审批流程。" for i in range(60)]
    doc = ParsedDocument([Block("".join(sents), section_path=["展期"])])
    chunks = chunk_document(doc, max_chars=120, overlap=40)
    check_basic(chunks)
    assert len(chunks) > 5 and all(len(c.text) <= 120 for c in chunks)
    for a, b in zip(chunks, chunks[1:], strict=False):
        last = [s for s in sents if s in a.text][-1]
        first = next(s for s in sents if b.text.startswith(s))
        assert first in a.text and last in b.text  # whole sentences carried over from the previous chunk
    assert all(s in "".join(c.text for c in chunks) for s in sents)


def test_split_text_english_and_no_empty():
    text = " ".join(f"Sentence number {i} describes the revenue." for i in range(50))
    pieces = split_text(text, 200, 50)
    assert all(0 < len(p) <= 200 for p in pieces) and "Sentence number 49" in pieces[-1]
    assert chunk_document(ParsedDocument([Block("   "), Block("\n")])) == []


def test_fixture_law_excerpt_chunks():
    chunks = chunk_document(parse_file(FIX / "law_excerpt.md"))
    check_basic(chunks)
    art4 = next(c for c in chunks if c.meta.get("article") == "第四条")
    assert "（一）吸收公众存款" in art4.text and art4.section_path[-1] == "第一节 一般规定"
    table = next(c for c in chunks if c.kind == "table")
    assert table.text.startswith("| 存款种类 | 期限 | 年利率 |")
    assert not any(c.kind == "heading" for c in chunks)


def test_xlsx_chunks_carry_header_and_sheet():
    chunks = chunk_document(parse_file(FIX / "loans_merged.xlsx"), max_chars=80)
    tables = [c for c in chunks if c.kind == "table" and c.meta.get("sheet") == "贷款明细"]
    assert len(tables) > 1 and all(c.text.startswith("| 区域 | 支行 |") for c in tables)


def test_real_law_article_35_single_chunk():
    path = SHARED / "zh-banking-law" / "商业银行法(2015-08-29).md"
    if not path.exists():
        pytest.skip("shared law corpus not present")
    chunks = chunk_document(parse_file(path))
    check_basic(chunks)
    hits = [c for c in chunks if "第三十五条" in c.text and c.meta.get("article") == "第三十五条"]
    assert len(hits) == 1
    c = hits[0]
    assert "严格审查" in c.text and "审贷分离、分级审批" in c.text
    assert c.section_path == ["中华人民共和国商业银行法", "第四章 贷款和其他业务的基本规则"]


def test_real_financebench_pdf_pages():
    pdfs = sorted((SHARED / "financebench" / "pdfs").glob("*.pdf"))
    if not pdfs:
        pytest.skip("shared FinanceBench PDFs not present")
    smallest = min(pdfs, key=lambda p: p.stat().st_size)
    doc = parse_file(smallest)
    chunks = chunk_document(doc)
    check_basic(chunks)
    assert all(c.page_start == c.page_end and 1 <= c.page_start <= doc.pages for c in chunks)
    assert all(len(c.text) <= 600 for c in chunks)
