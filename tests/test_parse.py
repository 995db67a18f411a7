"""parse_file on real fixture files of every format (real OCR/ASR models), and on bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from xiaoyin.core.errors import CorruptFile, EmptyDocument, EncryptedFile, FileTooLarge, UnsupportedFormat
from xiaoyin.knowledge.parse import SUPPORTED_SUFFIXES, detect_format, parse_file

FIX = Path(__file__).parent / "fixtures" / "parse"
LAW_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "zh-banking-law"


def texts(doc, kind=None):
    return [b.text for b in doc.blocks if kind is None or b.kind == kind]


def test_supported_suffixes_and_detect():
    assert {
        ".pdf",
        ".docx",
        ".xlsx",
        ".csv",
        ".md",
        ".txt",
        ".wav",
        ".mp3",
        ".png",
        ".tiff",
    } <= SUPPORTED_SUFFIXES
    assert detect_format(FIX / "rules_text.pdf") == "pdf"
    assert detect_format(FIX / "contract.png") == "image"
    assert detect_format(FIX / "manual_heading_table.docx") == "docx"
    assert detect_format(FIX / "loans_merged.xlsx") == "xlsx"
    assert detect_format(FIX / "speech_zh.wav") == "audio"
    assert detect_format(FIX / "law_excerpt.md") == "markdown"


def test_magic_wins_over_suffix(tmp_path):
    p = tmp_path / "report.txt"
    p.write_bytes((FIX / "rules_text.pdf").read_bytes())
    assert detect_format(p) == "pdf"


def test_markdown_law_excerpt():
    doc = parse_file(FIX / "law_excerpt.md")
    assert doc.meta["format"] == "markdown" and doc.title == "示例银行业务管理办法"
    arts = [b for b in doc.blocks if b.kind == "article"]
    assert [b.meta["article"] for b in arts] == ["第一条", "第二条", "第三条", "第四条", "第五条"]
    art4 = arts[3]
    assert "（三）办理国内外结算" in art4.text and "经营范围由商业银行章程规定" in art4.text
    assert art4.section_path == ["示例银行业务管理办法", "第二章 存款业务", "第一节 一般规定"]
    table = next(b for b in doc.blocks if b.kind == "table")
    assert "存款种类" in table.meta["header"] and len(table.meta["rows"]) == 2


def test_real_law_file_sections():
    path = LAW_DIR / "商业银行法(2015-08-29).md"
    if not path.exists():
        pytest.skip("shared law corpus not present")
    doc = parse_file(path)
    art = next(b for b in doc.blocks if b.meta.get("article") == "第三十五条")
    assert art.section_path == ["中华人民共和国商业银行法", "第四章 贷款和其他业务的基本规则"]
    art3 = next(b for b in doc.blocks if b.meta.get("article") == "第三条")
    assert "（十四）" in art3.text  # its items belong to the article


@pytest.mark.parametrize(
    ("name", "encoding", "needle"),
    [
        ("law_gbk.txt", "gbk", "客户身份识别制度"),
        ("notice_gb18030.txt", "gb18030", "吉𠮷祥"),
        ("memo_utf8bom.txt", "utf-8-sig", "柜面营业时间"),
    ],
)
def test_text_encodings(name, encoding, needle):
    doc = parse_file(FIX / name)
    assert doc.meta["encoding"] == encoding and doc.meta["format"] == "text"
    assert any(needle in t for t in texts(doc))


def test_text_legal_structure():
    doc = parse_file(FIX / "law_gbk.txt")
    assert doc.title == "示例反洗钱管理规定"
    art3 = next(b for b in doc.blocks if b.meta.get("article") == "第三条")
    assert art3.section_path == ["示例反洗钱管理规定", "第二章 客户身份识别"]


def test_csv_gbk_header():
    doc = parse_file(FIX / "branches_gbk.csv")
    (t,) = doc.blocks
    assert doc.meta["encoding"] == "gbk" and t.kind == "table"
    assert t.meta["columns"] == ["分行", "客户数", "贷款余额(万元)"] and len(t.meta["rows"]) == 3


def test_xlsx_merged_cells_and_header():
    doc = parse_file(FIX / "loans_merged.xlsx")
    assert doc.meta["sheets"] == ["贷款明细", "利率"]
    t = next(b for b in doc.blocks if b.kind == "table" and b.meta["sheet"] == "贷款明细")
    assert t.section_path == ["贷款明细"]
    assert t.meta["columns"] == ["区域", "支行", "贷款笔数", "金额(万元)"]
    rows = t.meta["rows"]
    assert rows[1] == "| 华东 | 杭州支行 | 9 | 2100 |" and rows[2].startswith("| 华东 | 南京支行")
    assert any(b.kind == "caption" and "第一季度" in b.text for b in doc.blocks)


def test_docx_headings_table_order():
    doc = parse_file(FIX / "manual_heading_table.docx")
    kinds = [b.kind for b in doc.blocks]
    assert kinds == [
        "heading",
        "heading",
        "paragraph",
        "heading",
        "paragraph",
        "table",
        "paragraph",
        "heading",
        "article",
    ]
    t = doc.blocks[5]
    assert t.meta["columns"] == ["材料", "份数", "备注"] and "营业执照" in t.meta["rows"][0]
    assert t.section_path == ["信贷业务操作手册", "第一章 贷前调查", "一、调查内容"]
    assert doc.blocks[-1].section_path[-1] == "第二章 贷款审批"


def test_html_drops_script_nav():
    doc = parse_file(FIX / "product.html")
    joined = "\n".join(texts(doc))
    assert "不应出现" not in joined and "tracking" not in joined
    assert [b.text for b in doc.blocks if b.kind == "heading"] == [
        "稳健理财产品说明书",
        "一、产品要素",
        "二、风险提示",
    ]
    t = next(b for b in doc.blocks if b.kind == "table")
    assert t.meta["columns"] == ["要素", "内容"] and t.section_path[-1] == "一、产品要素"
    assert sum(b.kind == "list" for b in doc.blocks) == 2


def test_text_pdf_pages():
    seen = []
    doc = parse_file(FIX / "rules_text.pdf", progress=lambda d, t: seen.append((d, t)))
    assert doc.pages == 2 and doc.meta["ocr_pages"] == [] and seen[-1] == (2, 2)
    art3 = next(b for b in doc.blocks if b.meta.get("article") == "第三条")
    assert art3.page == 2 and art3.section_path == ["第二章 贷款管理"]
    assert "审贷分离" in art3.text


def test_scanned_and_mixed_pdf_ocr():
    doc = parse_file(FIX / "mixed.pdf")
    assert doc.meta["ocr_pages"] == [2]
    page2 = "".join(b.text for b in doc.blocks if b.page == 2 or b.meta.get("page_end") == 2)
    assert "个人贷款合同" in page2 and "按期归还" in page2
    assert any(b.page == 1 and "依法经营" in b.text for b in doc.blocks)


def test_png_ocr():
    doc = parse_file(FIX / "contract.png")
    joined = "".join(texts(doc))
    assert doc.meta["format"] == "image" and doc.meta["ocr_pages"] == [1]
    assert "个人贷款合同" in joined and "张三" in joined


def test_multipage_tiff():
    doc = parse_file(FIX / "two_pages.tiff")
    assert doc.pages == 2
    assert [b.page for b in doc.blocks] == [1, 2] and "客户签字确认" in doc.blocks[1].text


def test_audio_transcript(home):
    doc = parse_file(FIX / "speech_zh.wav")
    assert doc.meta["format"] == "audio" and doc.blocks
    b = doc.blocks[0]
    assert b.kind == "transcript" and b.text.strip() and b.meta["end"] > b.meta["start"] >= 0


def test_mp3_transcript(home):
    doc = parse_file(FIX / "speech_zh.mp3")
    assert doc.meta["format"] == "audio" and doc.blocks[0].kind == "transcript" and doc.blocks[0].text


def test_corrupt_audio(tmp_path, home):
    p = tmp_path / "call.wav"
    p.write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(range(256)) * 4)
    with pytest.raises(CorruptFile):
        parse_file(p)


def test_missing_path_and_directory(tmp_path):
    with pytest.raises(CorruptFile):
        parse_file(tmp_path / "nope.pdf")
    with pytest.raises(CorruptFile):
        parse_file(tmp_path)


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("truncated.pdf", CorruptFile),
        ("encrypted.pdf", EncryptedFile),
        ("protected.docx", EncryptedFile),
        ("empty.txt", EmptyDocument),
        ("blank.png", EmptyDocument),
        ("random.bin", UnsupportedFormat),
        ("program.exe", UnsupportedFormat),
    ],
)
def test_bad_files(name, error):
    with pytest.raises(error) as ei:
        parse_file(FIX / name)
    assert name in ei.value.message


def test_too_large_checked_first():
    with pytest.raises(FileTooLarge):
        parse_file(FIX / "mixed.pdf", max_bytes=100)


def test_wrong_content_for_suffix(tmp_path):
    p = tmp_path / "statement.pdf"
    p.write_text("这不是 PDF", encoding="utf-8")
    with pytest.raises(CorruptFile):
        parse_file(p)
    x = tmp_path / "book.xlsx"
    x.write_bytes(b"PK\x03\x04" + bytes(100))
    with pytest.raises(CorruptFile):
        parse_file(x)


def test_unsupported_text_suffix(tmp_path):
    p = tmp_path / "notes.rtf"
    p.write_text("{\\rtf1 hello}", encoding="utf-8")
    with pytest.raises(UnsupportedFormat):
        parse_file(p)


def test_whitespace_only_is_empty(tmp_path):
    p = tmp_path / "blank.md"
    p.write_text("\n\n   \n# \n", encoding="utf-8")
    with pytest.raises(EmptyDocument):
        parse_file(p)
