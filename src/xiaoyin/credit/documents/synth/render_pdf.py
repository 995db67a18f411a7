"""Render document models to text PDFs with reportlab, following the shared layout contract (doclayout).

One function per document type; each returns PDF bytes. ``rng`` only picks cosmetic/wording variants
(never a value in the ground truth). PDFs are built with ``invariant=1`` so equal inputs give equal bytes.
"""

from __future__ import annotations

import io
import random
from collections.abc import Sequence
from decimal import Decimal

from reportlab.graphics.barcode.qrencoder import QRCode, QRErrorCorrectLevel
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from xiaoyin.credit.documents.schemas import (
    Contract,
    DeliveryNote,
    InvoiceStatus,
    LoanContract,
    Party,
    PaymentReceipt,
)
from xiaoyin.credit.documents.synth.documents import InvoiceDoc, fmt_date, fmt_money
from xiaoyin.credit.documents.synth.fonts import register_font

INVOICE_SIZE = (240 * mm, 140 * mm)
BROWN = (0.55, 0.27, 0.12)
BLUE = (0.1, 0.2, 0.55)
RED = (0.85, 0.1, 0.1)


def _canvas(size: tuple[float, float]) -> tuple[Canvas, io.BytesIO]:
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=size, invariant=1, pageCompression=1)
    return c, buf


def _t(c: Canvas, x: float, y: float, text: str, size: float = 9, color: Sequence[float] = (0, 0, 0),
       align: str = "l") -> None:
    """Draw ``text`` at (x, y) millimetres."""
    c.setFont(register_font(), size)
    c.setFillColorRGB(*color)
    if align == "r":
        c.drawRightString(x * mm, y * mm, text)
    elif align == "c":
        c.drawCentredString(x * mm, y * mm, text)
    else:
        c.drawString(x * mm, y * mm, text)


def _wrap(text: str, size: float, width_mm: float) -> list[str]:
    lines, cur = [], ""
    for ch in text:
        if stringWidth(cur + ch, register_font(), size) > width_mm * mm:
            lines.append(cur)
            cur = ""
        cur += ch
    return [*lines, cur] if cur else lines or [""]


def _num(x: Decimal | None) -> str:
    return "" if x is None else str(x)


def _rate(x: Decimal | None) -> str:
    return "免税" if x is None else f"{(x * 100).normalize():f}%"


def _finish(c: Canvas, buf: io.BytesIO) -> bytes:
    c.showPage()
    c.save()
    return buf.getvalue()


# ------------------------------------------------------------------ invoices


def _qr(c: Canvas, payload: str, x: float, y: float, size: float) -> None:
    """Draw a QR code (level M, 1-module quiet zone) as one filled path: fast and crisp."""
    qr = QRCode(None, QRErrorCorrectLevel.M)
    qr.addData(payload)
    qr.make()
    n = qr.getModuleCount()
    m = size * mm / (n + 2)
    path = c.beginPath()
    for r in range(n):
        col = 0
        while col < n:
            if qr.isDark(r, col):
                start = col
                while col < n and qr.isDark(r, col):
                    col += 1
                path.rect(x * mm + (start + 1) * m, y * mm + (n - r) * m, (col - start) * m, m)
            col += 1
    c.setFillColorRGB(0, 0, 0)
    c.drawPath(path, stroke=0, fill=1)


