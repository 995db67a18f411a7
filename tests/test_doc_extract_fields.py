"""Tolerant value parsers, label matching, rows/page text with offsets, QR payloads, XML carrier."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from xiaoyin.credit.documents.carriers.errors import XmlMalformed, XmlNotInvoice
from xiaoyin.credit.documents.carriers.qr import parse_payload
from xiaoyin.credit.documents.carriers.xml_invoice import extract_invoice_xml
from xiaoyin.credit.documents.layout.fields import (
    match_label,
    parse_amount,
    parse_code,
    parse_date,
    parse_digits,
    parse_percent,
    parse_text,
)
from xiaoyin.credit.documents.layout.kv import Label, LabelScanner
from xiaoyin.credit.documents.layout.segments import DocLayout, Segment, build_page
from xiaoyin.credit.documents.schemas import InvoiceKind, InvoiceStatus


@pytest.mark.parametrize(("text", "value"), [
    ("¥1,234,567.00", "1234567.00"), ("Y12345.67", "12345.67"), ("羊 776139.99", "776139.99"),
    ("-¥1,000.50", "-1000.50"), ("¥-89290.44", "-89290.44"), ("１２３．４５元", "123.45"), ("12345.67", "12345.67"),
])
def test_amounts(text, value):
    assert parse_amount(text) == Decimal(value)


def test_amount_none():
    assert parse_amount("无") is None and parse_amount(None) is None


@pytest.mark.parametrize("text", ["2024年05月12日", "2024-05-12", "2024/5/12", "2024.05.12", "2024 年 5 月 12 日", "20240512"])
def test_dates(text):
    assert parse_date(text) == dt.date(2024, 5, 12)


def test_bad_date():
    assert parse_date("2024年13月40日") is None and parse_date("无") is None


def test_percent_and_codes():
    assert parse_percent("13%") == Decimal("0.13") and parse_percent("4.35%") == Decimal("0.0435")
    assert parse_percent("0.13") == Decimal("0.13") and parse_percent("免税") is None
    assert parse_digits("12345 67890 12345 67890", (20,)) == "12345678901234567890"
    assert parse_digits("1234", (8, 20)) is None
    assert parse_code(" gx-2024-0153 ") == "GX-2024-0153"
    assert parse_text("买方以银行转账方式付款:签订后7日内付50%,到货后付清") == "买方以银行转账方式付款：签订后7日内付50%，到货后付清"


def test_label_variants():
    assert match_label("价税合计(大写)ⓧ壹万元整", "价税合计（大写）")
    assert match_label("纳税人识别号:9132", "纳税人识别号").group(0) == "纳税人识别号:"
    assert match_label("开 票 日 期：2024", "开票日期")


def _layout(segs: list[tuple[str, tuple[float, float, float, float]]]) -> DocLayout:
    return DocLayout([build_page([Segment(t, b, 1, "ocr") for t, b in segs], 1, 1000, 800, "ocr")])


def test_rows_offsets_and_side_by_side_values():
    layout = _layout([
        ("名称：", (10, 100, 60, 120)), ("甲公司", (62, 101, 150, 121)),
        ("名称：乙公司", (500, 104, 620, 124)),   # right block, slightly lower (skew)
        ("识别号:91320400MADTXHXL5F", (10, 140, 300, 160)),
    ])
    page = layout.pages[0]
    assert page.text.split("\n")[0] == "名称：甲公司 名称：乙公司"
    scanner = LabelScanner([Label("name", ("名称",)), Label("tax_id", ("识别号",))])
    kvs = scanner.scan(layout)
    assert [(k.key, k.value) for k in kvs] == [("name", "甲公司"), ("name", "乙公司"), ("tax_id", "91320400MADTXHXL5F")]
    left, right = kvs[0], kvs[1]
    assert page.text[left.start:left.end] == "甲公司" and page.bbox_of(left.start, left.end) == (62, 101, 150, 121)
    assert right.x >= 500 > left.x


def test_wide_gap_ends_a_value():
    layout = _layout([("名称：甲公司", (10, 100, 130, 120)), ("密码区 0</*+9", (600, 100, 800, 120))])
    kv = LabelScanner([Label("name", ("名称",))]).scan(layout)[0]
    assert kv.value == "甲公司"


def test_qr_payloads():
    q = parse_payload("01,10,011001605111,80100798,64.9,20161018,85342965681116380258,ABCD,")
    assert q.kind == InvoiceKind.e_ordinary and q.code == "011001605111" and q.amount == Decimal("64.9")
    assert q.issue_date == dt.date(2016, 10, 18) and q.check_code.startswith("8534")
    d = parse_payload("01,32,,23442000000014209621,112,20230215,,74AE")
    assert d.kind == InvoiceKind.digital_ordinary and d.code is None and d.crc == "74AE"
    assert parse_payload("https://example.com") is None and parse_payload("01,01,12,123,1,2") is None


XML = """<?xml version="1.0" encoding="UTF-8"?>
<EInvoice><Header><EIid>24442000000012345678</EIid><EInvoiceTag>SWEI3200</EInvoiceTag><Version>0.1</Version>
<InherentLabel><GeneralOrSpecialVAT><LabelCode>01</LabelCode><LabelName>增值税专用发票</LabelName></GeneralOrSpecialVAT></InherentLabel></Header>
<EInvoiceData><SellerInformation><SellerIdNum>91310000MAQEFLCR3K</SellerIdNum><SellerName>上海盛翔电子科技有限公司</SellerName></SellerInformation>
<BuyerInformation><BuyerIdNum>91320400MADTXHXL5F</BuyerIdNum><BuyerName>常州顺通电子元器件有限公司</BuyerName></BuyerInformation>
<BasicInformation><TotalAmWithoutTax>-100.00</TotalAmWithoutTax><TotalTaxAm>-13.00</TotalTaxAm>
<TotalTax-includedAmount>-113.00</TotalTax-includedAmount><TotalTax-includedAmountInChinese>（负数）壹佰壹拾叁元整</TotalTax-includedAmountInChinese>
<Drawer>王五</Drawer><RequestTime>2024-05-12 10:31:05</RequestTime></BasicInformation>
<IssuItemInformation><ItemName>*钢材*热轧卷板</ItemName><SpecMod>Q235</SpecMod><MeaUnits>吨</MeaUnits><Quantity>-1</Quantity>
<UnPrice>100</UnPrice><Amount>-100.00</Amount><TaxRate>0.13</TaxRate><ComTaxAm>-13.00</ComTaxAm>
<TaxClassificationCode>1080206010000000000</TaxClassificationCode></IssuItemInformation>
<AdditionalInformation><Remark>被红冲蓝字数电发票号码：24442000000012340000</Remark></AdditionalInformation></EInvoiceData>
<TaxSupervisionInfo><InvoiceNumber>24442000000012345678</InvoiceNumber><IssueTime>2024-05-12</IssueTime></TaxSupervisionInfo></EInvoice>
""".encode()


def test_xml_carrier():
    rec = extract_invoice_xml(XML)
    inv = rec.data
    assert inv.kind == InvoiceKind.digital_special and inv.number == "24442000000012345678"
    assert inv.issue_date == dt.date(2024, 5, 12) and inv.total_with_tax == Decimal("-113.00")
    assert inv.status == InvoiceStatus.red and inv.red_ref == "24442000000012340000"
    assert inv.lines[0].tax_rate == Decimal("0.13") and inv.lines[0].tax_code == "1080206010000000000"
    assert rec.provenance["seller.name"].text == "EInvoice/EInvoiceData/SellerInformation/SellerName"
    with pytest.raises(XmlNotInvoice):
        extract_invoice_xml(b"<Invoice/>")
    with pytest.raises(XmlMalformed):
        extract_invoice_xml(b"<EInvoice>")


# --- absurd numbers: too many integer digits or not finite -> missing, never an exception ----------


def test_absurd_numbers_are_no_value():
    from xiaoyin.credit.documents.layout.fields import parse_decimal

    assert parse_amount("¥999,999,999,999,999.99") == Decimal("999999999999999.99")  # 15 integer digits
    assert parse_amount("1" * 16) is None and parse_amount("¥" + "9" * 40 + ".00") is None
    assert parse_decimal("1" * 40) is None and parse_decimal("0.000001") == Decimal("0.000001")
    assert parse_percent("9" * 30 + "%") is None
    for amount in ("NaN", "Infinity", "1e999", "1" * 40):
        assert parse_payload(f"01,32,,23442000000014209621,{amount},20230215,,74AE").amount is None


def test_xml_with_a_40_digit_amount_leaves_the_field_missing():
    from xiaoyin.credit.documents.extract import extract_bytes
    from xiaoyin.credit.documents.validators import validate_document

    huge = "9" * 40
    xml = XML.replace(b"<Amount>-100.00</Amount>", f"<Amount>{huge}</Amount>".encode()).replace(
        b"<TotalAmWithoutTax>-100.00</TotalAmWithoutTax>", f"<TotalAmWithoutTax>{huge}.00</TotalAmWithoutTax>".encode())
    doc = extract_bytes(xml, "huge.xml")
    assert doc.error is None and doc.doc_type == "vat_invoice"
    assert doc.data.lines[0].amount is None and "lines.0.amount" not in doc.provenance
    assert doc.data.total_amount is None and "total_amount" not in doc.provenance
    assert doc.data.total_with_tax == Decimal("-113.00")
    assert [f.rule_id for f in doc.findings] == ["extract.missing_field"]
    assert doc.findings[0].fields == ["total_amount"]
    validate_document(doc)  # the validators see no absurd number either
