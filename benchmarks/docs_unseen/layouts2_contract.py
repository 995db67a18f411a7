"""Purchase contract layouts 6–7 (split heldout2, A4). render(path, con, rng) -> printed data.

Written without seeing the extractor (see README.md).
"""

from __future__ import annotations

from common import Pg, dec_str, money, wrap_text
from layouts2_common import bold, date_cn, date_style, ensure_fonts, hand, party
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

ALL = ["name", "tax_id", "address", "legal_rep", "phone", "bank", "account"]
GREY = (0.42, 0.42, 0.42)


def cline(l):
    return {"name": l["name"], "spec": l["spec"], "unit": l["unit"], "quantity": dec_str(l["qty"]),
            "unit_price": dec_str(l["price"]), "amount": money(l["amount"])}


def base_data(con, title):
    return {"number": con["number"], "title": title, "sign_date": con["sign_date"].isoformat(),
            "buyer": party(con["buyer"], ALL), "seller": party(con["seller"], ALL),
            "lines": [cline(l) for l in con["lines"]],
            "total_amount": money(con["total_amount"]), "total_amount_upper": con["upper"],
            "delivery_date": con["delivery_date"].isoformat(), "delivery_place": con["delivery_place"],
            "payment_terms": con["payment_terms"]}


# ======================================================================== con6: bilingual purchase order (采购订单)
def con6(path, con, rng):
    ensure_fonts()
    c = canvas.Canvas(path, pagesize=A4)
    pg = Pg(c, 210, 297, "NotoSans")
    b, s = con["buyer"], con["seller"]
    teal = (0.05, 0.36, 0.4)
    title = "采购订单"
    ds = rng.choice(["slash", "slash0", "iso"])
    # letterhead: the buyer issues the order
    pg.rect(18, 11, 12, 12, 0, fill=teal)
    mark = b["name"][len(b["city"])] if b["name"].startswith(b["city"]) else b["name"][0]
    pg.text(24, 19.6, mark, 15, anchor="c", color=(1, 1, 1))
    bold(pg, 33, 17.5, b["name"], 12.5, color=teal)
    pg.text(33, 22.5, "采购部  Purchasing Department", 7.5, color=GREY)
    bold(pg, 192, 18, title, 18, anchor="r")
    pg.text(192, 24, "PURCHASE ORDER", 9.5, "Helvetica-Bold", anchor="r", color=teal)
    pg.line(18, 27.5, 192, 27.5, 1.6, teal)
    head = [["订单编号 PO No.", con["number"], "订单日期 PO Date", date_style(con["sign_date"], ds)],
            ["币种 Currency", "人民币 CNY", "页码 Page", "1 / 1"]]
    for ri in range(2):
        for x in (18, 105):
            pg.rect(x, 31 + ri * 7, 30, 7, 0, fill=(0.92, 0.95, 0.95))
    y = pg.table(18, 31, [30, 57, 30, 57], head, 7, 8, aligns=["l", "l", "l", "l"], header_rows=0, lw=0.3,
                 color=(0.6, 0.6, 0.6))
    y += 5
    labels = [("名称 Name", "name", 7), ("税号 Tax ID", "tax_id", 7), ("地址 Address", "address", 10),
              ("法定代表人 Legal Rep.", "legal_rep", 7), ("电话 Tel", "phone", 7), ("开户行 Bank", "bank", 7),
              ("账号 A/C No.", "account", 7)]
    for x, head_s, p in [(18, "供应商  Vendor", s), (107, "采购方  Buyer / Bill To", b)]:
        pg.rect(x, y, 85, 6.5, 0, fill=teal)
        pg.text(x + 2, y + 4.6, head_s, 8.5, color=(1, 1, 1))
        yy = y + 6.5
        for lab, k, h in labels:
            pg.text(x + 1.5, yy + h / 2 + 1.2, lab, 6.8, color=GREY)
            pg.cell(x + 27, yy, 58, h, p[k], 8.3, wrap=True)
            pg.line(x, yy + h, x + 85, yy + h, 0.25, (0.75, 0.75, 0.75))
            yy += h
        pg.rect(x, y, 85, yy - y, 0.4, teal)
    y = yy + 5
    rows = [["交货地址 Ship To", con["delivery_place"]],
            ["要求到货 Need By", date_style(con["delivery_date"], ds)],
            ["付款条件 Payment Terms", con["payment_terms"]]]
    y = pg.table(18, y, [36, 138], rows, 7, 8, aligns=["l", "l"], header_rows=0, lw=0.3, color=(0.6, 0.6, 0.6),
                 wrap_cols=(1,))
    y += 5
    cols = [("行号", "Ln", 9, "c"), ("物料编码", "Item No.", 18, "l"), ("物料描述", "Description", 27, "l"),
            ("规格", "Spec.", 32, "l"), ("单位", "UOM", 11, "c"), ("数量", "Qty", 18, "r"),
            ("含税单价", "Unit Price", 20, "r"), ("含税金额", "Amount", 24, "r"), ("交期", "Due", 15, "c")]
    widths = [w for _, _, w, _ in cols]
    pg.rect(18, y, 174, 10, 0, fill=(0.88, 0.93, 0.93))
    x = 18
    for cn, en, w, _ in cols:
        pg.text(x + w / 2, y + 4.3, cn, 7.8, anchor="c")
        pg.text(x + w / 2, y + 8.3, en, 6.2, "Helvetica", anchor="c", color=GREY)
        x += w
    rows = [["", "", "", "", "", "", "", "", ""]]
    due = date_style(con["delivery_date"], "slash")
    for i, l in enumerate(con["lines"], 1):
        rows.append([str(i), f"{rng.choice('ABCDEFGHK')}{rng.randint(10, 99)}-{rng.randint(100000, 999999)}", l["name"], l["spec"],
                     l["unit"], dec_str(l["qty"]), dec_str(l["price"]), money(l["amount"], True), due])
    tb = pg.table(18, y, widths, rows[:1], 10, 7.5, header_rows=1, lw=0.3, color=(0.55, 0.55, 0.55))
    y = pg.table(18, tb, widths, rows[1:], 7, 7.8, aligns=[a for _, _, _, a in cols], header_rows=0, lw=0.3,
                 color=(0.55, 0.55, 0.55), wrap_cols=(2, 3))
    y += 6
    pg.text(120, y, "订单总额（含税）Total：", 9, anchor="r")
    bold(pg, 192, y, "¥" + money(con["total_amount"], True), 10.5, anchor="r")
    y += 6.5
    pg.text(18, y, "金额大写 In Words：", 8.5, color=GREY)
    pg.text(45, y, "人民币" + con["upper"], 9.5)
    y += 8
    pg.text(18, y, "条款与条件  Terms & Conditions", 9, color=teal)
    y += 2
    terms = [
        "本订单经双方签字盖章后即构成双方之间的买卖合同，与书面合同具有同等法律效力；供应商应在收到订单后两个工作日内签章回传。",
        "订单价格为含税价，供应商应按订单内容开具合法有效的增值税专用发票，发票货物名称、规格、数量须与本订单一致。",
        "供应商须按约定时间将货物送至交货地址，逾期交货的，每日按未交货部分金额的千分之三支付违约金。",
        "货物质量须符合国家标准及采购方技术要求，验收不合格的，采购方有权拒收或退货，由此产生的费用由供应商承担。",
        "因本订单发生的争议，双方协商解决；协商不成的，提交采购方所在地人民法院诉讼解决。",
    ]
    for i, t in enumerate(terms, 1):
        for k, ln in enumerate(wrap_text(pg, t, 7.4, 168)):
            y += 3.9
            pg.text(18, y, f"{i}." if k == 0 else "", 7.4, color=GREY)
            pg.text(23, y, ln, 7.4, color=(0.25, 0.25, 0.25))
    y = max(y + 7, 238)
    for x, head_s, p in [(18, "采购方（盖章）Buyer", b), (107, "供应商确认（盖章）Vendor", s)]:
        pg.rect(x, y, 85, 34, 0.4, (0.6, 0.6, 0.6))
        pg.text(x + 2, y + 5.5, head_s, 8.5)
        pg.text(x + 2, y + 17, "授权代表 Authorized：", 7.8, color=GREY)
        hand(pg, x + 36, y + 17.5, p["legal_rep"] if rng.random() < 0.5 else rng.choice(["赵敏", "何军", "蒋丽"]), 12, rng)
        pg.text(x + 2, y + 28, "日期 Date：", 7.8, color=GREY)
        pg.text(x + 20, y + 28, date_style(con["sign_date"], ds), 8.5)
    pg.seal(18 + 66, y + 17, 15, b["name"], "合同专用章", font="NotoSans")
    pg.seal(107 + 65, y + 18, 15, s["name"], "合同专用章", font="NotoSans")
    pg.text(105, 288, "本订单由采购管理系统生成，涂改无效。", 7, anchor="c", color=GREY)
    c.showPage()
    c.save()
    return base_data(con, title)


