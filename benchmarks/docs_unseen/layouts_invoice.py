"""VAT invoice layouts. Each render(path, inv, rng) writes a PDF and returns the printed data dict."""

from __future__ import annotations

from common import Pg, dec_str, fmt_date, money
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

BROWN = (0.62, 0.33, 0.12)
RED = (0.72, 0.16, 0.12)
BLUE = (0.12, 0.25, 0.55)
PROV = {"3200": "江苏", "3300": "浙江", "3302": "宁波", "3100": "上海", "3400": "安徽", "3700": "山东", "4400": "广东",
        "5100": "四川", "4200": "湖北", "4100": "河南", "3502": "厦门", "3702": "青岛", "4300": "湖南", "1200": "天津",
        "6100": "陕西"}
PROV2 = {"32": "江苏", "33": "浙江", "31": "上海", "34": "安徽", "37": "山东", "44": "广东", "51": "四川", "42": "湖北",
         "41": "河南", "35": "福建", "43": "湖南", "12": "天津", "61": "陕西"}


def party(p, fields):
    return {f: p[f] for f in fields if p.get(f)}


def rate_str(r):
    return f"{int(r * 100)}%"


def line_data(l, name):
    return {"name": name, "spec": l["spec"], "unit": l["unit"], "quantity": dec_str(l["qty"]),
            "unit_price": dec_str(l["price"]), "amount": money(l["amount"]), "tax_rate": str(l["rate"]),
            "tax": money(l["tax"])}


def totals(inv, upper_key="upper_yuan"):
    return {"total_amount": money(inv["total_amount"]), "total_tax": money(inv["total_tax"]),
            "total_with_tax": money(inv["total_with_tax"]), "total_with_tax_upper": inv[upper_key]}


def item_name(l):
    return f"*{l['cat']}*{l['name']}"


def qr(c, x_mm, y_top_mm, H_mm, size_mm, payload):
    w = QrCodeWidget(payload)
    b = w.getBounds()
    bw, bh = b[2] - b[0], b[3] - b[1]
    d = Drawing(size_mm * mm, size_mm * mm, transform=[size_mm * mm / bw, 0, 0, size_mm * mm / bh, 0, 0])
    d.add(w)
    renderPDF.draw(d, c, x_mm * mm, (H_mm - y_top_mm - size_mm) * mm)


def qr_payload(inv, fplx):
    return ",".join(["01", fplx, inv.get("code", ""), inv["number"], money(inv["total_amount"]),
                     inv["issue_date"].strftime("%Y%m%d"), inv.get("check_code", ""), "A1F3", ""])


def cross_circle(pg, x, y, r=1.6, color=(0, 0, 0)):
    c = pg.c
    c.setStrokeColorRGB(*color)
    c.setLineWidth(0.5)
    X, Y = x * mm, pg._y(y)
    c.circle(X, Y, r * mm)
    d = r * 0.7 * mm
    c.line(X - d, Y - d, X + d, Y + d)
    c.line(X - d, Y + d, X + d, Y - d)
    c.setStrokeColorRGB(0, 0, 0)


def cipher(rng, n=27):
    return "".join(rng.choice("0123456789<>+-*/") for _ in range(n))


def vlabel(pg, x, y, h, s, size=9, color=BROWN):
    """vertical label: one char per line, centred in [y, y+h]."""
    step = h / (len(s) + 1)
    for i, ch in enumerate(s):
        pg.text(x, y + step * (i + 1) + size * 0.12, ch, size, anchor="c", color=color)


