"""Purchase contract layouts (A4). render(path, con, rng) -> printed data."""

from __future__ import annotations

from common import Pg, dec_str, fmt_date, money, paragraph
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

ALL = ["name", "tax_id", "address", "legal_rep", "phone", "bank", "account"]


def party(p, fields):
    return {f: p[f] for f in fields if p.get(f)}


def cline(l, price_key="unit_price"):
    return {"name": l["name"], "spec": l["spec"], "unit": l["unit"], "quantity": dec_str(l["qty"]),
            "unit_price": dec_str(l["price"]), "amount": money(l["amount"])}


def base_data(con, title, bfields, sfields, lines):
    return {"number": con["number"], "title": title, "sign_date": con["sign_date"].isoformat(),
            "buyer": party(con["buyer"], bfields), "seller": party(con["seller"], sfields), "lines": lines,
            "total_amount": money(con["total_amount"]), "total_amount_upper": con["upper"],
            "delivery_date": con["delivery_date"].isoformat(), "delivery_place": con["delivery_place"],
            "payment_terms": con["payment_terms"]}


def new_canvas(path):
    c = canvas.Canvas(path, pagesize=A4)
    return c


def footer(pg, text, page, pages):
    pg.text(105, 290, f"{text}   第 {page} 页 共 {pages} 页", 8, anchor="c", color=(0.35, 0.35, 0.35))


# ======================================================================== con1: 购销合同, stacked party blocks
def con1(path, con, rng):
    c = new_canvas(path)
    pg = Pg(c, 210, 297, "UMing")
    b, s = con["buyer"], con["seller"]
    title = "购销合同"
    pg.spaced(105, 22, title, 20, 4)
    pg.text(140, 32, f"合同编号：{con['number']}", 10)
    pg.text(140, 38, f"签订地点：{con['sign_place']}", 10)
    y = 48
    for who, p in [("甲方（需方）", b), ("乙方（供方）", s)]:
        pg.text(20, y, f"{who}：{p['name']}", 11)
        y += 6
        for lab, k in [("统一社会信用代码", "tax_id"), ("住所地", "address"), ("法定代表人", "legal_rep"),
                       ("联系电话", "phone"), ("开户银行", "bank"), ("账    号", "account")]:
            pg.text(26, y, f"{lab}：{p[k]}", 9.5)
            y += 5.2
        y += 3
    y = paragraph(pg, 20, y + 2, "根据《中华人民共和国民法典》及有关法律法规的规定，甲乙双方本着平等互利的原则，经友好协商，就甲方向乙方采购下列货物事宜达成一致，签订本合同，以资共同遵守。", 10, 170)
    pg.text(20, y + 3, "一、货物名称、规格型号、数量及价款", 10.5)
    rows = [["序号", "产品名称", "规格型号", "单位", "数量", "单价（元）", "金额（元）", "备注"]]
    for i, l in enumerate(con["lines"], 1):
        rows.append([str(i), l["name"], l["spec"], l["unit"], dec_str(l["qty"]), dec_str(l["price"]), money(l["amount"]), "含税"])
    rows.append(["合计", "", "", "", "", "", money(con["total_amount"]), ""])
    y = pg.table(20, y + 6, [11, 32, 33, 12, 20, 22, 26, 14], rows, 7, 9, aligns=["c", "l", "l", "c", "r", "r", "r", "c"])
    y += 6
    pg.text(20, y, f"合同总金额（含13%增值税）：人民币（大写）{con['upper']}（小写：¥{money(con['total_amount'], True)}）", 10, maxw=172)
    y += 8
    clauses = [
        f"二、交货时间：乙方应于{fmt_date(con['delivery_date'], 0)}前交货。",
        f"三、交货地点：{con['delivery_place']}，运费由乙方承担。",
        f"四、付款方式：{con['payment_terms']}。",
        "五、质量要求：按国家标准及行业标准执行，乙方对货物质量负责，质保期壹年。",
        "六、违约责任：任何一方违约，应按合同总金额的百分之五向守约方支付违约金。",
        "七、争议解决：因本合同引起的争议，双方协商解决；协商不成的，向合同签订地人民法院提起诉讼。",
        "八、本合同一式肆份，甲乙双方各执贰份，自双方签字盖章之日起生效。",
    ]
    for cl in clauses:
        y = paragraph(pg, 20, y, cl, 10, 170, indent=False)
        y += 1
    y = max(y + 6, 238)
    pg.text(25, y, "甲方（盖章）：", 10.5)
    pg.text(115, y, "乙方（盖章）：", 10.5)
    pg.text(25, y + 10, "法定代表人或委托代理人：", 9.5)
    pg.text(115, y + 10, "法定代表人或委托代理人：", 9.5)
    pg.text(25, y + 20, f"日期：{fmt_date(con['sign_date'], 0)}", 9.5)
    pg.text(115, y + 20, f"日期：{fmt_date(con['sign_date'], 0)}", 9.5)
    pg.seal(52, y + 8, 20, b["name"], "合同专用章")
    pg.seal(145, y + 10, 20, s["name"], "合同专用章")
    footer(pg, title, 1, 1)
    c.showPage()
    c.save()
    return base_data(con, title, ALL, ALL, [cline(l) for l in con["lines"]])