# ======================================================================== con7: clauses first, goods list as an annex, 2 pages
class Flow:
    """Writes paragraphs down an A4 page; breaks to page 2 when full."""

    def __init__(self, c, con, title, font="NotoSerif"):
        self.c, self.con, self.title, self.font = c, con, title, font
        self.page = 1
        self.pg = Pg(c, 210, 297, font)
        self.y = 0.0

    def chrome(self):
        pg = self.pg
        pg.text(105, 289, f"第 {self.page} 页  共 2 页", 8, anchor="c", color=GREY)
        if self.page > 1:
            pg.text(190, 14, f"合同编号：{self.con['number']}", 8, anchor="r", color=GREY)
            pg.line(20, 16, 190, 16, 0.3, GREY)

    def new_page(self):
        self.c.showPage()
        self.page += 1
        self.pg = Pg(self.c, 210, 297, self.font)
        self.chrome()
        self.y = 26

    def ensure(self, h):
        if self.y + h > 272 and self.page == 1:
            self.new_page()

    def para(self, s, size=10, indent=True, lead=1.6, x=20, maxw=170):
        lines = wrap_text(self.pg, ("\u3000\u3000" if indent else "") + s, size, maxw)
        lh = size * 0.3528 * lead
        for ln in lines:
            self.ensure(lh)
            self.y += lh
            self.pg.text(x, self.y, ln, size)

    def heading(self, s, size=10.5):
        self.ensure(14)
        self.y += size * 0.3528 * 2.0
        bold(self.pg, 20, self.y, s, size, stroke=0.25)