# ======================================================================== inv1: paper 专票 (classic face)
def inv1(path, inv, rng):
    W, H = 240, 150
    c = canvas.Canvas(path, pagesize=(W * mm, H * mm))
    pg = Pg(c, W, H, "UMing")
    prov = PROV.get(inv["code"][:4], "江苏")
    qr(c, 12, 8, H, 17, qr_payload(inv, "01"))
    pg.spaced(120, 17, f"{prov}增值税专用发票", 19, 1.2, color=BROWN)
    pg.line(82, 20, 158, 20, 0.8, BROWN)
    pg.line(82, 21.2, 158, 21.2, 0.8, BROWN)
    pg.text(120, 27, "发  票  联", 10, anchor="c", color=BROWN)
    pg.seal(120, 13, 11, "全国统一发票监制章", center="国家税务总局", oval=True, color=RED, alpha=0.35)
    # printed values have a dot-matrix offset
    ox, oy = rng.uniform(-1.2, 1.5), rng.uniform(-0.8, 1.0)
    pg.text(33, 14, inv["code"], 12, "Courier", color=(0.1, 0.1, 0.1))
    pg.text(170, 14, "No", 12, color=BROWN)
    pg.text(178, 14, inv["number"], 15, "Courier-Bold", color=(0.15, 0.15, 0.35))
    pg.text(170, 27, "开票日期：", 9, color=BROWN)
    ds = fmt_date(inv["issue_date"], 0)
    pg.text(187 + ox, 27 + oy, ds, 9.5)
    pg.text(33, 27, "机器编号：", 8.5, color=BROWN)
    pg.text(49 + ox, 27 + oy, "66" + "".join(rng.choice("0123456789") for _ in range(10)), 9)
    X0, X1 = 10, 230
    y = 30
    pg.rect(X0, y, X1 - X0, 92, 0.8, BROWN)
    # buyer block
    pg.line(X0, y + 20, X1, y + 20, 0.6, BROWN)
    pg.line(X0 + 7, y, X0 + 7, y + 20, 0.6, BROWN)
    vlabel(pg, X0 + 3.5, y, 20, "购买方")
    labels = ["名        称：", "纳税人识别号：", "地 址、电 话：", "开户行及账号："]
    b = inv["buyer"]
    vals = [b["name"], b["tax_id"], f"{b['address']} {b['phone']}", f"{b['bank']} {b['account']}"]
    for i, (lab, v) in enumerate(zip(labels, vals)):
        yy = y + 4.8 + i * 4.6
        pg.text(X0 + 9, yy, lab, 8.5, color=BROWN)
        pg.text(X0 + 33 + ox, yy + oy, v, 9 if i != 1 else 10, maxw=100)
    pg.line(148, y, 148, y + 20, 0.6, BROWN)
    pg.line(155, y, 155, y + 20, 0.6, BROWN)
    vlabel(pg, 151.5, y, 20, "密码区")
    for i in range(4):
        pg.text(157, y + 4.8 + i * 4.6, cipher(rng), 9.5, "Courier")
    # lines
    y2 = y + 20
    cols = [(X0, 60, "货物或应税劳务、服务名称"), (70, 28, "规格型号"), (98, 12, "单 位"), (110, 22, "数 量"),
            (132, 24, "单 价"), (156, 28, "金 额"), (184, 12, "税率"), (196, 34, "税 额")]
    for x, w, t in cols:
        pg.text(x + w / 2, y2 + 4.2, t, 8.5, anchor="c", color=BROWN)
    for x, w, t in cols[1:]:
        pg.line(x, y2, x, y2 + 40, 0.5, BROWN)
    lines = []
    for i, l in enumerate(inv["lines"]):
        yy = y2 + 10 + i * 5 + oy
        nm = item_name(l)
        vals = [nm, l["spec"], l["unit"], dec_str(l["qty"]), dec_str(l["price"]), money(l["amount"]),
                rate_str(l["rate"]), money(l["tax"])]
        for j, ((x, w, _), v) in enumerate(zip(cols, vals)):
            if j in (0, 1, 2):
                pg.text(x + 1 + ox, yy, v, 8.5, maxw=w - 2)
            else:
                pg.text(x + w - 1 + ox, yy, v, 8.5, anchor="r", maxw=w - 2)
        lines.append(line_data(l, nm))
    pg.text(X0 + 30, y2 + 37, "合        计", 9, anchor="c", color=BROWN)
    pg.text(184 - 1 + ox, y2 + 37 + oy, "¥" + money(inv["total_amount"]), 9, anchor="r")
    pg.text(230 - 1 + ox, y2 + 37 + oy, "¥" + money(inv["total_tax"]), 9, anchor="r")
    y3 = y2 + 40
    pg.line(X0, y3, X1, y3, 0.6, BROWN)
    pg.text(X0 + 30, y3 + 5, "价税合计（大写）", 9, anchor="c", color=BROWN)
    pg.line(70, y3, 70, y3 + 7, 0.5, BROWN)
    cross_circle(pg, 74 + ox, y3 + 4 + oy)
    pg.text(77 + ox, y3 + 5 + oy, inv["upper_yuan"], 10)
    pg.text(170, y3 + 5, "（小写）", 9, color=BROWN)
    pg.text(184 + ox, y3 + 5 + oy, "¥" + money(inv["total_with_tax"]), 10)
    y4 = y3 + 7
    pg.line(X0, y4, X1, y4, 0.6, BROWN)
    pg.line(X0 + 7, y4, X0 + 7, y + 92, 0.6, BROWN)
    vlabel(pg, X0 + 3.5, y4, 25, "销售方")
    s = inv["seller"]
    vals = [s["name"], s["tax_id"], f"{s['address']} {s['phone']}", f"{s['bank']} {s['account']}"]
    for i, (lab, v) in enumerate(zip(labels, vals)):
        yy = y4 + 5.5 + i * 5
        pg.text(X0 + 9, yy, lab, 8.5, color=BROWN)
        pg.text(X0 + 33 + ox, yy + oy, v, 9 if i != 1 else 10, maxw=100)
    pg.line(148, y4, 148, y + 92, 0.6, BROWN)
    pg.line(155, y4, 155, y + 92, 0.6, BROWN)
    vlabel(pg, 151.5, y4, 25, "备注")
    if inv["remarks"]:
        pg.text(157 + ox, y4 + 6 + oy, inv["remarks"], 9, maxw=70)
    yf = y + 92 + 6
    pg.text(X0 + 2, yf, "收款人：", 9, color=BROWN)
    pg.text(X0 + 16, yf, inv["payee_clerk"], 9)
    pg.text(70, yf, "复核：", 9, color=BROWN)
    pg.text(80, yf, inv["reviewer"], 9)
    pg.text(120, yf, "开票人：", 9, color=BROWN)
    pg.text(134, yf, inv["drawer"], 9)
    pg.text(180, yf, "销售方：（章）", 9, color=BROWN)
    pg.seal(205, yf - 6, 13, s["name"], center="发票专用章", oval=True, number=s["tax_id"])
    pg.text(232, 80, "第", 8, color=BROWN)
    for i, ch in enumerate("三联：发票联  购买方记账凭证"):
        pg.text(234, 84 + i * 3.2, ch, 7, anchor="c", color=BROWN)
    c.showPage()
    c.save()
    data = {"kind": inv["kind"], "code": inv["code"], "number": inv["number"],
            "issue_date": inv["issue_date"].isoformat(),
            "buyer": party(b, ["name", "tax_id", "address", "phone", "bank", "account"]),
            "seller": party(s, ["name", "tax_id", "address", "phone", "bank", "account"]),
            "lines": lines, **totals(inv), "drawer": inv["drawer"]}
    if inv["remarks"]:
        data["remarks"] = inv["remarks"]
    return data


