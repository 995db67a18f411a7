"""Delivery note / warehouse receipt layouts 6–7 (split heldout2). render(path, note, rng) -> (printed data, title).

Written without seeing the extractor (see README.md).
"""

from __future__ import annotations

from common import Pg, dec_str
from layouts2_common import bold, date_style, ensure_fonts, hand, rect_stamp
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

GREY = (0.42, 0.42, 0.42)


def ln(l):
    return {"name": l["name"], "spec": l["spec"], "unit": l["unit"], "quantity": dec_str(l["qty"])}


# ======================================================================== dn6: carbon-copy 送货签收单, handwritten (delivery)
COPIES = [("白", (1, 1, 1), "第一联 存根"), ("红", (1, 0.93, 0.94), "第二联 客户签回"), ("黄", (1, 0.98, 0.86), "第三联 财务")]


def dn6(path, n, rng):
    ensure_fonts()
    W, H = 241, 99
    c = canvas.Canvas(path, pagesize=(W * mm, H * mm))
    pg = Pg(c, W, H, "NotoSans")
    s, b = n["consignor"], n["consignee"]
    title = rng.choice(["送货签收单", "到货签收单"])
    _, paper, copy = COPIES[rng.choice([1, 1, 2, 0])]
    if paper != (1, 1, 1):
        pg.rect(0, 0, W, H, 0, fill=paper)
    ink = (0.1, 0.3, 0.55)
    number = f"{rng.randint(0, 99999999):08d}"
    bold(pg, 120, 11, s["name"], 12.5, anchor="c", color=ink)
    pg.spaced(120, 19, title, 13, 3, color=ink)
    pg.line(95, 21, 145, 21, 0.5, ink)
    pg.text(188, 18, "No.", 10, "Helvetica", color=(0.8, 0.1, 0.1))
    pg.text(196, 18, number, 12, "Courier-Bold", color=(0.8, 0.1, 0.1))
    ds = date_style(n["date"], rng.choice(["slash", "nian", "dot"]))

    def field(x, y, lab, val, w, size=10.5):
        pg.text(x, y, lab, 9, color=ink)
        x0 = x + pg.width(lab, 9) + 0.5
        pg.line(x0, y + 1.2, x0 + w, y + 1.2, 0.3, ink)
        hand(pg, x0 + 1.5, y - 0.3, val, size, rng)

    field(10, 29, "收货单位：", b["name"], 118)
    field(160, 29, "日期：", ds, 60)
    field(10, 36.5, "收货地址：", n["warehouse"], 118)
    field(160, 36.5, "合同号：", n["contract_number"], 56)
    cols = [("序号", 11), ("品  名", 46), ("规格型号", 48), ("单位", 16), ("数  量", 30), ("件数", 18), ("备  注", 56)]
    x0, y0, rh = 8, 40.5, 6.5
    rows = max(4, len(n["lines"]))
    widths = [w for _, w in cols]
    pg.table(x0, y0, widths, [[t for t, _ in cols]] + [[""] * len(cols)] * rows, rh, 8.5, lw=0.45, color=ink)
    for i, l in enumerate(n["lines"]):
        yy = y0 + rh * (i + 1) + rh / 2 + 1.6
        vals = [str(i + 1), l["name"], l["spec"], l["unit"], dec_str(l["qty"]), str(rng.randint(2, 60)), ""]
        x = x0
        for (_, w), v in zip(cols, vals):
            if v:
                hand(pg, x + w / 2, yy, v, 10 if len(v) < 14 else 8.5, rng, anchor="c")
            x += w
    yf = y0 + rh * (rows + 1) + 8
    field(10, yf, "送货人：", n["driver"], 28)
    field(58, yf, "车号：", n["plate"], 30)
    field(112, yf, "收货人签字：", rng.choice(["马俊", "田丽", "韦强", "覃海"]), 34, 13)
    field(182, yf, "签收日期：", ds, 34)
    rect_stamp(pg, 207 + rng.uniform(-4, 4), y0 + rh * (rows + 1) - 7, ["货已收到", "数量无误"], 8.5, color=(0.78, 0.1, 0.12),
               angle=rng.uniform(-12, 8))
    pg.text(10, H - 4, "说明：收货单位请当场核对数量及外观，签字确认后本单作为结算依据。", 7, color=ink)
    for k, ch in enumerate(copy):
        pg.text(236.5, 30 + k * 3.6, ch, 7.5, anchor="c", color=ink)
    c.showPage()
    c.save()
    return {"kind": "delivery", "number": number, "date": n["date"].isoformat(),
            "consignor": {"name": s["name"]}, "consignee": {"name": b["name"]},
            "contract_number": n["contract_number"], "lines": [ln(l) for l in n["lines"]],
            "warehouse": n["warehouse"]}, title


# ======================================================================== dn7: third-party WMS bilingual 入库单 (warehouse_receipt)
LABEL_BG = (0.93, 0.93, 0.93)


