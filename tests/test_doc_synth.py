"""The synthetic credit-document generator: printed values, XML, QR codes, determinism and planted flags."""

from __future__ import annotations

import datetime as dt
import io
import json
import random
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import zxingcpp
from lxml import etree
from PIL import Image
from stdnum.cn import uscc

from xiaoyin.core.errors import ModelUnavailable
from xiaoyin.credit.documents.schemas import DOC_MODELS, InvoiceKind, InvoiceStatus
from xiaoyin.credit.documents.synth import documents as D
from xiaoyin.credit.documents.synth import render_pdf, render_xml, scan
from xiaoyin.credit.documents.synth.corpus import generate_corpus
from xiaoyin.credit.documents.synth.goods import goods_of
from xiaoyin.credit.documents.synth.identities import CompanyFactory, corrupt_uscc
from xiaoyin.credit.documents.synth.plan import ALL_RULES


def _text(pdf: bytes) -> str:
    doc = pdfium.PdfDocument(pdf)
    try:
        return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    finally:
        doc.close()


def _qr(img: Image.Image) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(img)]


@pytest.fixture(scope="module")
def trade() -> dict:
    rng = random.Random(11)
    f = CompanyFactory(rng)
    seller, buyer = f.company("钢材贸易", "steel"), f.company("机械设备", "machinery")
    items = D.trade_items(rng, goods_of("steel"), 3)
    contract = D.build_contract(rng, "GX-2024-0007", seller, buyer, items, dt.date(2024, 3, 2))
    return {"rng": rng, "seller": seller, "buyer": buyer, "items": items, "contract": contract,
            "numbers": D.NumberSource(rng)}