# ======================================================================== inv2: 数电发票 (national e-invoice face)
def inv2(path, inv, rng):
    W, H = 210, 140
    c = canvas.Canvas(path, pagesize=(W * mm, H * mm))
    pg = Pg(c, W, H, "ZenHei")
    fplx = "31" if inv["kind"] == "电子发票（增值税专用发票）" else "32"
    qr(c, 10, 6, H, 20, qr_payload(inv, fplx))
    pg.text(105, 15, inv["kind"], 16, anchor="c", color=RED)
    pg.line(62, 18.5, 148, 18.5, 0.6, RED)
    pg.line(62, 19.6, 148, 19.6, 0.6, RED)
    prov = PROV2.get(inv["number"][2:4], "江苏")
    pg.seal(105, 11, 9.5, "全国统一发票监制", center=f"国家税务总局{prov}省税务局", oval=True, color=RED, alpha=0.4)
    pg.text(150, 12, "发票号码：", 9, color=RED)
    pg.text(167, 12, inv["number"], 9)
    pg.text(150, 19, "开票日期：", 9, color=RED)
    pg.text(167, 19, fmt_date(inv["issue_date"], 0), 9)
    X0, X1 = 8, 202
    y = 28
    pg.rect(X0, y, X1 - X0, 94, 0.7, RED)
    pg.line(X0, y + 20, X1, y + 20, 0.6, RED)
    mid = (X0 + X1) / 2
    pg.line(mid, y, mid, y + 20, 0.6, RED)
    for x0, who, p in [(X0, "购买方信息", inv["buyer"]), (mid, "销售方信息", inv["seller"])]:
        pg.line(x0 + 7, y, x0 + 7, y + 20, 0.5, RED)
        vlabel(pg, x0 + 3.5, y, 20, who, 7.5, RED)
        pg.text(x0 + 9, y + 7, "名称：", 8.5, color=RED)
        pg.text(x0 + 19, y + 7, p["name"], 9, maxw=mid - X0 - 21)
        pg.text(x0 + 9, y + 15, "统一社会信用代码/纳税人识别号：", 8, color=RED)
        pg.text(x0 + 54, y + 15, p["tax_id"], 9)
    y2 = y + 20
    cols = [(X0, 50, "项目名称"), (58, 24, "规格型号"), (82, 12, "单 位"), (94, 20, "数 量"), (114, 22, "单 价"),
            (136, 24, "金 额"), (160, 16, "税率/征收率"), (176, 26, "税 额")]
    for x, w, t in cols:
        pg.text(x + w / 2, y2 + 5, t, 8.5, anchor="c", color=RED)
    lines = []
    for i, l in enumerate(inv["lines"]):
        yy = y2 + 11 + i * 5
        nm = item_name(l)
        vals = [nm, l["spec"], l["unit"], dec_str(l["qty"]), dec_str(l["price"]), money(l["amount"]),
                rate_str(l["rate"]), money(l["tax"])]
        for j, ((x, w, _), v) in enumerate(zip(cols, vals)):
            if j < 3:
                pg.text(x + 1.5, yy, v, 8.5, maxw=w - 2)
            else:
                pg.text(x + w - 1.5, yy, v, 8.5, anchor="r", maxw=w - 2)
        lines.append(line_data(l, nm))
    pg.text(X0 + 25, y2 + 38, "合      计", 9, anchor="c", color=RED)
    pg.text(160 - 1.5, y2 + 38, "¥" + money(inv["total_amount"]), 9, anchor="r")
    pg.text(202 - 1.5, y2 + 38, "¥" + money(inv["total_tax"]), 9, anchor="r")
    y3 = y2 + 42
    pg.line(X0, y3, X1, y3, 0.6, RED)
    pg.line(X0 + 40, y3, X0 + 40, y3 + 8, 0.5, RED)
    pg.text(X0 + 20, y3 + 5.5, "价税合计（大写）", 9, anchor="c", color=RED)
    cross_circle(pg, X0 + 45, y3 + 4.3)
    pg.text(X0 + 48, y3 + 5.5, inv["upper_yuan"], 9.5)
    pg.text(140, y3 + 5.5, "（小写）", 9, color=RED)
    pg.text(154, y3 + 5.5, "¥" + money(inv["total_with_tax"]), 9.5)
    y4 = y3 + 8
    pg.line(X0, y4, X1, y4, 0.6, RED)
    pg.line(X0 + 7, y4, X0 + 7, y + 94, 0.5, RED)
    vlabel(pg, X0 + 3.5, y4, y + 94 - y4, "备注", 9, RED)
    remarks = inv["remarks"]
    b, s = inv["buyer"], inv["seller"]
    show_bank = rng.random() < 0.5
    rem_lines = []
    if show_bank:
        rem_lines.append(f"购方开户银行：{b['bank']}；银行账号：{b['account']}；")
        rem_lines.append(f"销方开户银行：{s['bank']}；银行账号：{s['account']}；")
    if remarks:
        rem_lines.append(remarks)
    for i, t in enumerate(rem_lines):
        pg.text(X0 + 9, y4 + 5 + i * 4.5, t, 8.5, maxw=180)
    pg.text(20, y + 94 + 7, "开票人：", 9, color=RED)
    pg.text(34, y + 94 + 7, inv["drawer"], 9)
    c.showPage()
    c.save()
    data = {"kind": inv["kind"], "number": inv["number"], "issue_date": inv["issue_date"].isoformat(),
            "buyer": party(b, ["name", "tax_id"]), "seller": party(s, ["name", "tax_id"]),
            "lines": lines, **totals(inv), "drawer": inv["drawer"]}
    if rem_lines:
        data["remarks"] = "".join(rem_lines) if len(rem_lines) == 1 else "\n".join(rem_lines)
    return data


