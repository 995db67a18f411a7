"""Layout rules on hand-built layouts that the project's own generator never produces: document names,
side-by-side parties sharing labels, labels above values, extra table columns, strict value checks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from xiaoyin.credit.documents.extract import extract_bytes
from xiaoyin.credit.documents.layout.classify import classify, delivery_kind, find_title
from xiaoyin.credit.documents.layout.delivery import extract_delivery
from xiaoyin.credit.documents.layout.receipt import extract_receipt
from xiaoyin.credit.documents.layout.segments import DocLayout, Segment, build_page
from xiaoyin.credit.documents.layout.values import (
    parse_account,
    parse_bank,
    parse_money,
    parse_name,
    parse_tax_id,
)

Cell = tuple[str, float, float]  # text, x0, x1


def layout(rows: list[list[Cell]], source: str = "text", h: float = 12.0, gap: float = 24.0) -> DocLayout:
    """One page from rows of (text, x0, x1) cells, each row ``gap`` below the last."""
    segs = [Segment(t, (x0, 40 + i * gap, x1, 40 + i * gap + h), 1, source)  # type: ignore[arg-type]
            for i, row in enumerate(rows) for t, x0, x1 in row]
    return DocLayout([build_page(segs, 1, 600, 40 + len(rows) * gap + 40, source)])  # type: ignore[arg-type]


def w(text: str, x0: float, per_char: float = 10.0) -> Cell:
    return (text, x0, x0 + per_char * len(text))


# ------------------------------------------------------------------ classification

DELIVERY_NAMES = ["送货单", "发货单", "入库单", "出库单", "验收单", "仓单", "收货确认单", "收货单", "验收入库单"]
RECEIPT_NAMES = ["电子回单", "业务回单", "转账凭证", "汇款回单", "付款通知书", "回单凭证", "网上银行电子回单"]
CONTRACT_NAMES = ["购销合同", "采购合同", "供货合同", "供货协议", "订货合同", "买卖合同"]
INVOICE_NAMES = ["增值税专用发票", "增值税普通发票", "增值税电子普通发票", "电子发票（增值税专用发票）", "电子发票（普通发票）"]


@pytest.mark.parametrize("name,doc_type", [
    *((n, "delivery_note") for n in DELIVERY_NAMES),
    *((n, "payment_receipt") for n in RECEIPT_NAMES),
    *((n, "contract") for n in CONTRACT_NAMES),
    *((n, "vat_invoice") for n in INVOICE_NAMES),
    ("流动资金借款合同", "loan_contract"),
])
def test_every_document_name_classifies(name, doc_type):
    lay = layout([[w("某某有限公司" + name, 150)], [w("编号：A-001", 40)], [w("日期：2024年05月12日", 40)]])
    assert classify(lay) == doc_type
    assert find_title(lay).name == name


def test_title_outweighs_body_vocabulary():
    """A 入库单 that mentions 合同编号, 甲方 and 付款方式 is still a 入库单, of kind warehouse_receipt."""
    lay = layout([
        [w("入库单", 250)],
        [w("合同编号：CG-2024-01", 40), w("甲方：某公司", 300)],
        [w("付款方式：月结", 40), w("签订日期：2024年01月02日", 300)],
        [w("供货单位：甲公司", 40)],
    ])
    assert classify(lay) == "delivery_note"
    assert delivery_kind(find_title(lay).name) == "warehouse_receipt"
    assert delivery_kind("出库单") == "delivery" and delivery_kind("仓单") == "warehouse_receipt"


def test_labels_that_contain_names_are_not_titles():
    """收货单位, 发票代码 and 回单编号 contain document names but are labels, not titles."""
    lay = layout([[w("收货单位", 40)], [w("发票代码", 40)], [w("回单编号", 40)]])
    assert find_title(lay) is None


# ------------------------------------------------------------------ receipts: parties sharing labels

PAYER, PAYEE = "甲方贸易有限公司", "乙方钢铁有限公司"


def _check_receipt(lay: DocLayout) -> None:
    rec = extract_receipt(lay)
    d = rec.data
    assert (d.payer.name, d.payer.account, d.payer.bank) == (PAYER, "6222020200001234567", "中国工商银行杭州分行")
    assert (d.payee.name, d.payee.account, d.payee.bank) == (PAYEE, "310066771018800012345", "交通银行上海分行")
    assert d.amount == Decimal("120000.00")


def test_receipt_shared_labels_side_by_side():
    """Row ``户名 | A | 户名 | B``: labels repeated per side, no role header."""
    _check_receipt(layout([
        [w("中国工商银行业务回单（付款）", 150)],
        [w("户名", 40), w(PAYER, 90), w("户名", 320), w(PAYEE, 370)],
        [w("账号", 40), w("6222020200001234567", 90, 6), w("账号", 320), w("310066771018800012345", 370, 6)],
        [w("开户行", 40), w("中国工商银行杭州分行", 90), w("开户行", 320), w("交通银行上海分行", 370)],
        [w("金额", 40), w("¥120,000.00", 90, 6)],
    ]))


def test_receipt_role_header_over_shared_label_rows():
    """Header ``付款人 | 收款人`` over rows ``户名 | A | B``, ``账号 | … | …``, ``开户行 | … | …``."""
    _check_receipt(layout([
        [w("转账凭证", 250)],
        [w("付款人", 150), w("收款人", 400)],
        [w("户名", 40), w(PAYER, 100), w(PAYEE, 350)],
        [w("账号", 40), w("6222020200001234567", 100, 6), w("310066771018800012345", 350, 6)],
        [w("开户行", 40), w("中国工商银行杭州分行", 100), w("交通银行上海分行", 350)],
        [w("交易金额", 40), w("120,000.00", 120, 6)],
    ]))


def test_receipt_roles_as_row_labels_under_field_headers():
    """Field labels above, one row per party: ``付款人 | A | 123 | X`` under ``户名 | 账号 | 开户行``."""
    _check_receipt(layout([
        [w("汇款回单", 250)],
        [w("户名", 130), w("账号", 300), w("开户行", 450)],
        [w("付款人", 30), w(PAYER, 100), w("6222020200001234567", 250, 6), w("中国工商银行杭州分行", 400, 8)],
        [w("收款人", 30), w(PAYEE, 100), w("310066771018800012345", 250, 6), w("交通银行上海分行", 400, 8)],
        [w("金额（小写）：¥120,000.00", 40)],
    ]))


def test_receipt_vertical_role_characters_and_synonyms():
    """付/款/人 printed vertically beside 全称 / 卡号 / 开户机构 rows, on a scan."""
    _check_receipt(layout([
        [w("网上银行电子回单", 200)],
        [w("付", 20), w("全称", 40), w(PAYER, 90), w("收", 300), w("全称", 320), w(PAYEE, 370)],
        [w("款", 20), w("卡号", 40), w("6222020200001234567", 90, 6), w("款", 300), w("账户", 320),
         w("310066771018800012345", 370, 6)],
        [w("人", 20), w("开户机构", 40), w("中国工商银行杭州分行", 90, 8), w("人", 300), w("开户银行", 320),
         w("交通银行上海分行", 370, 8)],
        [w("小写金额：120,000.00元", 40)],
    ], source="ocr"))


def test_receipt_role_prefixed_labels_stacked():
    _check_receipt(layout([
        [w("付款通知书", 250)],
        [w("付款单位：" + PAYER, 40)],
        [w("付款账号：6222 0202 0000 1234 567", 40)],
        [w("付款银行：中国工商银行杭州分行", 40)],
        [w("收款方名称：" + PAYEE, 40)],
        [w("收款方账号：310066771018800012345", 40)],
        [w("收款行：交通银行上海分行", 40)],
        [w("金额：人民币120,000.00元", 40)],
    ]))


# ------------------------------------------------------------------ delivery notes: labels above values, tables

def test_labels_above_values_and_extra_table_column():
    lay = layout([
        [w("XX物流有限公司 入库单", 200)],
        [w("入库单号", 40), w("入库日期", 180), w("供应商", 320), w("合同号", 470)],
        [w("RK20240512-07", 40, 6), w("2024-05-12", 180, 6), w("甲方贸易有限公司", 300, 9), w("CG-2024-0153", 470, 6)],
        [w("客户名称：乙方钢铁有限公司", 40)],
        [w("序号", 40), w("物料编码", 80), w("物料名称", 170), w("规格型号", 270), w("单位", 350), w("实收数量", 390),
         w("单价(元)", 450), w("金额(元)", 520)],
        [w("1", 45), w("M-000215", 80, 6), w("热轧卷板", 170), w("Q235B", 270, 6), w("吨", 355),
         w("12.5", 400, 6), w("6150.00", 450, 6), w("76875.00", 520, 6)],
        [w("2", 45), w("M-000216", 80, 6), w("冷轧板", 170), w("SPCC 1.0mm", 270, 6), w("吨", 355),
         w("3", 405, 6), w("5200.00", 450, 6), w("15600.00", 520, 6)],
        [w("合计", 45), w("92475.00", 520, 6)],
        [w("仓管员：王五", 40)],
    ])
    assert classify(lay) == "delivery_note"
    d = extract_delivery(lay).data
    assert d.kind == "warehouse_receipt"
    assert (d.number, d.date, d.contract_number) == ("RK20240512-07", dt.date(2024, 5, 12), "CG-2024-0153")
    assert (d.consignor.name, d.consignee.name) == ("甲方贸易有限公司", "乙方钢铁有限公司")
    assert [(li.name, li.spec, li.unit, li.quantity, li.unit_price, li.amount) for li in d.lines] == [
        ("热轧卷板", "Q235B", "吨", Decimal("12.5"), Decimal("6150.00"), Decimal("76875.00")),
        ("冷轧板", "SPCC 1.0mm", "吨", Decimal("3"), Decimal("5200.00"), Decimal("15600.00")),
    ]


def test_neighbouring_cells_are_never_joined_into_a_number():
    """A code cell overlapping the price column's edge stays out of the price (no ``56150.00``)."""
    lay = layout([
        [w("送货单", 250)],
        [w("品名", 40), w("编码", 150), w("数量", 230), w("单价", 300), w("金额", 380)],
        [w("螺纹钢", 40), w("5", 285, 8), w("10", 230, 6), w("6150.00", 300, 6), w("61500.00", 380, 6)],
    ])
    line = extract_delivery(lay).data.lines[0]
    assert (line.quantity, line.unit_price, line.amount) == (Decimal("10"), Decimal("6150.00"), Decimal("61500.00"))