def render_invoice(doc: InvoiceDoc, rng: random.Random) -> bytes:
    """A VAT invoice face (240 x 140 mm) with QR code; 数电 or traditional layout by kind."""
    d = doc.data
    digital = doc.kind.is_digital
    c, buf = _canvas(INVOICE_SIZE)
    ink = BROWN if rng.random() < 0.7 else BLUE
    _qr(c, doc.qr_payload(), 8, 110, 24)
    title = doc.kind.value
    _t(c, 120, 127, title, 16 if digital else 17, ink, "c")
    tw = stringWidth(title, register_font(), 17) / mm
    c.setStrokeColorRGB(*ink)
    c.line((120 - tw / 2) * mm, 125 * mm, (120 + tw / 2) * mm, 125 * mm)
    if d.status is InvoiceStatus.red:
        _t(c, 120 + tw / 2 + 3, 127, "销项负数", 11, RED)
    head = []
    if d.code:
        head.append(f"发票代码：{d.code}")
    head += [f"发票号码：{d.number}", f"开票日期：{fmt_date(d.issue_date)}"]  # type: ignore[arg-type]
    if d.check_code:
        cc = d.check_code
        head.append("校验码：" + " ".join(cc[i:i + 5] for i in range(0, 20, 5)))
    if doc.machine_no:
        head.append(f"机器编号：{doc.machine_no}")
    for i, line in enumerate(head):
        _t(c, 165, 131 - i * 5, line, 8.5)
    c.setLineWidth(0.6)
    c.rect(8 * mm, 20 * mm, 224 * mm, 88 * mm)
    if digital:
        _invoice_digital_body(c, doc, ink)
    else:
        _invoice_traditional_body(c, doc, ink, rng)
    if d.status is InvoiceStatus.void:
        c.saveState()
        c.setFillAlpha(0.45)
        c.translate(120 * mm, 62 * mm)
        c.rotate(18)
        _t(c, 0, -10, "作废", 90, RED, "c")
        c.restoreState()
    return _finish(c, buf)


def _party_rows(p: Party, digital: bool) -> list[str]:
    if digital:
        return [f"名称：{p.name}", f"统一社会信用代码/纳税人识别号：{p.tax_id}"]
    return [f"名称：{p.name}", f"纳税人识别号：{p.tax_id}", f"地址、电话：{p.address} {p.phone}",
            f"开户行及账号：{p.bank} {p.account}"]


COLS_T = ((10, "货物或应税劳务、服务名称", "l"), (70, "规格型号", "l"), (104, "单位", "l"),
          (132, "数量", "r"), (158, "单价", "r"), (186, "金额", "r"), (198, "税率", "l"), (230, "税额", "r"))
COLS_D = ((10, "项目名称", "l"), (70, "规格型号", "l"), (104, "单位", "l"), (132, "数量", "r"),
          (158, "单价", "r"), (186, "金额", "r"), (190, "税率/征收率", "l"), (230, "税额", "r"))


def _items(c: Canvas, doc: InvoiceDoc, cols: tuple[tuple[int, str, str], ...], y: float, ink: Sequence[float]) -> None:
    for x, h, a in cols:
        _t(c, x if a == "l" else x, y, h, 8.5, ink, a)
    for i, li in enumerate(doc.data.lines):
        vals = [li.name or "", li.spec or "", li.unit or "", _num(li.quantity), _num(li.unit_price),
                fmt_money(li.amount) if li.amount is not None else "", _rate(li.tax_rate),
                fmt_money(li.tax) if li.tax is not None else ""]
        for (x, _, a), v in zip(cols, vals, strict=True):
            _t(c, x, y - 5.5 - i * 5, v, 8.5, (0, 0, 0), a)


def _totals(c: Canvas, doc: InvoiceDoc, y: float, ink: Sequence[float]) -> None:
    d = doc.data
    _t(c, 30, y, "合计", 9, ink, "c")
    _t(c, 186, y, f"¥{fmt_money(d.total_amount)}", 9, (0, 0, 0), "r")  # type: ignore[arg-type]
    _t(c, 230, y, f"¥{fmt_money(d.total_tax)}", 9, (0, 0, 0), "r")  # type: ignore[arg-type]
    c.line(8 * mm, (y - 2.5) * mm, 232 * mm, (y - 2.5) * mm)
    _t(c, 10, y - 7, "价税合计（大写）", 9, ink)
    _t(c, 42, y - 7, f"ⓧ{d.total_with_tax_upper}", 9.5)
    _t(c, 165, y - 7, "（小写）", 9, ink)
    _t(c, 180, y - 7, f"¥{fmt_money(d.total_with_tax)}", 9.5)  # type: ignore[arg-type]
    c.line(8 * mm, (y - 10) * mm, 232 * mm, (y - 10) * mm)