def con7(path, con, rng):
    ensure_fonts()
    c = canvas.Canvas(path, pagesize=A4)
    b, s = con["buyer"], con["seller"]
    title = rng.choice(["买卖合同", "商品买卖合同", "产品购销合同"])
    f = Flow(c, con, title)
    pg = f.pg
    f.chrome()
    pg.text(190, 18, f"合同编号：{con['number']}", 9.5, anchor="r")
    bold(pg, 105, 32, "　".join(title) if len(title) <= 4 else title, 19, anchor="c", stroke=0.4)
    f.y = 40
    for who, p in [("买　　方", b), ("卖　　方", s)]:
        short = "买方" if who.startswith("买") else "卖方"
        f.y += 7
        bold(pg, 20, f.y, f"{who}：{p['name']}", 10.5, stroke=0.2)
        pg.text(20 + pg.width(f"{who}：{p['name']}", 10.5) + 1, f.y, f"（以下简称“{short}”）", 10.5)
        for lab, k in [("统一社会信用代码", "tax_id"), ("住　　所", "address"), ("法定代表人", "legal_rep"),
                       ("联系电话", "phone")]:
            f.y += 5.8
            pg.text(27, f.y, f"{lab}：{p[k]}", 9.5)
        f.y += 1
    f.y += 3
    f.para("根据《中华人民共和国民法典》及相关法律法规，买卖双方在平等、自愿、公平、诚实信用的基础上，"
           "经协商一致，就买方向卖方购买货物事宜订立本合同，以资共同遵守。")
    clauses = [
        ("第一条　标的物", "买方向卖方购买的标的物名称、规格型号、数量、单价及金额详见本合同附件《产品清单》。附件为本合同不可分割的组成部分。"),
        ("第二条　合同价款", f"本合同总价款为人民币{con['upper']}（¥{money(con['total_amount'], True)}），"
                         "该价款已包含增值税、包装费及运至交货地点的运输费用。"),
        ("第三条　交付", f"卖方应于{date_cn(con['delivery_date'])}前将全部标的物交付至{con['delivery_place']}，"
                      "交付时应随附送货单及产品合格证明文件。"),
        ("第四条　价款结算", f"{con['payment_terms']}。卖方应在收款前向买方开具合法有效的增值税发票。"),
        ("第五条　检验与验收", "买方应在收到标的物后七日内进行验收，对数量、外观的异议应在验收期内书面提出；"
                           "对内在质量的异议应在收货后三十日内书面提出。"),
        ("第六条　所有权与风险转移", "标的物的所有权及毁损、灭失的风险自交付时起转移至买方。"),
        ("第七条　违约责任", "卖方逾期交货的，每逾期一日按逾期交货部分价款的千分之五向买方支付违约金；"
                         "买方逾期付款的，每逾期一日按逾期付款金额的千分之五向卖方支付违约金。"),
        ("第八条　不可抗力", "因不可抗力致使不能履行合同的，受影响一方应及时通知对方，并在十五日内提供证明，可部分或全部免除责任。"),
        ("第九条　争议解决", "因本合同引起的或与本合同有关的任何争议，双方应友好协商解决；协商不成的，任何一方均可向原告所在地"
                         "有管辖权的人民法院提起诉讼。"),
        ("第十条　其他", "本合同一式肆份，买卖双方各执贰份，具有同等法律效力。本合同自双方签字并盖章之日起生效。"),
    ]
    for head, body in clauses:
        f.heading(head)
        f.para(body)
    if f.page == 1:
        f.new_page()
    pg = f.pg
    f.y += 6
    pg.text(105, f.y, "（以下无正文）", 9.5, anchor="c")
    y = f.y + 6
    rows = [[f"买方（盖章）：{b['name']}", f"卖方（盖章）：{s['name']}"], ["", ""], ["", ""],
            ["法定代表人或授权代表（签字）：", "法定代表人或授权代表（签字）："],
            [f"开户银行：{b['bank']}", f"开户银行：{s['bank']}"],
            [f"账　　号：{b['account']}", f"账　　号：{s['account']}"],
            [f"签订日期：{date_cn(con['sign_date'])}", f"签订日期：{date_cn(con['sign_date'])}"]]
    top = y
    y = pg.table(20, y, [85, 85], rows, 8.5, 9, aligns=["l", "l"], header_rows=0, grid=False)
    pg.seal(58 + rng.uniform(-4, 4), top + 17, 17, b["name"], "合同专用章", font="NotoSerif")
    pg.seal(143 + rng.uniform(-4, 4), top + 17.5, 17, s["name"], "合同专用章", font="NotoSerif")
    hand(pg, 74, top + 31, b["legal_rep"], 12, rng)
    hand(pg, 159, top + 31, s["legal_rep"], 12, rng)
    y += 10
    bold(pg, 20, y, "附件：产品清单", 10.5, stroke=0.2)
    rows = [["序号", "产品名称", "规格型号", "单位", "数量", "含税单价（元）", "含税金额（元）"]]
    for i, l in enumerate(con["lines"], 1):
        rows.append([str(i), l["name"], l["spec"], l["unit"], dec_str(l["qty"]), dec_str(l["price"]), money(l["amount"], True)])
    rows.append(["合计", "", "", "", "", "", money(con["total_amount"], True)])
    pg.table(20, y + 4, [12, 34, 36, 14, 22, 24, 28], rows, 7.5, 9, aligns=["c", "l", "l", "c", "r", "r", "r"], lw=0.4,
             wrap_cols=(1, 2))
    c.showPage()
    c.save()
    return base_data(con, title)


LAYOUTS = [
    {"id": "con6_po_bilingual", "split": "heldout2", "fn": con6,
     "desc": "采购订单 PURCHASE ORDER(买方抬头, 中英双语标签), 供应商/采购方并列框, 行项目含物料编码/交期, 条款小字, 双方签章框, Noto Sans"},
    {"id": "con7_annex_2page", "split": "heldout2", "fn": con7,
     "desc": "两页买卖合同: 先条款后签章, 货物明细在末页附件《产品清单》, 开户行/账号只在签章栏, 中文数字日期(二〇二四年…), Noto Serif"},
]