# ------------------------------------------------------------------ strict values

def test_values_that_fail_their_check_are_rejected():
    assert parse_account("中国银行杭州分行") is None and parse_account("6222 0202 0000 1234") == "6222020200001234"
    assert parse_account("12") is None
    assert parse_money("2024-05-12") is None and parse_money("¥1,234.50") == Decimal("1234.50")
    assert parse_name("6222020200001234") is None and parse_name("甲公司") == "甲公司"
    assert parse_bank("甲方贸易有限公司") is None and parse_bank("交通银行上海分行") == "交通银行上海分行"
    assert parse_tax_id("91330100MA27XL0E2P") == "91330100MA27XL0E2P" and parse_tax_id("9133010012") is None


def test_receipt_account_label_with_a_bank_name_is_not_an_account():
    """A value that fails the account check is not taken; the real account further on is."""
    lay = layout([
        [w("电子回单", 250)],
        [w("付款人：" + PAYER, 40)],
        [w("账户：中国工商银行杭州分行", 40)],
        [w("账号：6222020200001234567", 40)],
    ])
    d = extract_receipt(lay).data
    assert d.payer.account == "6222020200001234567"


# ------------------------------------------------------------------ a real PDF through the whole pipeline

def test_text_pdf_receipt_with_role_header_end_to_end(tmp_path):
    from reportlab.pdfgen import canvas

    from xiaoyin.credit.documents.synth.fonts import register_font

    font = register_font()
    path = tmp_path / "r.pdf"
    c = canvas.Canvas(str(path), pagesize=(595, 420))
    c.setFont(font, 16)
    c.drawString(220, 390, "交通银行 汇款回单")
    c.setFont(font, 10)
    rows = [("", "付款人", "收款人"), ("户名", PAYER, PAYEE), ("账号", "6222020200001234567", "310066771018800012345"),
            ("开户行", "中国工商银行杭州分行", "交通银行上海分行")]
    for i, (a, b, cc) in enumerate(rows):
        y = 340 - i * 22
        c.drawString(40, y, a)
        c.drawString(110 if i else 160, y, b)
        c.drawString(330 if i else 380, y, cc)
    c.drawString(40, 240, "金额（大写）：壹拾贰万元整      金额（小写）：¥120,000.00")
    c.drawString(40, 218, "交易日期：2024-05-12    流水号：HX2024051200012")
    c.save()
    doc = extract_bytes(path.read_bytes(), "r.pdf")
    assert doc.doc_type == "payment_receipt"
    d = doc.data
    assert (d.payer.name, d.payee.name) == (PAYER, PAYEE)
    assert (d.payer.account, d.payee.account) == ("6222020200001234567", "310066771018800012345")
    assert (d.amount, d.date, d.serial) == (Decimal("120000.00"), dt.date(2024, 5, 12), "HX2024051200012")


def test_left_aligned_names_under_a_centred_header_are_not_serial_numbers():
    lay = layout([
        [w("采购入库单", 250)],
        [w("序号", 40), w("品名", 120), w("规格", 230), w("单位", 310), w("数量", 365), w("单价", 430)],
        [w("3", 48), w("电解铜", 72, 9), w("Cu-CATH-1", 191, 5), w("吨", 316), w("13.886", 374, 5), w("70690", 445, 5)],
    ])
    line = extract_delivery(lay).data.lines[0]
    assert (line.name, line.spec, line.quantity, line.unit_price) == ("电解铜", "Cu-CATH-1", Decimal("13.886"),
                                                                      Decimal("70690"))