def _invoice_traditional_body(c: Canvas, doc: InvoiceDoc, ink: Sequence[float], rng: random.Random) -> None:
    d = doc.data
    for i, ch in enumerate("购买方"):
        _t(c, 10, 101 - i * 5, ch, 9, ink)
    for i, row in enumerate(_party_rows(d.buyer, False)):
        _t(c, 17, 103 - i * 4.8, row, 8.5)
    _t(c, 150, 103, "密码区", 8, ink)
    for i in range(4):
        _t(c, 160, 103 - i * 4.8, "".join(rng.choice("0123456789+-*/<>") for _ in range(28)), 8)
    c.line(8 * mm, 86 * mm, 232 * mm, 86 * mm)
    _items(c, doc, COLS_T, 82, ink)
    _totals(c, doc, 54, ink)
    for i, ch in enumerate("销售方"):
        _t(c, 10, 39 - i * 5, ch, 9, ink)
    for i, row in enumerate(_party_rows(d.seller, False)):
        _t(c, 17, 41 - i * 4.8, row, 8.5)
    _t(c, 150, 41, "备注：", 8.5, ink)
    for i, line in enumerate(_wrap(d.remarks or "", 7.5, 70)):
        _t(c, 160, 41 - i * 4, line, 7.5)
    _t(c, 12, 14, f"收款人：{doc.payee}", 9)
    _t(c, 70, 14, f"复核：{doc.reviewer}", 9)
    _t(c, 125, 14, f"开票人：{d.drawer}", 9)
    _t(c, 180, 14, "销售方：（章）", 9, ink)


def _invoice_digital_body(c: Canvas, doc: InvoiceDoc, ink: Sequence[float]) -> None:
    d = doc.data
    c.line(120 * mm, 88 * mm, 120 * mm, 108 * mm)
    for x, head, p in ((11, "购买方信息", d.buyer), (123, "销售方信息", d.seller)):
        _t(c, x, 103, head, 9, ink)
        for i, row in enumerate(_party_rows(p, True)):
            _t(c, x, 97 - i * 5, row, 8.5)
    c.line(8 * mm, 88 * mm, 232 * mm, 88 * mm)
    _items(c, doc, COLS_D, 83, ink)
    _totals(c, doc, 54, ink)
    _t(c, 10, 38, "备注：", 9, ink)
    for i, line in enumerate(_wrap(d.remarks or "", 8.5, 200)):
        _t(c, 22, 38 - i * 4.5, line, 8.5)
    _t(c, 12, 14, f"开票人：{d.drawer}", 9)


# ------------------------------------------------------------------ A4 flowing documents


class _Flow:
    """A top-down writer on A4 pages with wrapping and page breaks."""

    def __init__(self, size: tuple[float, float] = A4, top: float = 272, left: float = 20, right: float = 190):
        self.c, self.buf = _canvas(size)
        self.top, self.left, self.right, self.y = top, left, right, top

    def need(self, h: float) -> None:
        if self.y - h < 18:
            self.c.showPage()
            self.y = self.top

    def line(self, text: str, size: float = 10.5, indent: float = 0, gap: float = 1.6, align: str = "l") -> None:
        for part in _wrap(text, size, self.right - self.left - indent):
            self.need(size * 0.353 * gap)
            x = (self.left + self.right) / 2 if align == "c" else self.left + indent
            _t(self.c, x, self.y, part, size, align=align)
            self.y -= size * 0.353 * gap

    def space(self, h: float) -> None:
        self.y -= h

    def table(self, cols: Sequence[tuple[float, str, str]], rows: Sequence[Sequence[str]], size: float = 9.5) -> None:
        h = 7.0
        self.need(h * (len(rows) + 1))
        c = self.c
        top = self.y + 4.5
        for r, vals in enumerate([[h_ for _, h_, _ in cols], *rows]):
            y = self.y - r * h
            for (x, _, a), v in zip(cols, vals, strict=True):
                _t(c, x, y, v, size, align=a)
        bottom = self.y - len(rows) * h - 2.5
        c.setLineWidth(0.5)
        for r in range(len(rows) + 2):
            c.line(self.left * mm, (top - r * h) * mm, self.right * mm, (top - r * h) * mm)
        c.line(self.left * mm, top * mm, self.left * mm, bottom * mm)
        c.line(self.right * mm, top * mm, self.right * mm, bottom * mm)
        self.y = bottom - 6

    def bytes(self) -> bytes:
        return _finish(self.c, self.buf)


