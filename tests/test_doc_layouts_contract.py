"""Contracts in layouts the project's own generator does not print: parties in prose, 甲方 as the seller,
bank and account in one sentence, totals in a sentence; and an unread party never raises a mismatch."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from xiaoyin.credit.documents.extract import extract_bytes
from xiaoyin.credit.documents.layout.values import parse_cn_date, parse_org_name

BUYER = "济南鑫源五金制品有限公司"
SELLER = "合肥德隆精密机械有限责任公司"


def _pdf(tmp_path, title: str, lines: list[str], table: list[tuple[str, ...]] | None = None) -> bytes:
    from reportlab.pdfgen import canvas

    from xiaoyin.credit.documents.synth.fonts import register_font

    font = register_font()
    path = tmp_path / "c.pdf"
    c = canvas.Canvas(str(path), pagesize=(595, 842))
    c.setFont(font, 16)
    c.drawString(250, 800, title)
    c.setFont(font, 10)
    y = 770
    for line in lines:
        if line == "<table>":
            for row in table or []:
                for j, cell in enumerate(row):
                    c.drawString(60 + j * 85, y, cell)
                y -= 20
            continue
        c.drawString(50, y, line)
        y -= 20
    c.save()
    return path.read_bytes()


TABLE = [("货物名称", "规格", "数量", "单位", "单价（元）", "小计（元）"),
         ("铝合金型材", "6063-T5", "100", "千克", "19.55", "1955.00"),
         ("贴片电容", "0603", "10", "千只", "44.50", "445.00")]


def test_paragraph_contract_with_parties_in_prose(tmp_path):
    data = _pdf(tmp_path, "供货协议", [
        "协议编号：HT-2024-8436",
        f"需方：{BUYER}（以下简称“需方”）",
        "统一社会信用代码：913701128842M071XL    法定代表人：田杰卫",
        f"供方：{SELLER}（以下简称“供方”）",
        "地址：合肥市蜀山区开发区大道464号7幢308室    电话：13730837619",
        "为明确供需双方的权利义务，经双方充分协商，供方同意按下列条款向需方供应货物。",
        "一、供货明细",
        "<table>",
        "二、本协议货物总价款为人民币2400.00元（大写：贰仟肆佰元整），该价格已含增值税。",
        "三、供方应于2024年4月7日前将货物送达需方指定地点：济南市历城区高新路112号。",
        "四、买方在收货后五个工作日内验收，逾期未提出书面异议的视为验收合格。",
        "五、供方收款账户：开户行 民生银行合肥城东支行，账号 53143046222598650。",
        "签订日期：二〇二四年三月十二日",
    ], TABLE)
    doc = extract_bytes(data, "c.pdf")
    assert doc.doc_type == "contract"
    d = doc.data
    assert (d.buyer.name, d.seller.name) == (BUYER, SELLER)
    assert d.buyer.legal_rep == "田杰卫" and d.seller.phone == "13730837619"
    assert (d.seller.bank, d.seller.account) == ("民生银行合肥城东支行", "53143046222598650")
    assert d.buyer.bank is None and d.buyer.account is None  # the account sentence names the 供方
    assert (d.total_amount, d.total_amount_upper) == (Decimal("2400.00"), "贰仟肆佰元整")
    assert [ln.amount for ln in d.lines] == [Decimal("1955.00"), Decimal("445.00")]  # 小计 is the line amount
    assert d.delivery_date == dt.date(2024, 4, 7)
    assert d.delivery_place == "济南市历城区高新路112号"
    assert d.sign_date == dt.date(2024, 3, 12)
    assert d.number == "HT-2024-8436"


def test_jia_is_the_seller_in_a_sales_contract(tmp_path):
    data = _pdf(tmp_path, "销售合同", [
        "合同编号：XS202422454",
        f"甲方（卖方）：{SELLER}",
        "开户银行：民生银行合肥城东支行",
        "账号：53143046222598650",
        f"乙方（买方）：{BUYER}",
        "甲方向乙方销售下列货物，双方签订本合同。",
        "<table>",
        "合同总金额：人民币（大写）贰仟肆佰元整（小写：¥2,400.00）",
    ], TABLE)
    d = extract_bytes(data, "c.pdf").data
    assert (d.buyer.name, d.seller.name) == (BUYER, SELLER)
    assert (d.seller.bank, d.seller.account) == ("民生银行合肥城东支行", "53143046222598650")
    assert d.total_amount == Decimal("2400.00")


def test_bare_jia_yi_take_their_roles_from_the_wording(tmp_path):
    data = _pdf(tmp_path, "购销合同", [  # the title alone would make 甲方 the buyer
        f"甲方：{SELLER}",
        f"乙方：{BUYER}",
        "乙方向甲方采购下列货物。",
        "<table>",
    ], TABLE)
    d = extract_bytes(data, "c.pdf").data
    assert (d.buyer.name, d.seller.name) == (BUYER, SELLER)


def test_bank_and_account_in_one_sentence_of_a_party_block(tmp_path):
    data = _pdf(tmp_path, "购销合同", [
        f"甲方（需方）：{BUYER}",
        "开户行：招商银行济南城东支行，账号：5129113996221176792。",
        f"乙方（供方）：{SELLER}",
        "开户行：民生银行合肥城东支行；账号 53143046222598650",
        "<table>",
    ], TABLE)
    d = extract_bytes(data, "c.pdf").data
    assert (d.buyer.bank, d.buyer.account) == ("招商银行济南城东支行", "5129113996221176792")
    assert (d.seller.bank, d.seller.account) == ("民生银行合肥城东支行", "53143046222598650")


def test_clause_text_after_a_role_word_is_never_a_party(tmp_path):
    data = _pdf(tmp_path, "采购合同", [
        "合同编号：HT-2024-1490",
        "<table>",
        "第二条 交货期限",
        "卖方须在2024-09-23之前完成全部交货。",
        "第四条 结算方式",
        "买方通过银行受托支付方式向卖方支付货款，款到发货",
    ], TABLE)
    d = extract_bytes(data, "c.pdf").data
    assert d.buyer.name is None and d.seller.name is None


@pytest.mark.parametrize("text, ok", [
    (BUYER, True), ("上海盛世供应链管理有限公司", True), ("苏州某某五金厂", True),
    ("须在2024-09-23之前完成全部交货。", False), ("通过银行受托支付方式向卖方支付货款,款到发货", False),
    ("在收货后五个工作日内验收", False), ("应于交货后支付给供货公司", False),
])
def test_org_name_parser(text, ok):
    assert (parse_org_name(text) is not None) is ok


def test_chinese_numeral_dates():
    assert parse_cn_date("二〇二四年三月十二日") == dt.date(2024, 3, 12)
    assert parse_cn_date("二零二五年十二月三十一日") == dt.date(2025, 12, 31)
    assert parse_cn_date("二〇二四年十三月一日") is None