def dn7(path, n, rng):
    ensure_fonts()
    c = canvas.Canvas(path, pagesize=A4)
    pg = Pg(c, 210, 297, "MicroHei")
    s, b = n["consignor"], n["consignee"]
    title = rng.choice(["入库单", "收货入库单"])
    operator = f"{b['city']}{rng.choice(['华储', '通远', '顺安', '联运', '宏仓'])}供应链管理有限公司"
    number = f"IN{n['date'].strftime('%y%m%d')}{rng.randint(0, 99999):05d}"
    pg.text(18, 16, operator, 10.5, color=GREY)
    pg.text(18, 21, "仓储管理系统 WMS", 7.5, "MicroHei", color=GREY)
    bold(pg, 18, 33, title, 19)
    pg.text(18 + pg.width(title, 19) + 4, 33, "INBOUND RECEIPT", 10, "Helvetica-Bold", color=GREY)
    bc = Code128(number, barHeight=10 * mm, barWidth=0.28 * mm, humanReadable=False)
    bc.drawOn(c, (192 - bc.width / mm) * mm, (297 - 30) * mm)
    pg.text(192, 34, number, 8.5, "Courier", anchor="r")
    pg.line(18, 38, 192, 38, 1.2)
    grid = [["入库单号 Receipt No.", number, "入库日期 Date", date_style(n["date"], "iso")],
            ["货主 Owner", b["name"], "供应商 Supplier", s["name"]],
            ["仓库 Warehouse", n["warehouse"], "入库类型 Type", "采购入库 Purchase"],
            ["关联合同 Contract No.", n["contract_number"], "车牌号 Vehicle", n["plate"]]]
    for ri in range(len(grid)):
        for x in (18, 105):
            pg.rect(x, 42 + ri * 8, 31, 8, 0, fill=LABEL_BG)
    y = pg.table(18, 42, [31, 56, 31, 56], grid, 8, 8, aligns=["l", "l", "l", "l"], header_rows=0, lw=0.3,
                 color=(0.55, 0.55, 0.55), wrap_cols=(1, 3))
    y += 6
    cols = [("序号", "No.", 10, "c"), ("货品编码", "SKU", 21, "l"), ("货品名称", "Item", 29, "l"), ("规格", "Spec.", 28, "l"),
            ("单位", "UOM", 11, "c"), ("应收数量", "Expected", 19, "r"), ("实收数量", "Received", 19, "r"),
            ("库位", "Location", 20, "c"), ("批次", "Lot", 17, "c")]
    widths = [w for *_, w, _ in cols]
    pg.rect(18, y, 174, 10, 0, fill=(0.2, 0.2, 0.2))
    x = 18
    for cn, en, w, _ in cols:
        pg.text(x + w / 2, y + 4.3, cn, 7.8, anchor="c", color=(1, 1, 1))
        pg.text(x + w / 2, y + 8.2, en, 6, "Helvetica", anchor="c", color=(0.85, 0.85, 0.85))
        x += w
    rows = []
    for i, l in enumerate(n["lines"], 1):
        q = dec_str(l["qty"])
        rows.append([str(i), f"SKU{rng.randint(1000000, 9999999)}", l["name"], l["spec"], l["unit"], q, q,
                     f"{rng.choice('ABCD')}{rng.randint(1, 20):02d}-{rng.randint(1, 40):02d}-{rng.randint(1, 4)}",
                     f"L{n['date'].strftime('%m%d')}{rng.randint(1, 9)}"])
    y = pg.table(18, y + 10, widths, rows, 7.5, 7.8, aligns=[a for *_, a in cols], header_rows=0, lw=0.3,
                 color=(0.55, 0.55, 0.55), wrap_cols=(2, 3))
    pg.rect(18, y - 7.5 * len(rows) - 10, 174, 7.5 * len(rows) + 10, 0.5, (0.2, 0.2, 0.2))
    pg.text(18, y + 5.5, f"共 {len(rows)} 行 / {len(rows)} line(s)", 8, color=GREY)
    pg.text(192, y + 5.5, "质检结果 QC：合格 Passed", 8, anchor="r", color=GREY)
    y += 20
    for x, lab in [(18, "收货员 Receiver："), (80, "复核员 Checker："), (138, "货主确认 Owner：")]:
        pg.text(x, y, lab, 8.5)
        pg.line(x + pg.width(lab, 8.5), y + 1, x + 52, y + 1, 0.3)
    hand(pg, 45, y - 0.5, rng.choice(["黄磊", "覃燕", "陆涛", "蒙坚"]), 12, rng)
    hand(pg, 104, y - 0.5, rng.choice(["梁晨", "韦芳", "农杰"]), 12, rng)
    pg.seal(160 + rng.uniform(-5, 5), y + 17, 15, operator, "入库专用章", font="MicroHei")
    pg.text(18, y + 38, f"打印时间 Printed：{date_style(n['date'], 'iso')} {rng.randint(8, 20):02d}:{rng.randint(0, 59):02d}",
            7, color=GREY)
    pg.text(192, y + 38, "第 1 页 / 共 1 页", 7, anchor="r", color=GREY)
    c.showPage()
    c.save()
    return {"kind": "warehouse_receipt", "number": number, "date": n["date"].isoformat(),
            "consignor": {"name": s["name"]}, "consignee": {"name": b["name"]},
            "contract_number": n["contract_number"], "lines": [ln(l) for l in n["lines"]],
            "warehouse": n["warehouse"]}, title


LAYOUTS = [
    {"id": "dn6_signed_slip", "split": "heldout2", "fn": dn6,
     "desc": "送货签收单/到货签收单: 241×99mm 多联复写纸(白/红/黄底), 印刷标签+手写蓝色字迹, 方形『货已收到』章 → delivery"},
    {"id": "dn7_wms_inbound", "split": "heldout2", "fn": dn7,
     "desc": "第三方仓储WMS打印的入库单/收货入库单: 中英双语标签, Code128条码, 货主/供应商, 库位/批次列, 黑色表头 → warehouse_receipt"},
]