# ======================================================================== inv3: 普通发票 / 电子普通发票 (code+check code, gridded lines)
def inv3(path, inv, rng):
    W, H = 220, 140
    c = canvas.Canvas(path, pagesize=(W * mm, H * mm))
    pg = Pg(c, W, H, "UMing")
    col = BROWN if inv["kind"] == "增值税普通发票" else (0.45, 0.3, 0.2)
    code = inv["code"]
    prov = PROV.get(code[1:5] if len(code) == 12 else code[:4], "江苏")
    qr(c, 10, 5, H, 18, qr_payload(inv, "10" if inv["kind"] == "增值税电子普通发票" else "04"))
    title = f"{prov}增值税电子普通发票" if inv["kind"] == "增值税电子普通发票" else f"{prov}增值税普通发票"
    pg.spaced(102, 15, title, 16, 0.8, color=col)
    pg.line(65, 18, 139, 18, 0.8, col)
    pg.line(65, 19, 139, 19, 0.8, col)
    hx = 150
    rows = [("发票代码：", code), ("发票号码：", inv["number"]), ("开票日期：", fmt_date(inv["issue_date"], 2 if rng.random() < 0.5 else 0)),
            ("校 验 码：", " ".join(inv["check_code"][i:i + 5] for i in range(0, 20, 5)))]
    for i, (lab, v) in enumerate(rows):
        pg.text(hx, 8 + i * 4.8, lab, 8, color=col)
        pg.text(hx + 15, 8 + i * 4.8, v, 8.5 if i < 3 else 7.5)
    pg.text(12, 28, "机器编号：" + "".join(rng.choice("0123456789") for _ in range(12)), 8, color=col)
    X0, X1 = 8, 212
    y = 30
    pg.rect(X0, y, X1 - X0, 88, 0.7, col)
    pg.line(X0, y + 19, X1, y + 19, 0.5, col)
    pg.line(X0 + 6, y, X0 + 6, y + 19, 0.5, col)
    vlabel(pg, X0 + 3, y, 19, "购买方", 8.5, col)
    labels = ["名      称：", "纳税人识别号：", "地址、电话：", "开户行及账号："]
    b, s = inv["buyer"], inv["seller"]
    bvals = [b["name"], b["tax_id"], f"{b['address']}{b['phone']}", f"{b['bank']}{b['account']}"]
    for i, (lab, v) in enumerate(zip(labels, bvals)):
        pg.text(X0 + 8, y + 4.5 + i * 4.4, lab, 8, color=col)
        pg.text(X0 + 31, y + 4.5 + i * 4.4, v, 8.5, maxw=98)
    pg.line(138, y, 138, y + 19, 0.5, col)
    pg.line(144, y, 144, y + 19, 0.5, col)
    vlabel(pg, 141, y, 19, "密码区", 8.5, col)
    for i in range(4):
        pg.text(146, y + 4.5 + i * 4.4, cipher(rng, 26), 9, "Courier")
    y2 = y + 19
    widths = [52, 26, 12, 20, 22, 24, 12, 36]
    hdr = ["货物或应税劳务、服务名称", "规格型号", "单位", "数量", "单价", "金额", "税率", "税额"]
    rows = [hdr]
    lines = []
    for l in inv["lines"]:
        nm = item_name(l)
        rows.append([nm, l["spec"], l["unit"], dec_str(l["qty"]), dec_str(l["price"]), money(l["amount"]),
                     rate_str(l["rate"]), money(l["tax"])])
        lines.append(line_data(l, nm))
    while len(rows) < 6:
        rows.append([""] * 8)
    rows.append(["合计", "", "", "", "", "¥" + money(inv["total_amount"]), "", "¥" + money(inv["total_tax"])])
    y3 = pg.table(X0, y2, widths, rows, 5.2, 8, aligns=["l", "l", "c", "r", "r", "r", "c", "r"], color=col, outer=False, lw=0.3)
    pg.text(X0 + 26, y3 + 5, "价税合计（大写）", 8.5, anchor="c", color=col)
    cross_circle(pg, X0 + 56, y3 + 3.9)
    pg.text(X0 + 59, y3 + 5, inv["upper_yuan"], 9)
    pg.text(150, y3 + 5, "（小写）¥" + money(inv["total_with_tax"]), 9)
    pg.line(X0, y3 + 7, X1, y3 + 7, 0.5, col)
    y4 = y3 + 7
    pg.line(X0 + 6, y4, X0 + 6, y + 88, 0.5, col)
    vlabel(pg, X0 + 3, y4, y + 88 - y4, "销售方", 8.5, col)
    svals = [s["name"], s["tax_id"], f"{s['address']}{s['phone']}", f"{s['bank']}{s['account']}"]
    for i, (lab, v) in enumerate(zip(labels, svals)):
        pg.text(X0 + 8, y4 + 4.5 + i * 4.4, lab, 8, color=col)
        pg.text(X0 + 31, y4 + 4.5 + i * 4.4, v, 8.5, maxw=98)
    pg.line(138, y4, 138, y + 88, 0.5, col)
    pg.line(144, y4, 144, y + 88, 0.5, col)
    vlabel(pg, 141, y4, y + 88 - y4, "备注", 8.5, col)
    if inv["remarks"]:
        pg.text(146, y4 + 6, inv["remarks"], 8.5, maxw=64)
    yf = y + 88 + 6
    for x, lab, v in [(12, "收款人：", inv["payee_clerk"]), (62, "复核：", inv["reviewer"]), (110, "开票人：", inv["drawer"]),
                      (160, "销售方：（章）", "")]:
        pg.text(x, yf, lab, 8.5, color=col)
        if v:
            pg.text(x + pg.width(lab, 8.5), yf, v, 8.5)
    if inv["kind"] == "增值税电子普通发票" or rng.random() < 0.6:
        pg.seal(185, y + 80, 13, s["name"], center="发票专用章", oval=True, number=s["tax_id"])
    c.showPage()
    c.save()
    data = {"kind": inv["kind"], "code": code, "number": inv["number"], "issue_date": inv["issue_date"].isoformat(),
            "check_code": inv["check_code"],
            "buyer": party(b, ["name", "tax_id", "address", "phone", "bank", "account"]),
            "seller": party(s, ["name", "tax_id", "address", "phone", "bank", "account"]),
            "lines": lines, **totals(inv), "drawer": inv["drawer"]}
    if inv["remarks"]:
        data["remarks"] = inv["remarks"]
    return data