# ======================================================================== con2: 采购合同, two-column party table
def con2(path, con, rng):
    c = new_canvas(path)
    pg = Pg(c, 210, 297, "ZenHei")
    b, s = con["buyer"], con["seller"]
    title = "采购合同"
    pg.text(105, 20, title, 18, anchor="c")
    pg.text(190, 28, f"合同编号：{con['number']}", 9, anchor="r")
    rows = [["", "买方", "卖方"]]
    for lab, k in [("名称", "name"), ("统一社会信用代码", "tax_id"), ("地址", "address"), ("法定代表人", "legal_rep"),
                   ("联系电话", "phone"), ("开户行", "bank"), ("账号", "account")]:
        rows.append([lab, b[k], s[k]])
    y = pg.table(20, 32, [30, 70, 70], rows, 7, 9, aligns=["c", "l", "l"], header_fill=(0.92, 0.92, 0.92), wrap_cols=(1, 2))
    y = paragraph(pg, 20, y + 7, "买卖双方经平等协商，依据《中华人民共和国民法典》，就买方采购卖方货物事宜订立本合同。", 9.5, 170)
    pg.text(20, y + 3, "第一条  采购标的", 10)
    rows = [["序号", "物料编码", "品名", "规格", "单位", "数量", "含税单价", "金额", "备注"]]
    for i, l in enumerate(con["lines"], 1):
        rows.append([str(i), f"M{rng.randint(100000, 999999)}", l["name"], l["spec"], l["unit"], dec_str(l["qty"]),
                     dec_str(l["price"]), money(l["amount"], True), rng.choice(["", "", "含运费", "13%专票"])])
    y = pg.table(20, y + 6, [10, 19, 25, 30, 11, 18, 19, 24, 14], rows, 7, 8.5,
                 aligns=["c", "l", "l", "l", "c", "r", "r", "r", "l"], header_fill=(0.92, 0.92, 0.92))
    pg.rect(20, y + 3, 170, 14, 0.6)
    pg.text(23, y + 9, "合同总金额（小写）：", 9.5)
    pg.text(58, y + 9, "¥" + money(con["total_amount"], True), 10)
    pg.text(23, y + 15, "合同总金额（大写）：", 9.5)
    pg.text(58, y + 15, con["upper"], 10)
    y += 24
    cl = [
        ("第二条  交货期限", f"卖方须在{fmt_date(con['delivery_date'], 1)}之前完成全部交货。"),
        ("第三条  交货地点", con["delivery_place"]),
        ("第四条  结算方式", con["payment_terms"]),
        ("第五条  验收", "买方在收货后五个工作日内验收，逾期未提出书面异议的视为验收合格。"),
        ("第六条  其他", "本合同未尽事宜，双方另行签订补充协议。本合同一式贰份，双方各执壹份，具同等法律效力。"),
    ]
    for head, body in cl:
        pg.text(20, y, head, 10)
        y = paragraph(pg, 52, y, body, 9.5, 138, indent=False)
        y += 2
    y = max(y + 8, 236)
    pg.table(20, y, [85, 85], [["买方（盖章）", "卖方（盖章）"], ["授权代表：", "授权代表："], ["", ""]], 9, 9.5,
             aligns=["l", "l"], header_rows=1, grid=False)
    pg.text(20, y + 36, f"签订日期：{fmt_date(con['sign_date'], 1)}", 10)
    pg.seal(55, y + 17, 19, b["name"], "合同专用章")
    pg.seal(140, y + 16, 19, s["name"], "合同专用章")
    c.showPage()
    c.save()
    return base_data(con, title, ALL, ALL, [cline(l) for l in con["lines"]])


