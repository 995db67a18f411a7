"""Delivery note / warehouse receipt layouts. render(path, note, rng) -> printed data (kind fixed per title)."""

from __future__ import annotations

from common import Pg, dec_str, fmt_date, money, paragraph
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

GREY = (0.4, 0.4, 0.4)


def party(p, fields):
    return {f: p[f] for f in fields if p.get(f)}


def ln(l, fields):
    d = {"name": l["name"], "spec": l["spec"], "unit": l["unit"], "quantity": dec_str(l["qty"])}
    if "price" in fields:
        d["unit_price"] = dec_str(l["price"])
    if "amount" in fields:
        d["amount"] = money(l["amount"])
    return d


# ======================================================================== dn1: 送货单 triplicate form (delivery)
def dn1(path, n, rng):
    W, H = 241, 140
    c = canvas.Canvas(path, pagesize=(W * mm, H * mm))
    pg = Pg(c, W, H, "ZenHei")
    s, b = n["consignor"], n["consignee"]
    number = f"No.{rng.randint(1000000, 9999999):07d}"
    pg.text(120, 13, s["name"], 15, anchor="c")
    pg.spaced(120, 22, "送货单", 15, 6)
    pg.text(185, 22, number, 12, color=(0.8, 0.1, 0.1))
    pg.text(14, 31, f"收货单位：{b['name']}", 10)
    pg.text(150, 31, f"送货日期：{fmt_date(n['date'], 2)}", 10)
    pg.text(14, 37.5, f"送货地址：{n['warehouse']}", 10)
    pg.text(150, 37.5, f"合同号：{n['contract_number']}", 10)
    rows = [["序号", "品名", "规格", "单位", "数量", "单价", "金额", "备注"]]
    for i, l in enumerate(n["lines"], 1):
        rows.append([str(i), l["name"], l["spec"], l["unit"], dec_str(l["qty"]), dec_str(l["price"]), money(l["amount"]), ""])
    while len(rows) < 6:
        rows.append([""] * 8)
    total = sum(l["amount"] for l in n["lines"])
    rows.append(["合计", "", "", "", "", "", money(total), ""])
    y = pg.table(12, 41, [12, 42, 40, 14, 24, 24, 30, 26], rows, 7, 9.5, aligns=["c", "l", "l", "c", "r", "r", "r", "l"])
    pg.text(14, y + 8, f"送货单位：{s['name']}", 9.5)
    pg.text(14, y + 15, f"电话：{s['phone']}", 9.5)
    pg.text(110, y + 8, f"送货人：{n['driver']}", 9.5)
    pg.text(110, y + 15, f"车牌号：{n['plate']}", 9.5)
    pg.text(170, y + 8, "收货人签字：", 9.5)
    pg.text(196, y + 10, rng.choice(["王刚", "陈立", "刘敏", "周杰"]), 13, "UKai", color=(0.1, 0.1, 0.4))
    for i, t in enumerate(["①白联：存根", "②红联：客户", "③黄联：回单"]):
        pg.text(236, 50 + i * 22, "", 8)
        for k, ch in enumerate(t):
            pg.text(235, 48 + i * 24 + k * 3.4, ch, 7.5, anchor="c", color=GREY)
    c.showPage()
    c.save()
    return {"kind": "delivery", "number": number.replace("No.", ""), "date": n["date"].isoformat(),
            "consignor": party(s, ["name", "phone"]), "consignee": {"name": b["name"]},
            "contract_number": n["contract_number"], "lines": [ln(l, ("price", "amount")) for l in n["lines"]],
            "warehouse": n["warehouse"]}, "送货单"