# ======================================================================== inv4 (heldout): 数电, landscape A4, stacked labels
def inv4(path, inv, rng):
    W, H = 297, 210
    c = canvas.Canvas(path, pagesize=(W * mm, H * mm))
    pg = Pg(c, W, H, "UKai")
    col = (0.5, 0.12, 0.1)
    pg.text(148, 22, inv["kind"], 20, anchor="c", color=col)
    pg.line(90, 26, 206, 26, 1.0, col)
    prov = PROV2.get(inv["number"][2:4], "江苏")
    pg.seal(148, 14, 12, "全国统一发票监制", center=f"国家税务总局{prov}省税务局", oval=True, color=RED, alpha=0.35)
    qr(c, 252, 8, H, 24, qr_payload(inv, "31" if "专用" in inv["kind"] else "32"))
    pg.table(15, 10, [24, 56], [["发票号码", inv["number"]], ["开票日期", fmt_date(inv["issue_date"], 1)]], 7, 9,
             aligns=["c", "l"], header_rows=0, color=col)
    b, s = inv["buyer"], inv["seller"]
    y = 40
    for x0, who, p in [(15, "购买方", b), (152, "销售方", s)]:
        pg.rect(x0, y, 130, 34, 0.6, col)
        pg.rect(x0, y, 130, 6, 0, fill=(0.97, 0.9, 0.88))
        pg.text(x0 + 2, y + 4.5, who, 9.5, color=col)
        items = [("名称", p["name"]), ("统一社会信用代码/纳税人识别号", p["tax_id"])]
        for i, (lab, v) in enumerate(items):
            yy = y + 11 + i * 12
            pg.text(x0 + 3, yy, lab, 7, color=(0.45, 0.45, 0.45))
            pg.text(x0 + 3, yy + 6, v, 11)
    y2 = y + 40
    widths = [10, 62, 30, 14, 24, 30, 34, 22, 41]
    hdr = ["序号", "项目名称", "规格型号", "单位", "数量", "单价（不含税）", "金额（不含税）", "税率", "税额"]
    rows = [hdr]
    lines = []
    for i, l in enumerate(inv["lines"], 1):
        nm = item_name(l)
        rows.append([str(i), nm, l["spec"], l["unit"], dec_str(l["qty"]), dec_str(l["price"]), money(l["amount"]),
                     rate_str(l["rate"]), money(l["tax"])])
        lines.append(line_data(l, nm))
    rows.append(["", "小计", "", "", "", "", money(inv["total_amount"]), "", money(inv["total_tax"])])
    y3 = pg.table(15, y2, widths, rows, 7.5, 9, aligns=["c", "l", "l", "c", "r", "r", "r", "c", "r"],
                  header_fill=(0.97, 0.9, 0.88), color=col)
    y3 += 4
    pg.table(15, y3, [45, 150, 72], [["价税合计（大写）", "    " + inv["upper_yuan"], "（小写）¥" + money(inv["total_with_tax"])]],
             9, 10, aligns=["c", "l", "l"], header_rows=0, color=col)
    cross_circle(pg, 63, y3 + 4.5)
    y4 = y3 + 13
    pg.rect(15, y4, 267, 16, 0.6, col)
    pg.text(17, y4 + 5, "备注", 8, color=(0.45, 0.45, 0.45))
    if inv["remarks"]:
        pg.text(17, y4 + 11, inv["remarks"], 9.5)
    pg.text(15, y4 + 24, "开票人：" + inv["drawer"], 10)
    pg.text(282, y4 + 24, "下载次数：1", 8, anchor="r", color=(0.4, 0.4, 0.4))
    c.showPage()
    c.save()
    data = {"kind": inv["kind"], "number": inv["number"], "issue_date": inv["issue_date"].isoformat(),
            "buyer": party(b, ["name", "tax_id"]), "seller": party(s, ["name", "tax_id"]),
            "lines": lines, **totals(inv), "drawer": inv["drawer"]}
    if inv["remarks"]:
        data["remarks"] = inv["remarks"]
    return data