# ======================================================================== con3: 供货协议, narrative parties, 小计 column
def con3(path, con, rng):
    c = new_canvas(path)
    pg = Pg(c, 210, 297, "UKai")
    b, s = con["buyer"], con["seller"]
    title = "供货协议"
    pg.text(105, 24, title, 20, anchor="c")
    pg.text(20, 34, f"协议编号：{con['number']}", 9.5)
    y = 44
    for who, p in [("需方", b), ("供方", s)]:
        pg.text(20, y, f"{who}：{p['name']}（以下简称“{who}”）", 10.5)
        pg.text(26, y + 5.5, f"统一社会信用代码：{p['tax_id']}    法定代表人：{p['legal_rep']}", 9.5)
        pg.text(26, y + 11, f"地址：{p['address']}    电话：{p['phone']}", 9.5, maxw=164)
        y += 19
    y = paragraph(pg, 20, y, "为明确供需双方的权利义务，经双方充分协商，供方同意按下列条款向需方供应货物，特订立本协议。", 10, 170)
    pg.text(20, y + 3, "一、供货明细", 10.5)
    rows = [["货物名称", "规格", "数量", "单位", "单价（元）", "小计（元）"]]
    for l in con["lines"]:
        rows.append([l["name"], l["spec"], dec_str(l["qty"]), l["unit"], dec_str(l["price"]), money(l["amount"])])
    y = pg.table(20, y + 6, [36, 38, 22, 14, 28, 32], rows, 7.5, 9.5, aligns=["l", "l", "r", "c", "r", "r"], lw=0.4)
    y += 7
    y = paragraph(pg, 20, y, f"二、本协议货物总价款为人民币{money(con['total_amount'])}元（大写：{con['upper']}），该价格已含增值税及运输费用。", 10, 170, indent=False)
    y = paragraph(pg, 20, y + 1, f"三、供方应于{fmt_date(con['delivery_date'], 2)}前将货物送达需方指定地点：{con['delivery_place']}。", 10, 170, indent=False)
    y = paragraph(pg, 20, y + 1, f"四、付款方式：{con['payment_terms']}。", 10, 170, indent=False)
    y = paragraph(pg, 20, y + 1, f"五、供方收款账户：开户行 {s['bank']}，账号 {s['account']}。", 10, 170, indent=False)
    y = paragraph(pg, 20, y + 1, "六、货物质量须符合国家相关标准，需方验收发现质量问题的，供方应在七日内无条件退换。", 10, 170, indent=False)
    y = paragraph(pg, 20, y + 1, "七、本协议自双方盖章之日起生效，有效期至货款结清之日止。", 10, 170, indent=False)
    y = max(y + 12, 235)
    pg.text(25, y, "需方（盖章）：", 10.5)
    pg.text(115, y, "供方（盖章）：", 10.5)
    pg.text(25, y + 9, "代表人签字：", 10)
    pg.text(115, y + 9, "代表人签字：", 10)
    pg.text(115, y + 28, f"签订日期：{fmt_date(con['sign_date'], 2)}", 10.5)
    pg.seal(50, y + 6, 20, b["name"], "合同专用章")
    pg.seal(142, y + 8, 20, s["name"], "合同专用章")
    c.showPage()
    c.save()
    sf = ["name", "tax_id", "address", "legal_rep", "phone", "bank", "account"]
    return base_data(con, title, ["name", "tax_id", "address", "legal_rep", "phone"], sf, [cline(l) for l in con["lines"]])


