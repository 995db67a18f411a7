"""VAT invoices in layouts the project's own generator does not print: 数电 party blocks stacked or side by
side (with 销方开户银行 in 备注), a name read glued to its USCC, a vertical 备注 label over several lines,
the unit printed close to the spec, the paper invoice's bare code and ``No`` number."""

from __future__ import annotations

from decimal import Decimal

from xiaoyin.credit.documents.extract import extract_bytes

BUYER = "济南鑫源五金制品有限公司"
BUYER_ID = "913701128842M071XL"
SELLER = "合肥德隆精密机械有限责任公司"
SELLER_ID = "9134010406Q8186M2C"

Item = tuple[float, float, str]  # x, y (PDF points from the bottom), text


def _pdf(tmp_path, items: list[Item], size: float = 9) -> bytes:
    from reportlab.pdfgen import canvas

    from xiaoyin.credit.documents.synth.fonts import register_font

    font = register_font()
    path = tmp_path / "inv.pdf"
    c = canvas.Canvas(str(path), pagesize=(595, 420))
    for x, y, text in items:
        c.setFont(font, 14 if "发票" in text and y > 380 else size)
        c.drawString(x, y, text)
    c.save()
    return path.read_bytes()


TABLE: list[Item] = [
    (40, 250, "项目名称"), (170, 250, "规格型号"), (250, 250, "单位"), (290, 250, "数量"), (345, 250, "单价"),
    (410, 250, "金额"), (455, 250, "税率/征收率"), (530, 250, "税额"),
    (30, 232, "*电子元件*贴片电容"), (170, 232, "0603106M"), (250, 232, "千只"), (298, 232, "100"),
    (345, 232, "40.00"), (405, 232, "4000.00"), (465, 232, "13%"), (530, 232, "520.00"),
    (60, 200, "合计"), (400, 200, "¥4000.00"), (525, 200, "¥520.00"),
    (40, 182, "价税合计（大写）"), (150, 182, "肆仟伍佰贰拾圆整"), (400, 182, "（小写）¥4520.00"),
]


def _digital(tmp_path, parties: list[Item], remarks: list[Item]) -> dict:
    items: list[Item] = [(200, 395, "电子发票（增值税专用发票）"), (420, 395, "发票号码：24342913747071183861"),
                         (420, 380, "开票日期：2024年03月31日")]
    doc = extract_bytes(_pdf(tmp_path, items + parties + TABLE + remarks + [(60, 60, "开票人：赵雪")]), "inv.pdf")
    assert doc.doc_type == "vat_invoice"
    return doc.data.model_dump(mode="json")


REMARKS_VERTICAL: list[Item] = [
    (50, 160, "购方开户银行：招商银行济南城东支行；银行账号：5129113996221176792；"),
    (30, 148, "备"), (50, 148, "销方开户银行：民生银行合肥城东支行；银行账号：53143046222598650；"),
    (50, 136, "合同号：HT-2024-8436"),
    (30, 124, "注"),
]


def test_digital_side_by_side_parties_with_seller_bank_in_remarks(tmp_path):
    """销方开户银行 printed in 备注 is no anchor for the seller block: the parties keep their sides."""
    parties: list[Item] = [
        (20, 340, "购"), (300, 340, "销"),
        (40, 330, f"名称：{BUYER}"), (320, 330, f"名称：{SELLER}"),
        (20, 320, "买"), (300, 320, "售"),
        (40, 310, f"统一社会信用代码/纳税人识别号：{BUYER_ID}"), (320, 310, f"统一社会信用代码/纳税人识别号：{SELLER_ID}"),
        (20, 300, "方"), (300, 300, "方"),
    ]
    d = _digital(tmp_path, parties, REMARKS_VERTICAL)
    assert (d["buyer"]["name"], d["buyer"]["tax_id"]) == (BUYER, BUYER_ID)
    assert (d["seller"]["name"], d["seller"]["tax_id"]) == (SELLER, SELLER_ID)
    assert d["remarks"] == ("购方开户银行：招商银行济南城东支行；银行账号：5129113996221176792；\n"
                            "销方开户银行：民生银行合肥城东支行；银行账号：53143046222598650；\n"
                            "合同号：HT-2024-8436")
    assert d["total_with_tax"] == "4520.00"


def test_digital_stacked_party_blocks(tmp_path):
    """购买方信息 above 销售方信息, both at the left margin: the block a value sits in decides."""
    parties: list[Item] = [
        (30, 355, "购买方信息"),
        (40, 342, f"名称：{BUYER}"),
        (40, 330, f"统一社会信用代码/纳税人识别号：{BUYER_ID}"),
        (30, 310, "销售方信息"),
        (40, 297, f"名称：{SELLER}"),
        (40, 285, f"统一社会信用代码/纳税人识别号：{SELLER_ID}"),
    ]
    d = _digital(tmp_path, parties, [(30, 150, "备注"), (80, 150, "货物已于当月交付")])
    assert (d["buyer"]["name"], d["buyer"]["tax_id"]) == (BUYER, BUYER_ID)
    assert (d["seller"]["name"], d["seller"]["tax_id"]) == (SELLER, SELLER_ID)
    assert d["remarks"] == "货物已于当月交付"


def test_name_glued_to_its_uscc_is_split(tmp_path):
    """名称：<USCC><name> (two stacked lines read as one): split only when the code passes the USCC check."""
    parties: list[Item] = [
        (30, 355, "购买方信息"),
        (40, 342, f"名称：{BUYER_ID}{BUYER}"),
        (30, 310, "销售方信息"),
        (40, 297, f"名称：{SELLER_ID[:-1]}0{SELLER}"),  # wrong check character: left as read
    ]
    d = _digital(tmp_path, parties, [])
    assert (d["buyer"]["name"], d["buyer"]["tax_id"]) == (BUYER, BUYER_ID)
    assert d["seller"]["tax_id"] is None
    assert d["seller"]["name"].endswith(SELLER)


def test_unit_printed_next_to_the_spec(tmp_path):
    """``HSG100/55-800 套`` read as one spec cell: the trailing unit goes to the empty unit cell."""
    table = [it if it[2] != "0603106M" else (170, 232, "HSG100/55-800 套") for it in TABLE if it[2] != "千只"]
    items: list[Item] = [(200, 395, "电子发票（增值税专用发票）"), (420, 395, "发票号码：24342913747071183861"),
                         (30, 355, "购买方信息"), (40, 342, f"名称：{BUYER}")]
    doc = extract_bytes(_pdf(tmp_path, items + table), "inv.pdf")
    line = doc.data.lines[0]
    assert (line.spec, line.unit, line.quantity) == ("HSG100/55-800", "套", Decimal("100"))


def test_paper_invoice_bare_code_and_no_number(tmp_path):
    items: list[Item] = [(60, 395, "3700253161"), (220, 395, "山东增值税专用发票"), (430, 395, "No 01457397"),
                         (420, 380, "开票日期：2025年01月08日"),
                         (40, 350, f"名称：{BUYER}"), (40, 338, f"纳税人识别号：{BUYER_ID}")]
    table = [(x, y, "货物或应税劳务、服务名称" if t == "项目名称" else t) for x, y, t in TABLE]
    doc = extract_bytes(_pdf(tmp_path, items + table), "inv.pdf")
    assert (doc.data.code, doc.data.number) == ("3700253161", "01457397")