PARTY_LABELS = (("甲方（买方）", "乙方（卖方）", "甲方", "乙方"), ("买方", "卖方", "买方", "卖方"),
                ("需方", "供方", "需方", "供方"))
CN_NUM = "一二三四五六七八九十"


def _party_block(f: _Flow, label: str, p: Party, order: int) -> None:
    f.line(f"{label}：{p.name}", 11)
    rows = [("统一社会信用代码", p.tax_id), ("法定代表人", p.legal_rep), ("地址", p.address), ("电话", p.phone),
            ("开户行", p.bank), ("账号", p.account)]
    if order == 1:
        rows = [rows[0], rows[2], rows[1], rows[3], rows[4], rows[5]]
    for k, v in rows:
        f.line(f"{k}：{v}", 10, indent=6, gap=1.5)
    f.space(2)


def render_contract(ct: Contract, rng: random.Random) -> bytes:
    """购销合同 (A4, 1-2 pages) with one of three wording variants."""
    v = rng.randrange(3)
    buyer_l, seller_l, buyer_s, seller_s = PARTY_LABELS[v]
    f = _Flow()
    f.line(ct.title or "购销合同", 18, align="c", gap=2.2)
    f.line(f"合同编号：{ct.number}", 10)
    f.line(f"签订日期：{fmt_date(ct.sign_date)}", 10)  # type: ignore[arg-type]
    f.line(f"签订地点：{ct.buyer.address[:ct.buyer.address.index('市') + 1] if ct.buyer.address else ''}", 10)
    f.space(3)
    order = rng.randrange(2)
    _party_block(f, buyer_l, ct.buyer, order)
    _party_block(f, seller_l, ct.seller, order)
    f.line(rng.choice((
        f"根据《中华人民共和国民法典》及有关法律法规的规定，{buyer_s}、{seller_s}双方本着平等互利的原则，"
        "经友好协商，就产品买卖事宜达成如下协议：",
        f"{buyer_s}向{seller_s}采购下列产品，双方经协商一致，签订本合同，共同遵守。",
        "为明确双方的权利义务，经双方协商一致，订立本合同。")), 10.5)
    f.line(f"{CN_NUM[0]}、产品名称、规格型号、数量及价款", 10.5)
    cols = ((22, "序号", "l"), (34, "产品名称", "l"), (66, "规格型号", "l"), (108, "单位", "l"),
            (135, "数量", "r"), (160, "单价（元）", "r"), (188, "金额（元）", "r"))
    rows = [[str(i + 1), li.name or "", li.spec or "", li.unit or "", _num(li.quantity),
             fmt_money(li.unit_price, True), fmt_money(li.amount, True)]  # type: ignore[arg-type]
            for i, li in enumerate(ct.lines)]
    rows.append(["合计", "", "", "", "", "", fmt_money(ct.total_amount, True)])  # type: ignore[arg-type]
    f.table(cols, rows)
    f.line(f"合同总金额：人民币（大写）{ct.total_amount_upper} （小写）¥{fmt_money(ct.total_amount, True)}",  # type: ignore[arg-type]
           10.5)
    f.line("（以上价格含13%增值税，含运费及包装费。）" if rng.random() < 0.5 else "（上述价格为含税价。）", 9.5)
    clauses = [
        f"交货期限：{fmt_date(ct.delivery_date)}前",  # type: ignore[arg-type]
        f"交货地点：{ct.delivery_place}",
        f"付款方式：{ct.payment_terms}",
        "质量标准：按国家标准或行业标准执行，" + seller_s + "提供产品合格证及质量证明书。",
        f"验收方式：{buyer_s}应在货到后5个工作日内验收，逾期未提出书面异议的视为验收合格。",
        f"违约责任：任何一方违约，应向守约方支付合同总金额{rng.choice((5, 10, 20))}%的违约金。",
        f"争议解决：因本合同引起的争议，双方协商解决；协商不成的，向{buyer_s}所在地人民法院提起诉讼。",
        "本合同一式" + rng.choice(("两", "肆", "贰")) + "份，双方各执" + rng.choice(("一", "贰")) + "份，自双方签字盖章之日起生效。",
    ]
    if v == 2:
        clauses.insert(5, "包装方式：按行业通用标准包装，包装物不回收。")
    for i, cl in enumerate(clauses):
        f.line(f"{CN_NUM[i + 1]}、{cl}", 10.5)
    f.space(6)
    f.need(30)
    y0 = f.y
    for x, lab, p in ((20, buyer_s, ct.buyer), (110, seller_s, ct.seller)):
        f.y = y0
        _t(f.c, x, f.y, f"{lab}（盖章）：{p.name}", 9.5)
        _t(f.c, x, f.y - 7, f"法定代表人或授权代表：{p.legal_rep}", 9.5)
        _t(f.c, x, f.y - 14, f"日期：{fmt_date(ct.sign_date)}", 9.5)  # type: ignore[arg-type]
    f.y = y0 - 20
    return f.bytes()