# ======================================================================== con4 (heldout): 工业品买卖合同 grid form
def con4(path, con, rng):
    c = new_canvas(path)
    pg = Pg(c, 210, 297, "UMing")
    b, s = con["buyer"], con["seller"]
    title = "工业品买卖合同"
    pg.spaced(105, 18, title, 17, 2)
    pg.text(18, 28, f"出卖人：{s['name']}", 9.5)
    pg.text(18, 34, f"买受人：{b['name']}", 9.5)
    pg.text(135, 28, f"合同编号：{con['number']}", 9)
    pg.text(135, 34, f"签订时间：{fmt_date(con['sign_date'], 4)}", 9)
    pg.text(135, 40, f"签订地点：{con['sign_place']}", 9)
    pg.text(18, 46, "一、标的、数量、价款及交（提）货时间", 9.5)
    rows = [["标的名称", "牌号商标", "规格型号", "生产厂家", "计量单位", "数量", "单价", "金额", "交(提)货时间及数量"]]
    for l in con["lines"]:
        rows.append([l["name"], rng.choice(["/", "无", "自有"]), l["spec"], "出卖人", l["unit"], dec_str(l["qty"]),
                     dec_str(l["price"]), money(l["amount"]), f"{fmt_date(con['delivery_date'], 4)}前一次交清"])
    while len(rows) < 5:
        rows.append([""] * 9)
    y = pg.table(18, 49, [24, 14, 25, 15, 12, 16, 17, 22, 29], rows, 7, 7.5, aligns=["l", "c", "l", "c", "c", "r", "r", "r", "l"],
                 lw=0.4, wrap_cols=(8,))
    pg.rect(18, y, 174, 7, 0.4)
    pg.text(20, y + 5, f"合计人民币金额（大写）：{con['upper']}", 8.5)
    pg.text(190, y + 5, f"¥{money(con['total_amount'])}", 8.5, anchor="r")
    y += 7
    items = [
        ("二、质量标准", "按国家标准（GB）执行，无国标的按行业标准执行。"),
        ("三、出卖人对质量负责的条件及期限", "自交货之日起十二个月。"),
        ("四、包装标准、包装物的供应与回收", "出卖人提供，不回收。"),
        ("五、交（提）货地点、方式", f"{con['delivery_place']}；出卖人送货。"),
        ("六、运输方式及到达站港和费用负担", "汽运，费用由出卖人负担。"),
        ("七、检验标准、方法、地点及期限", "到货后三日内按合同约定验收。"),
        ("八、结算方式、时间及地点", con["payment_terms"] + "。"),
        ("九、违约责任", "按《中华人民共和国民法典》有关规定执行。"),
        ("十、解决合同争议的方式", "协商不成的，依法向买受人所在地人民法院起诉。"),
    ]
    for head, body in items:
        pg.rect(18, y, 174, 9, 0.4)
        pg.line(78, y, 78, y + 9, 0.4)
        pg.cell(18, y, 60, 9, head, 8.5)
        pg.cell(78, y, 114, 9, body, 8.5, wrap=True)
        y += 9
    y += 4
    rows = [["出卖人", "买受人"]]
    fields = [("单位名称（章）", "name"), ("单位地址", "address"), ("法定代表人", "legal_rep"), ("委托代理人", None),
              ("电话", "phone"), ("开户银行", "bank"), ("账号", "account"), ("税号", "tax_id")]
    rows2 = []
    for lab, k in fields:
        rows2.append([lab, s[k] if k else "", lab, b[k] if k else ""])
    pg.table(18, y, [87, 87], rows, 7, 9, header_fill=(0.93, 0.93, 0.93))
    yb = pg.table(18, y + 7, [25, 62, 25, 62], rows2, 7, 8, aligns=["l", "l", "l", "l"], lw=0.4, wrap_cols=(1, 3))
    pg.seal(70, y + 20, 19, s["name"], "合同专用章")
    pg.seal(155, y + 22, 19, b["name"], "合同专用章")
    pg.text(105, yb + 8, "监制部门：            印制单位：", 7.5, anchor="c", color=(0.4, 0.4, 0.4))
    c.showPage()
    c.save()
    return base_data(con, title, ALL, ALL, [cline(l) for l in con["lines"]])