# ======================================================================== inv5 (heldout): paper invoice + 销货清单 page
def inv5(path, inv, rng):
    W, H = 240, 150
    c = canvas.Canvas(path, pagesize=(W * mm, H * mm))
    pg = Pg(c, W, H, "ZenHei")
    col = (0.2, 0.35, 0.5) if inv["kind"] == "增值税普通发票" else BROWN
    code = inv["code"]
    prov = PROV.get(code[1:5] if len(code) == 12 else code[:4], "江苏")
    name = f"{prov}增值税{'专用' if inv['kind'] == '增值税专用发票' else '普通'}发票"
    pg.spaced(120, 16, name, 18, 1.0, color=col)
    pg.line(80, 19.5, 160, 19.5, 0.8, col)
    pg.text(120, 25, "抵  扣  联" if inv["kind"] == "增值税专用发票" else "发  票  联", 9.5, anchor="c", color=col)
    b, s = inv["buyer"], inv["seller"]
    hdr = [("发票代码", code), ("发票号码", inv["number"]), ("开票日期", fmt_date(inv["issue_date"], 4))]
    if inv.get("check_code"):
        hdr.append(("校验码", inv["check_code"]))
    for i, (lab, v) in enumerate(hdr):
        pg.text(170, 8 + i * 5, lab + "：", 8.5, color=col)
        pg.text(186, 8 + i * 5, v, 8.5 if lab != "校验码" else 7)
    X0, X1 = 10, 230
    y = 32
    # buyer: two columns of fields
    pg.rect(X0, y, X1 - X0, 16, 0.6, col)
    pg.text(X0 + 2, y + 5, "购买方名称：", 8.5, color=col)
    pg.text(X0 + 22, y + 5, b["name"], 9, maxw=85)
    pg.text(120, y + 5, "纳税人识别号：", 8.5, color=col)
    pg.text(143, y + 5, b["tax_id"], 9.5)
    pg.text(X0 + 2, y + 12, "地址电话：", 8.5, color=col)
    pg.text(X0 + 22, y + 12, f"{b['address']} {b['phone']}", 8.5, maxw=85)
    pg.text(120, y + 12, "开户行及账号：", 8.5, color=col)
    pg.text(143, y + 12, f"{b['bank']} {b['account']}", 8.5, maxw=85)
    y2 = y + 16
    widths = [62, 26, 14, 20, 26, 28, 14, 30]
    hdr_row = ["货物或应税劳务名称", "规格型号", "单位", "数量", "单价", "金额", "税率", "税额"]
    rows = [hdr_row, ["（详见销货清单）", "", "", "", "", money(inv["total_amount"]), "", money(inv["total_tax"])],
            ["", "", "", "", "", "", "", ""], ["", "", "", "", "", "", "", ""],
            ["合    计", "", "", "", "", "¥" + money(inv["total_amount"]), "", "¥" + money(inv["total_tax"])]]
    y3 = pg.table(X0, y2, widths, rows, 6, 8.5, aligns=["l", "l", "c", "r", "r", "r", "c", "r"], color=col, lw=0.4)
    pg.rect(X0, y3, X1 - X0, 8, 0.6, col)
    pg.text(X0 + 2, y3 + 5.5, "价税合计（大写）", 9, color=col)
    cross_circle(pg, X0 + 33, y3 + 4.3)
    pg.text(X0 + 36, y3 + 5.5, inv["upper_yuan"], 9.5)
    pg.text(160, y3 + 5.5, "（小写）¥" + money(inv["total_with_tax"]), 9.5)
    y4 = y3 + 8
    pg.rect(X0, y4, X1 - X0, 16, 0.6, col)
    pg.text(X0 + 2, y4 + 5, "销售方名称：", 8.5, color=col)
    pg.text(X0 + 22, y4 + 5, s["name"], 9, maxw=85)
    pg.text(120, y4 + 5, "纳税人识别号：", 8.5, color=col)
    pg.text(143, y4 + 5, s["tax_id"], 9.5)
    pg.text(X0 + 2, y4 + 12, "地址电话：", 8.5, color=col)
    pg.text(X0 + 22, y4 + 12, f"{s['address']} {s['phone']}", 8.5, maxw=85)
    pg.text(120, y4 + 12, "开户行及账号：", 8.5, color=col)
    pg.text(143, y4 + 12, f"{s['bank']} {s['account']}", 8.5, maxw=85)
    y5 = y4 + 16
    pg.rect(X0, y5, X1 - X0, 9, 0.6, col)
    pg.text(X0 + 2, y5 + 6, "备注：", 8.5, color=col)
    if inv["remarks"]:
        pg.text(X0 + 14, y5 + 6, inv["remarks"], 8.5)
    yf = y5 + 16
    pg.text(X0 + 2, yf, f"收款人：{inv['payee_clerk']}      复核：{inv['reviewer']}      开票人：{inv['drawer']}", 9)
    pg.seal(200, yf - 8, 13, s["name"], center="发票专用章", oval=True, number=s["tax_id"])
    c.showPage()
    # ---- page 2: 销售货物或者提供应税劳务清单
    pg = Pg(c, W, H, "ZenHei")
    pg.text(120, 14, "销售货物或者提供应税劳务清单", 15, anchor="c")
    pg.text(12, 24, f"购买方名称：{b['name']}", 9)
    pg.text(12, 30, f"销售方名称：{s['name']}", 9)
    pg.text(150, 24, f"所属增值税{'专用' if inv['kind'] == '增值税专用发票' else '普通'}发票代码：{code}", 8.5)
    pg.text(150, 30, f"号码：{inv['number']}      共 1 页 第 1 页", 8.5)
    widths = [10, 56, 28, 12, 22, 26, 26, 12, 28]
    rows = [["序号", "货物（劳务）名称", "规格型号", "单位", "数量", "单价", "金额", "税率", "税额"]]
    lines = []
    for i, l in enumerate(inv["lines"], 1):
        nm = item_name(l)
        rows.append([str(i), nm, l["spec"], l["unit"], dec_str(l["qty"]), dec_str(l["price"]), money(l["amount"]),
                     rate_str(l["rate"]), money(l["tax"])])
        lines.append(line_data(l, nm))
    rows.append(["", "小计", "", "", "", "", money(inv["total_amount"]), "", money(inv["total_tax"])])
    rows.append(["", "总计", "", "", "", "", money(inv["total_amount"]), "", money(inv["total_tax"])])
    yb = pg.table(10, 35, widths, rows, 7, 8.5, aligns=["c", "l", "l", "c", "r", "r", "r", "c", "r"], lw=0.4)
    pg.text(12, yb + 8, "备注：", 9)
    pg.text(12, yb + 18, "销售方（章）：", 9)
    pg.text(120, yb + 18, f"填开日期：{fmt_date(inv['issue_date'], 2)}", 9)
    pg.seal(50, yb + 16, 13, s["name"], center="发票专用章", oval=True, number=s["tax_id"])
    pg.text(120, 145, "注：本清单一式两联：第一联，销售方留存；第二联，销售方送交购买方。", 7.5, anchor="c")
    c.showPage()
    c.save()
    data = {"kind": inv["kind"], "code": code, "number": inv["number"], "issue_date": inv["issue_date"].isoformat(),
            "buyer": party(b, ["name", "tax_id", "address", "phone", "bank", "account"]),
            "seller": party(s, ["name", "tax_id", "address", "phone", "bank", "account"]),
            "lines": lines, **totals(inv), "drawer": inv["drawer"]}
    if inv.get("check_code"):
        data["check_code"] = inv["check_code"]
    if inv["remarks"]:
        data["remarks"] = inv["remarks"]
    return data