def render_loan_contract(lc: LoanContract, rng: random.Random) -> bytes:
    """流动资金借款合同 (A4)."""
    f = _Flow()
    f.line("流动资金借款合同", 18, align="c", gap=2.2)
    f.line(f"合同编号：{lc.number}", 10)
    f.line(f"签订日期：{fmt_date(lc.sign_date)}", 10)  # type: ignore[arg-type]
    f.space(3)
    f.line(f"贷款人：{lc.lender.name}", 11)
    f.space(1)
    b = lc.borrower
    f.line(f"借款人：{b.name}", 11)
    for k, v in (("统一社会信用代码", b.tax_id), ("法定代表人", b.legal_rep), ("地址", b.address)):
        f.line(f"{k}：{v}", 10, indent=6)
    f.space(3)
    f.line("借款人因生产经营需要，向贷款人申请流动资金贷款，贷款人同意发放。双方经协商一致，订立本合同。", 10.5)
    rate = f"{(lc.annual_rate * 100).quantize(Decimal('0.01'))}%"  # type: ignore[operator]
    items = [
        f"借款金额：人民币（大写）{lc.amount_upper} （小写）¥{fmt_money(lc.amount, True)}",  # type: ignore[arg-type]
        f"借款年利率：{rate}" + rng.choice(("，按月结息", "，按季结息", "")),
        f"借款期限：自{fmt_date(lc.start_date)}起至{fmt_date(lc.end_date)}止",  # type: ignore[arg-type]
        f"借款用途：{lc.purpose}",
        f"对应贸易合同编号：{lc.trade_contract_number}",
        "支付方式：本合同项下借款采用贷款人受托支付方式，直接支付给借款人交易对象。",
        "还款方式：" + rng.choice(("到期一次性还本，按期付息。", "分期还本，按月付息。")),
        "借款人应按约定用途使用借款，不得挪用，不得用于固定资产、股权等投资。",
    ]
    for i, it in enumerate(items):
        f.line(f"第{CN_NUM[i]}条 {it}", 10.5)
    f.space(8)
    f.need(25)
    y0 = f.y
    _t(f.c, 20, y0, f"贷款人（盖章）：{lc.lender.name}", 9.5)
    _t(f.c, 20, y0 - 7, f"借款人（盖章）：{b.name}", 9.5)
    _t(f.c, 20, y0 - 14, f"签订日期：{fmt_date(lc.sign_date)}", 9.5)  # type: ignore[arg-type]
    return f.bytes()