# ======================================================================== con5 (heldout): 销售合同 by the seller (甲方 = 供方), 2 pages
def con5(path, con, rng):
    c = new_canvas(path)
    pg = Pg(c, 210, 297, "ZenHei")
    b, s = con["buyer"], con["seller"]
    title = "产品销售合同"
    pg.text(20, 14, s["name"], 8, color=(0.4, 0.4, 0.4))
    pg.line(20, 16, 190, 16, 0.4, (0.5, 0.5, 0.5))
    pg.text(105, 30, title, 18, anchor="c")
    pg.text(105, 38, f"No. {con['number']}", 9.5, anchor="c")
    y = 50
    for who, p in [("甲方（供方）", s), ("乙方（需方）", b)]:
        pg.text(20, y, who, 10.5)
        pg.text(50, y, p["name"], 10.5)
        lines = [("地    址", p["address"]), ("法人代表", p["legal_rep"]), ("电    话", p["phone"]),
                 ("税    号", p["tax_id"]), ("开 户 行", p["bank"]), ("账    号", p["account"])]
        for i, (lab, v) in enumerate(lines):
            xx = 50 if i % 2 == 0 else 125
            yy = y + 6 + (i // 2) * 5.5
            pg.text(xx, yy, f"{lab}：{v}", 8.5, maxw=72 if i % 2 == 0 else 66)
        y += 26
    y = paragraph(pg, 20, y, "乙方向甲方订购以下产品，经双方协商一致，签订本合同，双方共同遵守。", 10, 170)
    rows = [["序号", "商品名称", "型号", "数量", "单位", "单价(元)", "总价(元)", "批次号"]]
    for i, l in enumerate(con["lines"], 1):
        rows.append([str(i), l["name"], l["spec"], dec_str(l["qty"]), l["unit"], dec_str(l["price"]), money(l["amount"], True),
                     f"B{con['sign_date'].strftime('%y%m')}{rng.randint(10, 99)}"])
    y = pg.table(20, y + 4, [11, 31, 30, 19, 12, 21, 27, 19], rows, 8, 9, aligns=["c", "l", "l", "r", "c", "r", "r", "c"],
                 header_fill=(0.85, 0.9, 0.97))
    pg.text(20, y + 7, f"合计金额：¥{money(con['total_amount'], True)}", 10)
    pg.text(20, y + 13, f"金额大写：{con['upper']}", 10)
    pg.text(20, y + 19, "（以上价格含13%增值税专用发票）", 9, color=(0.35, 0.35, 0.35))
    footer(pg, title, 1, 2)
    c.showPage()
    pg = Pg(c, 210, 297, "ZenHei")
    pg.text(20, 14, s["name"], 8, color=(0.4, 0.4, 0.4))
    pg.line(20, 16, 190, 16, 0.4, (0.5, 0.5, 0.5))
    y = 28
    cl = [
        f"一、交货期限：甲方于{fmt_date(con['delivery_date'], 3)}前交货至{con['delivery_place']}。",
        f"二、付款方式：{con['payment_terms']}。",
        "三、验收：乙方应在收货当日清点数量，质量异议应在收货后七日内以书面形式提出。",
        "四、所有权：货物所有权自交付时转移至乙方。",
        "五、违约：乙方逾期付款的，每日按未付金额的万分之五支付违约金；甲方逾期交货的，同等承担违约责任。",
        "六、本合同传真件、扫描件与原件具有同等法律效力。",
    ]
    for t in cl:
        y = paragraph(pg, 20, y, t, 10, 170, indent=False)
        y += 2
    y += 10
    rows = [["甲方（供方）", "乙方（需方）"], ["盖章：", "盖章："], ["代表：", "代表："],
            [f"签约日期：{fmt_date(con['sign_date'], 0)}", f"签约日期：{fmt_date(con['sign_date'], 0)}"]]
    pg.table(20, y, [85, 85], rows, 11, 10, aligns=["l", "l"], grid=True, lw=0.4)
    pg.seal(60, y + 17, 20, s["name"], "合同专用章")
    pg.seal(145, y + 19, 20, b["name"], "合同专用章")
    footer(pg, title, 2, 2)
    c.showPage()
    c.save()
    return base_data(con, title, ALL, ALL, [cline(l) for l in con["lines"]])


LAYOUTS = [
    {"id": "con1_gouxiao_stacked", "split": "dev", "fn": con1,
     "desc": "购销合同 甲方（需方）/乙方（供方）分块竖排字段, 含备注列的货物表, 人民币（大写）, 双方合同章"},
    {"id": "con2_caigou_table", "split": "dev", "fn": con2,
     "desc": "采购合同 买方/卖方两列对照表, 物料编码/含税单价列, 金额框(小写在上, 大写在下), 第X条款"},
    {"id": "con3_gonghuo_narrative", "split": "dev", "fn": con3,
     "desc": "供货协议 需方/供方叙述式, 小计（元）列, 总价款写在条款句中, 收款账户在条款中, 楷体"},
    {"id": "con4_industrial_form", "split": "heldout", "fn": con4,
     "desc": "工业品买卖合同示范文本网格: 出卖人/买受人, 牌号商标/生产厂家列, 条款格子, 底部双方信息表(税号)"},
    {"id": "con5_sales_2page", "split": "heldout", "fn": con5,
     "desc": "卖方起草的产品销售合同(甲方=供方, 乙方=需方), 两页, 批次号列, 页眉, 签约日期在第2页表中"},
]