LAYOUTS = [
    {"id": "inv1_paper_special", "split": "dev", "fn": inv1, "kinds": ["增值税专用发票"],
     "desc": "传统纸质专票票面(240×140mm): 购买方/密码区/无格线明细/价税合计/销售方/备注, 针式打印错位, 发票专用章"},
    {"id": "inv2_digital", "split": "dev", "fn": inv2, "kinds": ["电子发票（增值税专用发票）", "电子发票（普通发票）"],
     "desc": "数电票票面: 20位号码, 购买方信息/销售方信息左右并排, 银行信息可能在备注"},
    {"id": "inv3_ordinary_grid", "split": "dev", "fn": inv3, "kinds": ["增值税普通发票", "增值税电子普通发票"],
     "desc": "普票/电子普票: 右上角代码/号码/日期/校验码竖排, 带网格的明细表, 宋体"},
    {"id": "inv4_digital_landscape", "split": "heldout", "fn": inv4, "kinds": ["电子发票（增值税专用发票）", "电子发票（普通发票）"],
     "desc": "数电票横版A4, 标签在值上方的方框式买卖方, 序号列, 单价（不含税）/金额（不含税）, 楷体"},
    {"id": "inv5_paper_with_list", "split": "heldout", "fn": inv5, "kinds": ["增值税专用发票", "增值税普通发票"],
     "desc": "两页: 票面明细为『（详见销货清单）』, 第2页为销售货物清单(序号/小计/总计); 买卖方字段两列排布"},
]