# ======================================================================== dn2: 采购入库单 ERP print (warehouse_receipt)
def dn2(path, n, rng):
    c = canvas.Canvas(path, pagesize=A4)
    pg = Pg(c, 210, 297, "UMing")
    s, b = n["consignor"], n["consignee"]
    number = f"RK{n['date'].strftime('%Y%m%d')}{rng.randint(1, 999):03d}"
    pg.text(105, 18, b["name"], 13, anchor="c")
    pg.text(105, 27, "采购入库单", 16, anchor="c")
    pg.line(85, 29, 125, 29, 0.6)
    info = [("入库单号", number), ("入库日期", fmt_date(n["date"], 1)), ("供应商", s["name"]), ("仓库", n["warehouse"]),
            ("采购合同号", n["contract_number"]), ("业务类型", "普通采购")]
    for i, (lab, v) in enumerate(info):
        x = 15 if i % 2 == 0 else 110
        y = 38 + (i // 2) * 6.5
        pg.text(x, y, f"{lab}：{v}", 9.5, maxw=90)
    rows = [["序号", "物料编码", "物料名称", "规格型号", "单位", "应收数量", "实收数量", "批次号", "备注"]]
    for i, l in enumerate(n["lines"], 1):
        rows.append([str(i), f"{rng.randint(1, 9)}.{rng.randint(10, 99)}.{rng.randint(1000, 9999)}", l["name"], l["spec"], l["unit"],
                     dec_str(l["qty"]), dec_str(l["qty"]), f"{n['date'].strftime('%y%m%d')}-{rng.randint(1, 99):02d}", ""])
    rows.append(["合计", "", "", "", "", "", "", "", ""])
    y = pg.table(12, 58, [10, 22, 28, 30, 11, 19, 19, 24, 23], rows, 7, 8.5, aligns=["c", "l", "l", "l", "c", "r", "r", "c", "l"],
                 header_fill=(0.9, 0.9, 0.9), lw=0.4)
    for i, lab in enumerate(["仓管员：", "验收员：", "采购员：", "制单人："]):
        pg.text(15 + i * 47, y + 9, lab, 9.5)
    pg.text(15, y + 17, f"打印时间：{fmt_date(n['date'], 1)} {rng.randint(8, 18):02d}:{rng.randint(0, 59):02d}", 7.5, color=GREY)
    pg.text(195, y + 17, "第1页/共1页", 7.5, anchor="r", color=GREY)
    c.showPage()
    c.save()
    return {"kind": "warehouse_receipt", "number": number, "date": n["date"].isoformat(),
            "consignor": {"name": s["name"]}, "consignee": {"name": b["name"]},
            "contract_number": n["contract_number"], "lines": [ln(l, ()) for l in n["lines"]],
            "warehouse": n["warehouse"]}, "入库单"


# ======================================================================== dn3: 发货单 / 销售出库单, boxed stacked labels (delivery)
def dn3(path, n, rng):
    c = canvas.Canvas(path, pagesize=A4)
    pg = Pg(c, 210, 297, "ZenHei")
    s, b = n["consignor"], n["consignee"]
    title = rng.choice(["发货单", "销售出库单"])
    number = f"{'FH' if title == '发货单' else 'CK'}-{n['date'].strftime('%Y%m')}-{rng.randint(1, 9999):04d}"
    wh = f"{s['city']}{rng.choice(['成品仓', '一号仓', '总仓'])}"
    pg.rect(12, 10, 186, 14, 0, fill=(0.18, 0.3, 0.5))
    pg.text(16, 19.5, s["name"], 12, color=(1, 1, 1))
    pg.text(194, 19.5, title, 15, anchor="r", color=(1, 1, 1))
    boxes = [("单据编号", number), ("日期", fmt_date(n["date"], 1)), ("客户名称", b["name"]),
             ("合同编号", n["contract_number"]), ("发货仓库", wh), ("收货地址", b["address"])]
    for i, (lab, v) in enumerate(boxes):
        x = 12 + (i % 3) * 62
        y = 30 + (i // 3) * 15
        pg.rect(x, y, 62, 15, 0.4, (0.6, 0.6, 0.6))
        pg.text(x + 2, y + 4.5, lab, 7.5, color=GREY)
        pg.text(x + 2, y + 11, v, 9.5, maxw=58)
    rows = [["行号", "存货编码", "存货名称", "规格型号", "主计量", "数量", "含税单价", "价税合计"]]
    for i, l in enumerate(n["lines"], 1):
        rows.append([str(i * 10), f"CH{rng.randint(10000, 99999)}", l["name"], l["spec"], l["unit"], dec_str(l["qty"]),
                     dec_str(l["price"]), money(l["amount"], True)])
    y = pg.table(12, 66, [13, 22, 33, 33, 15, 22, 22, 26], rows, 7.5, 8.5, aligns=["c", "l", "l", "l", "c", "r", "r", "r"],
                 header_fill=(0.88, 0.92, 0.97), lw=0.4, color=(0.5, 0.5, 0.5))
    pg.text(14, y + 8, f"发货方：{s['name']}    联系电话：{s['phone']}", 9)
    pg.text(14, y + 15, f"承运：{n['plate']}  司机：{n['driver']}", 9)
    pg.text(130, y + 15, "客户签收：__________", 9)
    pg.seal(165, y + 5, 15, s["name"], "发货专用章" if rng.random() < 0.5 else "业务专用章")
    c.showPage()
    c.save()
    return {"kind": "delivery", "number": number, "date": n["date"].isoformat(),
            "consignor": party(s, ["name", "phone"]), "consignee": party(b, ["name", "address"]),
            "contract_number": n["contract_number"], "lines": [ln(l, ("price", "amount")) for l in n["lines"]],
            "warehouse": wh}, title


# ======================================================================== dn4 (heldout): 仓单 by a third-party warehouse (warehouse_receipt)
def dn4(path, n, rng):
    W, H = 297, 210
    c = canvas.Canvas(path, pagesize=landscape(A4))
    pg = Pg(c, W, H, "UMing")
    s, b = n["consignor"], n["consignee"]
    keeper = rng.choice(["中储发展股份有限公司", "中外运物流有限公司", "宝湾物流控股有限公司", "普洛斯仓储服务有限公司"])
    number = f"CD{n['date'].year}{rng.randint(100000, 999999)}"
    pg.rect(12, 10, 273, 185, 1.4, (0.2, 0.4, 0.3))
    pg.rect(14, 12, 269, 181, 0.4, (0.2, 0.4, 0.3))
    pg.spaced(148, 28, "仓单", 24, 12, color=(0.15, 0.35, 0.25))
    pg.text(270, 22, f"仓单编号：{number}", 10, anchor="r")
    pg.text(270, 29, "（正本）", 9, anchor="r")
    rows = [["保管人", keeper, "存货人", b["name"]],
            ["交货单位", s["name"], "填发日期", fmt_date(n["date"], 0)],
            ["仓储场所", n["warehouse"], "相关合同", n["contract_number"]]]
    y = pg.table(22, 38, [26, 105, 26, 96], rows, 9, 10, aligns=["c", "l", "c", "l"], header_rows=0)
    rows = [["货物名称", "规格/等级", "计量单位", "数量", "包装", "件数", "储存期间", "备注"]]
    for l in n["lines"]:
        rows.append([l["name"], l["spec"], l["unit"], dec_str(l["qty"]), rng.choice(["捆装", "托盘", "袋装", "箱装", "散装"]),
                     str(rng.randint(5, 200)), f"{n['date'].strftime('%Y.%m.%d')}起", ""])
    y = pg.table(22, y + 6, [40, 40, 20, 30, 20, 18, 50, 35], rows, 9, 9.5,
                 aligns=["l", "l", "c", "r", "c", "r", "c", "l"], header_fill=(0.9, 0.95, 0.92))
    y = paragraph(pg, 22, y + 9, "上述货物已由保管人验收入库，保管人凭本仓单向合法持有人交付仓储物。仓单持有人转让仓单须经存货人背书并经保管人签章方为有效。"
                  "仓储费、保险费按双方签订的仓储合同执行。", 9.5, 250)
    pg.text(30, y + 14, "保管人（盖章）：", 10.5)
    pg.text(170, y + 14, "存货人签章：", 10.5)
    pg.seal(70, y + 12, 19, keeper, "仓储专用章", color=(0.85, 0.1, 0.1))
    c.showPage()
    c.save()
    return {"kind": "warehouse_receipt", "number": number, "date": n["date"].isoformat(),
            "consignor": {"name": s["name"]}, "consignee": {"name": b["name"]},
            "contract_number": n["contract_number"], "lines": [ln(l, ()) for l in n["lines"]],
            "warehouse": n["warehouse"]}, "仓单"


# ======================================================================== dn5 (heldout): 验收单 / 收货确认单, key: value list (delivery)
def dn5(path, n, rng):
    c = canvas.Canvas(path, pagesize=A4)
    pg = Pg(c, 210, 297, "UKai")
    s, b = n["consignor"], n["consignee"]
    title = rng.choice(["收货确认单", "货物验收单"])
    number = f"{'SH' if title == '收货确认单' else 'YS'}{n['date'].strftime('%y%m%d')}{rng.randint(10, 99)}"
    pg.text(105, 26, title, 19, anchor="c")
    y = 42
    items = [("编    号", number), ("供货单位", s["name"]), ("收货单位", b["name"]), ("合同编号", n["contract_number"]),
             ("到货日期", fmt_date(n["date"], 0)), ("收货地点", n["warehouse"]), ("运输车辆", n["plate"])]
    for lab, v in items:
        pg.text(22, y, f"{lab}：", 11)
        pg.text(48, y, v, 11)
        pg.line(47, y + 1.2, 185, y + 1.2, 0.3, GREY)
        y += 8
    rows = [["货物名称", "规格", "单位", "送货数量", "实收数量", "合格数量", "验收结论"]]
    for l in n["lines"]:
        q = dec_str(l["qty"])
        rows.append([l["name"], l["spec"], l["unit"], q, q, q, "合格"])
    y = pg.table(20, y + 4, [34, 36, 14, 24, 24, 24, 20], rows, 8, 10, aligns=["l", "l", "c", "r", "r", "r", "c"])
    y = paragraph(pg, 20, y + 10, "兹确认已收到上述货物，数量、规格、质量经验收符合合同约定，特此确认。", 11, 170)
    pg.text(110, y + 16, f"收货单位（盖章）：{b['name']}", 10.5, maxw=85)
    pg.text(110, y + 26, "经办人：", 10.5)
    pg.text(130, y + 26, rng.choice(["钱伟", "孙倩", "郑强", "冯磊"]), 14, color=(0.1, 0.1, 0.4))
    pg.text(110, y + 36, fmt_date(n["date"], 2), 10.5)
    pg.seal(150, y + 22, 19, b["name"], rng.choice(["收货专用章", "仓库专用章", "合同专用章"]))
    c.showPage()
    c.save()
    return {"kind": "delivery", "number": number, "date": n["date"].isoformat(),
            "consignor": {"name": s["name"]}, "consignee": {"name": b["name"]},
            "contract_number": n["contract_number"], "lines": [ln(l, ()) for l in n["lines"]],
            "warehouse": n["warehouse"]}, title


LAYOUTS = [
    {"id": "dn1_songhuodan_form", "split": "dev", "fn": dn1,
     "desc": "送货单(三联针打格式, 241×140mm): 收货单位/送货地址/合同号, 单价金额列, 送货人/车牌/手写签收 → delivery"},
    {"id": "dn2_erp_inbound", "split": "dev", "fn": dn2,
     "desc": "采购入库单(买方ERP打印): 两列表头字段, 物料编码/应收数量/实收数量/批次号列 → warehouse_receipt"},
    {"id": "dn3_outbound_boxes", "split": "dev", "fn": dn3,
     "desc": "发货单/销售出库单(卖方ERP): 深色页眉, 标签在上值在下的方框字段, 行号10/20, 含税单价/价税合计, 发货专用章 → delivery"},
    {"id": "dn4_warehouse_warrant", "split": "heldout", "fn": dn4,
     "desc": "第三方仓库仓单(横版A4, 双线边框): 保管人/存货人/交货单位/仓储场所网格, 包装/件数列 → warehouse_receipt"},
    {"id": "dn5_acceptance_list", "split": "heldout", "fn": dn5,
     "desc": "收货确认单/货物验收单: 逐行『标签：值』带下划线, 送货/实收/合格数量, 确认语句, 收货章 → delivery"},
]