@pytest.mark.parametrize("kind", list(InvoiceKind))
def test_invoice_face_qr_and_scan(trade: dict, kind: InvoiceKind) -> None:
    rng = trade["rng"]
    lines = [D.invoice_line(it, it.quantity // 2, kind.is_digital) for it in trade["items"]]
    inv = D.build_invoice(rng, trade["numbers"], kind, trade["seller"], trade["buyer"], lines, dt.date(2024, 4, 1))
    d = inv.data
    assert d.total_with_tax == d.total_amount + d.total_tax == sum(li.amount + li.tax for li in d.lines)
    for li in d.lines:
        assert li.tax == (li.amount * li.tax_rate).quantize(Decimal("0.01"), ROUND_HALF_UP)
        assert abs(li.quantity * li.unit_price - li.amount) <= Decimal("0.01")
    pdf = render_pdf.render_invoice(inv, rng)
    text = _text(pdf)
    assert kind.value in text and d.number in text and "2024年04月01日" in text
    assert f"¥{d.total_with_tax:.2f}" in text and d.total_with_tax_upper in text
    assert d.buyer.name in text and d.seller.tax_id in text
    assert (d.code in text) if d.code else "发票代码" not in text
    if d.check_code:
        assert " ".join(d.check_code[i:i + 5] for i in range(0, 20, 5)) in text
    assert ("地址、电话" in text) is not kind.is_digital
    page = scan.render_pages(pdf, 200)[0]
    assert _qr(page) == [inv.qr_payload()]
    assert inv.qr_payload().startswith(f"01,{D.FPLX[kind]},{d.code or ''},{d.number},{d.total_amount:.2f},20240401,")
    degraded = Image.open(io.BytesIO(scan.scan_images(pdf, 5, 200)[0]))
    assert _qr(degraded) == [inv.qr_payload()]
    if kind.is_digital:
        root = etree.fromstring(render_xml.render_invoice_xml(inv))
        truth = inv.printed("xml")
        assert root.findtext("Header/EIid") == d.number
        assert root.findtext("Header/InherentLabel/GeneralOrSpecialVAT/LabelCode") == ("01" if kind.is_special else "02")
        assert Decimal(root.findtext("EInvoiceData/BasicInformation/TotalTax-includedAmount")) == truth.total_with_tax
        assert root.findtext("EInvoiceData/SellerInformation/SellerIdNum") == truth.seller.tax_id
        assert root.findtext("EInvoiceData/BuyerInformation/BuyerAddr") == truth.buyer.address
        items = root.findall("EInvoiceData/IssuItemInformation")
        assert [(Decimal(i.findtext("Amount")), i.findtext("TaxClassificationCode")) for i in items] == \
            [(li.amount, li.tax_code) for li in truth.lines]
        assert inv.printed("pdf").seller.address is None and inv.printed("pdf").lines[0].tax_code is None
    else:
        with pytest.raises(ValueError):
            render_xml.render_invoice_xml(inv)


def test_red_and_void_faces(trade: dict) -> None:
    rng = trade["rng"]
    for kind in (InvoiceKind.special, InvoiceKind.digital_ordinary):
        lines = [D.invoice_line(it, it.quantity, kind.is_digital) for it in trade["items"]]
        blue = D.build_invoice(rng, trade["numbers"], kind, trade["seller"], trade["buyer"], lines, dt.date(2024, 4, 1))
        red = D.red_of(rng, trade["numbers"], blue, trade["seller"], trade["buyer"], dt.date(2024, 4, 5))
        assert red.data.status is InvoiceStatus.red and red.data.total_with_tax == -blue.data.total_with_tax
        assert red.data.total_with_tax_upper == "（负数）" + blue.data.total_with_tax_upper
        text = _text(render_pdf.render_invoice(red, rng))
        assert "销项负数" in text and red.data.remarks in text and f"¥{red.data.total_with_tax:.2f}" in text
        blue.data.status = InvoiceStatus.void
        assert "作废" in _text(render_pdf.render_invoice(blue, rng))


def test_identities_are_valid_and_distinct() -> None:
    f = CompanyFactory(random.Random(3))
    cs = [f.company("建材", "building") for _ in range(60)]
    assert all(uscc.is_valid(c.uscc) for c in cs)
    for attr in ("name", "uscc", "legal_rep", "address", "phone", "account"):
        assert len({getattr(c, attr) for c in cs}) == 60, attr
    assert all(len(c.account) == 19 for c in cs)
    bad = corrupt_uscc(cs[0].uscc, random.Random(1))
    assert bad[:17] == cs[0].uscc[:17] and not uscc.is_valid(bad)


def test_font_missing_is_a_clear_error(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from xiaoyin.core.settings import reset_settings
    from xiaoyin.credit.documents.synth.fonts import font_path

    monkeypatch.setenv("XIAOYIN_DOCS__FONT_PATH", str(home / "nope.ttf"))
    reset_settings()
    with pytest.raises(ModelUnavailable, match="font_path"):
        font_path()


def _sum_invoices(docs: dict) -> Decimal:
    seen, total = set(), Decimal(0)
    for d in docs.values():
        if d["doc_type"] == "vat_invoice" and d["data"]["number"] not in seen:
            seen.add(d["data"]["number"])
            total += Decimal(d["data"]["total_with_tax"])
    return total


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("corpus")
    generate_corpus(out, applications=12, seed=5)
    return out


def test_corpus_layout_truth_and_flags(corpus: Path) -> None:
    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["seed"] == 5 and len(manifest["applications"]) == 12 and manifest["flags"]
    assert set(manifest["by_input_kind"]) <= {"text_pdf", "xml", "scan_pdf", "image"}
    planted = 0
    for no in manifest["applications"]:
        truth = json.loads((corpus / "truth" / f"{no}.json").read_text(encoding="utf-8"))
        app_dir = corpus / "apps" / no
        assert json.loads((app_dir / "application.json").read_text(encoding="utf-8")) == truth["application"]
        assert sorted(p.name for p in app_dir.iterdir()) == sorted([*truth["documents"], "application.json"])
        for name, doc in truth["documents"].items():
            model = DOC_MODELS[doc["doc_type"]].model_validate(doc["data"])
            if doc["input_kind"] == "text_pdf":
                text = _text((app_dir / name).read_bytes())
                key = {"vat_invoice": "number", "contract": "number", "loan_contract": "number",
                       "delivery_note": "number", "payment_receipt": "serial"}[doc["doc_type"]]
                assert getattr(model, key) in text, (no, name)
            elif doc["input_kind"] == "scan_pdf":
                assert _text((app_dir / name).read_bytes()).strip() == ""
            elif doc["input_kind"] == "xml":
                assert etree.fromstring((app_dir / name).read_bytes()).findtext("Header/EIid") == model.number
        rules = {f["rule_id"] for f in truth["flags"]}
        assert rules <= set(ALL_RULES)
        for fl in truth["flags"]:
            assert set(fl["documents"]) <= set(truth["documents"]) and fl["note"]
        planted += bool(rules)
        docs = truth["documents"]
        contracts = [d["data"] for d in docs.values() if d["doc_type"] == "contract"]
        assert bool(contracts) is ("trade.missing_contract" not in rules)
        has_delivery = any(d["doc_type"] == "delivery_note" for d in docs.values())
        assert has_delivery is ("trade.no_delivery_evidence" not in rules)
        if not rules:  # clean applications are fully consistent
            c = contracts[0]
            fin = dt.date.fromisoformat(truth["application"]["financing_date"])
            assert _sum_invoices(docs) <= Decimal(c["total_amount"])
            names = {li["name"] for li in c["lines"]}
            for d in docs.values():
                data = d["data"]
                if d["doc_type"] == "vat_invoice":
                    day = dt.date.fromisoformat(data["issue_date"])
                    assert dt.date.fromisoformat(c["sign_date"]) <= day <= fin and (fin - day).days <= 180
                    assert data["buyer"]["tax_id"] == c["buyer"]["tax_id"] and data["seller"]["name"] == c["seller"]["name"]
                    assert {li["name"].split("*")[-1] for li in data["lines"]} <= names
                    assert data["total_with_tax_upper"] == D.upper(Decimal(data["total_with_tax"]))
                    assert data["status"] == "normal"
            for p in (c["buyer"], c["seller"]):
                assert uscc.is_valid(p["tax_id"])
            assert {c["buyer"][k] for k in ("legal_rep", "address", "phone")}.isdisjoint(
                {c["seller"][k] for k in ("legal_rep", "address", "phone")})
        if "trade.amount_exceeds_contract" in rules:
            assert _sum_invoices(docs) > Decimal(contracts[0]["total_amount"])
        if "uscc.checksum" in rules:
            assert not uscc.is_valid(contracts[0]["seller"]["tax_id"])
    assert planted >= 3


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    generate_corpus(a, applications=3, seed=9, kinds=("text", "xml", "scan"), scan_dpi=150)
    generate_corpus(b, applications=3, seed=9, kinds=("text", "xml", "scan"), scan_dpi=150)
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert files_a == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    for rel in files_a:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel
    generate_corpus(tmp_path / "c", applications=3, seed=10, kinds=("text",))
    assert (tmp_path / "c" / "truth").iterdir() and \
        {p.name for p in (tmp_path / "c" / "truth").iterdir()} != set()


def test_kinds_filter_and_bad_kind(tmp_path: Path) -> None:
    m = generate_corpus(tmp_path / "x", applications=2, seed=1, kinds=("xml",))
    assert set(m.by_input_kind) <= {"xml", "text_pdf"}
    with pytest.raises(ValueError, match="unknown kinds"):
        generate_corpus(tmp_path / "y", applications=1, kinds=("ocr",))