def render_delivery_note(dn: DeliveryNote, rng: random.Random) -> bytes:
    """送货单 / 入库单 on an A5-landscape form."""
    f = _Flow((210 * mm, 148 * mm), top=132, left=15, right=195)
    title = "送货单" if dn.kind == "delivery" else "入库单"
    f.line(title, 17, align="c", gap=2.0)
    consignor = rng.choice(("发货单位", "供货单位")) if dn.kind == "delivery" else "供货单位"
    y = f.y
    _t(f.c, 15, y, f"单号：{dn.number}", 10)
    _t(f.c, 120, y, f"日期：{fmt_date(dn.date)}", 10)  # type: ignore[arg-type]
    f.y -= 6
    f.line(f"{consignor}：{dn.consignor.name}", 10)
    f.line(f"收货单位：{dn.consignee.name}", 10)
    f.line(f"合同编号：{dn.contract_number}", 10)
    if dn.warehouse:
        f.line(f"仓库：{dn.warehouse}", 10)
    f.space(2)
    cols = ((17, "序号", "l"), (30, "货物名称", "l"), (75, "规格型号", "l"), (130, "单位", "l"), (165, "数量", "r"),
            (172, "备注", "l"))
    rows = [[str(i + 1), li.name or "", li.spec or "", li.unit or "", _num(li.quantity), ""]
            for i, li in enumerate(dn.lines)]
    f.table(cols, rows)
    y = f.y
    sender = "送货人" if dn.kind == "delivery" else "交货人"
    _t(f.c, 15, y, f"{sender}：{rng.choice(('张师傅', '李师傅', '王强', '陈刚'))}", 10)
    _t(f.c, 80, y, f"收货人（签字）：{rng.choice(('赵敏', '孙丽', '周伟', '吴静'))}", 10)
    if dn.kind == "warehouse_receipt":
        _t(f.c, 150, y, "仓管员：" + rng.choice(("刘洋", "郭涛")), 10)
    return f.bytes()


def render_receipt(pr: PaymentReceipt, rng: random.Random, bank_short: str) -> bytes:
    """银行电子回单 (210 x 120 mm) with side-by-side payer/payee blocks."""
    size = (210 * mm, 120 * mm)
    c, buf = _canvas(size)
    v = rng.randrange(3)
    title = f"{bank_short}电子回单" if v != 1 else "网上银行电子回单"
    _t(c, 105, 108, title, 15, BLUE if v else (0, 0, 0), "c")
    _t(c, 12, 99, f"回单编号：{pr.serial}", 9)
    _t(c, 120, 99, f"交易日期：{fmt_date(pr.date)}", 9)  # type: ignore[arg-type]
    c.rect(10 * mm, 32 * mm, 190 * mm, 63 * mm)
    c.line(105 * mm, 65 * mm, 105 * mm, 95 * mm)
    c.line(10 * mm, 65 * mm, 200 * mm, 65 * mm)
    for x, head, p in ((13, "付款人", pr.payer), (108, "收款人", pr.payee)):
        _t(c, x, 89, head, 10, BLUE)
        for i, (k, val) in enumerate((("户名", p.name), ("账号", p.account), ("开户行", p.bank))):
            _t(c, x, 83 - i * 5.5, f"{k}：{val}", 8.5)
    rows = [f"金额（大写）：人民币{pr.amount_upper}", f"金额（小写）：¥{fmt_money(pr.amount, True)}",  # type: ignore[arg-type]
            f"用途：{pr.purpose}", f"附言：{rng.choice(('支付货款', '货款', '采购款', '合同款'))}"]
    if v == 2:
        rows.insert(2, "币种：人民币")
    for i, r in enumerate(rows):
        _t(c, 13, 59 - i * 6, r, 9.5)
    _t(c, 12, 25, f"打印日期：{fmt_date(pr.date)}", 8)  # type: ignore[arg-type]
    _t(c, 120, 25, "本回单为电子回单，可通过验证码查询真伪" if v else "重复打印无效", 8)
    c.setStrokeColorRGB(*RED)
    c.circle(175 * mm, 45 * mm, 11 * mm)
    _t(c, 175, 46, "电子回单", 7, RED, "c")
    _t(c, 175, 41, "专用章", 7, RED, "c")
    return _finish(c, buf)
