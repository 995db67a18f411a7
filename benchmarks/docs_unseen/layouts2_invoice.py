"""VAT invoice layouts 6–7 (split heldout2). render(path, inv, rng) writes a PDF and returns the printed data.

Written without seeing the extractor (see README.md).
"""

from __future__ import annotations

import datetime as dt

from common import Pg, dec_str, money
from layouts2_common import date_style, ensure_fonts, party
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

PROV4 = {"5300": "云南", "4500": "广西", "5200": "贵州", "3600": "江西", "3500": "福建", "1300": "河北", "1400": "山西",
         "2100": "辽宁", "2300": "黑龙江", "6200": "甘肃", "3200": "江苏"}
PROV2 = {k[:2]: v for k, v in PROV4.items()}
BUREAU = {"广西": "广西壮族自治区"}
DIGITAL = ("电子发票（增值税专用发票）", "电子发票（普通发票）")


def prov_of(inv):
    if inv["kind"] in DIGITAL:
        return PROV2.get(inv["number"][2:4], "江苏")
    code = inv["code"]
    return PROV4.get(code[1:5] if len(code) == 12 else code[:4], "江苏")


def item_name(l):
    return f"*{l['cat']}*{l['name']}"


def rate_str(r):
    return f"{int(r * 100)}%"


def line_data(l):
    return {"name": item_name(l), "spec": l["spec"], "unit": l["unit"], "quantity": dec_str(l["qty"]),
            "unit_price": dec_str(l["price"]), "amount": money(l["amount"]), "tax_rate": str(l["rate"]),
            "tax": money(l["tax"])}


def line_row(l):
    return [item_name(l), l["spec"], l["unit"], dec_str(l["qty"]), dec_str(l["price"]), money(l["amount"]),
            rate_str(l["rate"]), money(l["tax"])]


def totals(inv):
    return {"total_amount": money(inv["total_amount"]), "total_tax": money(inv["total_tax"]),
            "total_with_tax": money(inv["total_with_tax"]), "total_with_tax_upper": inv["upper_yuan"]}


def qr(c, x_mm, y_top_mm, H_mm, size_mm, payload):
    w = QrCodeWidget(payload)
    b = w.getBounds()
    d = Drawing(size_mm * mm, size_mm * mm, transform=[size_mm * mm / (b[2] - b[0]), 0, 0, size_mm * mm / (b[3] - b[1]), 0, 0])
    d.add(w)
    renderPDF.draw(d, c, x_mm * mm, (H_mm - y_top_mm - size_mm) * mm)


def circled_x(pg, x, y, r=1.5, color=(0, 0, 0)):
    c = pg.c
    c.saveState()
    c.setStrokeColorRGB(*color)
    c.setLineWidth(0.45)
    X, Y = x * mm, pg._y(y)
    c.circle(X, Y, r * mm)
    d = r * 0.7 * mm
    c.line(X - d, Y - d, X + d, Y + d)
    c.line(X - d, Y + d, X + d, Y - d)
    c.restoreState()


# ======================================================================== inv6: 数电 face, parties stacked, paginated
def inv6(path, inv, rng):
    ensure_fonts()
    W, H = 240, 140
    c = canvas.Canvas(path, pagesize=(W * mm, H * mm))
    col = (0.58, 0.24, 0.14)
    b, s = inv["buyer"], inv["seller"]
    prov = prov_of(inv)
    lines = inv["lines"]
    pages = [lines] if len(lines) < 2 else [lines[: (len(lines) + 1) // 2], lines[(len(lines) + 1) // 2:]]
    rem_lines = []
    if rng.random() < 0.4:
        rem_lines.append(f"购方开户银行：{b['bank']}  银行账号：{b['account']}")
        rem_lines.append(f"销方开户银行：{s['bank']}  银行账号：{s['account']}")
    if inv["remarks"]:
        rem_lines.append(inv["remarks"])
    fplx = "31" if inv["kind"] == DIGITAL[0] else "32"
    payload = ",".join(["01", fplx, "", inv["number"], money(inv["total_amount"]), inv["issue_date"].strftime("%Y%m%d"), "", "7C2E"])
    X0, X1 = 8, 232
    cols = [(X0, 50, "项目名称", "l"), (58, 36, "规格型号", "l"), (94, 12, "单位", "c"), (106, 22, "数量", "r"),
            (128, 24, "单价", "r"), (152, 26, "金额", "r"), (178, 18, "税率/征收率", "c"), (196, 36, "税额", "r")]
    for pno, plines in enumerate(pages, 1):
        last = pno == len(pages)
        pg = Pg(c, W, H, "NotoSerif")
        qr(c, 10, 6, H, 18, payload)
        pg.seal(120, 11, 9.5, "全国统一发票监制", center=f"国家税务总局{BUREAU.get(prov, prov + '省')}税务局", oval=True,
                color=(0.75, 0.2, 0.15), alpha=0.35, font="NotoSerif")
        pg.text(120, 16, inv["kind"], 15.5, anchor="c", color=col)
        pg.line(72, 19, 168, 19, 0.6, col)
        pg.line(72, 20, 168, 20, 0.6, col)
        pg.text(172, 11, "发票号码：", 8.5, color=col)
        pg.text(188, 11, inv["number"], 8.5)
        pg.text(172, 17, "开票日期：", 8.5, color=col)
        pg.text(188, 17, date_style(inv["issue_date"], "nian0"), 8.5)
        if len(pages) > 1:
            pg.text(232, 23.5, f"共{len(pages)}页  第{pno}页", 7.5, anchor="r", color=col)
        y = 26
        for who, p in [("购买方", b), ("销售方", s)]:
            pg.line(X0, y, X1, y, 0.6, col)
            pg.line(X0 + 16, y, X0 + 16, y + 10, 0.5, col)
            pg.text(X0 + 8, y + 6.3, who, 9, anchor="c", color=col)
            pg.text(X0 + 19, y + 6.3, "名称：", 8.5, color=col)
            pg.text(X0 + 29, y + 6.3, p["name"], 9, maxw=84)
            pg.text(116, y + 6.3, "统一社会信用代码/纳税人识别号：", 8, color=col)
            pg.text(160, y + 6.3, p["tax_id"], 9)
            y += 10
        pg.line(X0, y, X1, y, 0.6, col)
        for x, w, t, _ in cols:
            pg.text(x + w / 2, y + 4.6, t, 8.5, anchor="c", color=col)
        y += 7
        for l in plines:
            for (x, w, _, al), v in zip(cols, line_row(l)):
                if al == "l":
                    pg.text(x + 1.5, y + 4, v, 8.5, maxw=w - 2.5)
                elif al == "c":
                    pg.text(x + w / 2, y + 4, v, 8.5, anchor="c", maxw=w - 2.5)
                else:
                    pg.text(x + w - 1.5, y + 4, v, 8.5, anchor="r", maxw=w - 2.5)
            y += 5.5
        y = max(y, 26 + 20 + 7 + 4 * 5.5) + 1
        if len(pages) > 1:
            pa = sum(l["amount"] for l in plines)
            pt = sum(l["tax"] for l in plines)
            pg.text(X0 + 29, y + 4.5, "小　　计", 8.5, anchor="c", color=col)
            pg.text(178 - 1.5, y + 4.5, "¥" + money(pa), 8.5, anchor="r")
            pg.text(X1 - 1.5, y + 4.5, "¥" + money(pt), 8.5, anchor="r")
            y += 6
        if last:
            pg.text(X0 + 29, y + 4.5, "合　　计", 8.5, anchor="c", color=col)
            pg.text(178 - 1.5, y + 4.5, "¥" + money(inv["total_amount"]), 8.5, anchor="r")
            pg.text(X1 - 1.5, y + 4.5, "¥" + money(inv["total_tax"]), 8.5, anchor="r")
            y += 6.5
            pg.line(X0, y, X1, y, 0.6, col)
            pg.line(X0 + 40, y, X0 + 40, y + 8, 0.5, col)
            pg.text(X0 + 20, y + 5.3, "价税合计（大写）", 8.5, anchor="c", color=col)
            circled_x(pg, X0 + 45, y + 4.1)
            pg.text(X0 + 48, y + 5.3, inv["upper_yuan"], 9)
            pg.text(160, y + 5.3, "（小写）", 8.5, color=col)
            pg.text(173, y + 5.3, "¥" + money(inv["total_with_tax"]), 9)
            y += 8
        pg.line(X0, y, X1, y, 0.6, col)
        hb = 17
        pg.line(X0 + 16, y, X0 + 16, y + hb, 0.5, col)
        pg.text(X0 + 8, y + hb / 2 + 1.2, "备注", 8.5, anchor="c", color=col)
        if last:
            for i, t in enumerate(rem_lines):
                pg.text(X0 + 19, y + 5 + i * 4.5, t, 8, maxw=X1 - X0 - 22)
        else:
            pg.text(X0 + 19, y + 5, "（续下页）", 8, color=(0.4, 0.4, 0.4))
        y += hb
        pg.rect(X0, 26, X1 - X0, y - 26, 0.7, col)
        pg.text(X0 + 12, y + 7, "开票人：", 9, color=col)
        pg.text(X0 + 26, y + 7, inv["drawer"], 9)
        c.showPage()
    c.save()
    data = {"kind": inv["kind"], "number": inv["number"], "issue_date": inv["issue_date"].isoformat(),
            "buyer": party(b, ["name", "tax_id"]), "seller": party(s, ["name", "tax_id"]),
            "lines": [line_data(l) for l in lines], **totals(inv), "drawer": inv["drawer"]}
    if rem_lines:
        data["remarks"] = "".join(rem_lines) if len(rem_lines) == 1 else "\n".join(rem_lines)
    return data


# ======================================================================== inv7: verification-platform printout (查验结果)
LABEL_BG = (0.9, 0.94, 0.99)


def kv_table(pg, x, y, widths, rows, row_h=7.5, size=8.5, label_cols=(0,)):
    """Grid whose label columns are shaded, as on a web page."""
    for ri in range(len(rows)):
        cx = x
        for ci, w in enumerate(widths):
            if ci in label_cols and rows[ri][ci]:
                pg.rect(cx, y + ri * row_h, w, row_h, 0, fill=LABEL_BG)
            cx += w
    aligns = ["c" if i in label_cols else "l" for i in range(len(widths))]
    return pg.table(x, y, widths, rows, row_h, size, aligns=aligns, header_rows=0, lw=0.35, color=(0.55, 0.62, 0.72),
                    wrap_cols=tuple(i for i in range(len(widths)) if i not in label_cols))


def inv7(path, inv, rng):
    ensure_fonts()
    c = canvas.Canvas(path, pagesize=A4)
    pg = Pg(c, 210, 297, "MicroHei")
    kind = inv["kind"]
    digital = kind in DIGITAL
    prov = prov_of(inv)
    b, s = inv["buyer"], inv["seller"]
    blue = (0.13, 0.38, 0.7)
    pg.rect(15, 10, 180, 13, 0, fill=blue)
    pg.text(20, 18.6, "国家税务总局全国增值税发票查验平台", 12.5, color=(1, 1, 1))
    pg.text(190, 18.6, "查验结果", 10, anchor="r", color=(1, 1, 1))
    pg.text(105, 33, "发票查验明细", 14, anchor="c")
    checked = inv["issue_date"] + dt.timedelta(days=rng.randint(1, 12))
    pg.text(20, 41, f"查验次数：第{rng.randint(1, 3)}次", 8.5, color=(0.35, 0.35, 0.35))
    pg.text(190, 41, f"查验时间：{checked.isoformat()} {rng.randint(8, 18):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}",
            8.5, anchor="r", color=(0.35, 0.35, 0.35))
    if digital:
        title = kind
    elif kind == "增值税专用发票":
        title = f"{prov}增值税专用发票"
    elif kind == "增值税普通发票":
        title = f"{prov}增值税普通发票"
    else:
        title = f"{prov}增值税电子普通发票"
    red = (0.6, 0.2, 0.12)
    pg.text(105, 53, title, 15, anchor="c", color=red)
    pg.line(105 - pg.width(title, 15) / 2 - 3, 55.5, 105 + pg.width(title, 15) / 2 + 3, 55.5, 0.6, red)
    date_s = date_style(inv["issue_date"], "nian0")
    mnum = "".join(rng.choice("0123456789") for _ in range(12))
    if digital:
        head = [["发票号码", inv["number"], "开票日期", date_s]]
    elif inv.get("check_code"):
        head = [["发票代码", inv["code"], "发票号码", inv["number"]], ["开票日期", date_s, "校验码", inv["check_code"]],
                ["机器编号", mnum, "", ""]]
    else:
        head = [["发票代码", inv["code"], "发票号码", inv["number"]], ["开票日期", date_s, "机器编号", mnum]]
    y = kv_table(pg, 20, 60, [22, 63, 22, 63], head, label_cols=(0, 2))
    y += 4
    pfields = ["name", "tax_id"] if digital else ["name", "tax_id", "address", "phone", "bank", "account"]

    def party_block(y, who, p):
        if digital:
            rows = [["名称", p["name"]], ["统一社会信用代码/纳税人识别号", p["tax_id"]]]
        else:
            rows = [["名称", p["name"]], ["纳税人识别号", p["tax_id"]], ["地址、电话", f"{p['address']} {p['phone']}"],
                    ["开户行及账号", f"{p['bank']} {p['account']}"]]
        x0 = 20
        h = 7.5 * len(rows)
        pg.rect(x0, y, 10, h, 0.35, (0.55, 0.62, 0.72), fill=LABEL_BG)
        for i, ch in enumerate(who):
            pg.text(x0 + 5, y + h / 2 - (len(who) - 1) * 2.3 + i * 4.6 + 1.3, ch, 8.5, anchor="c")
        return kv_table(pg, x0 + 10, y, [48 if digital else 32, 112 if digital else 128], rows)

    y = party_block(y, "购买方", b)
    y += 4
    hdr = ["项目名称" if digital else "货物或应税劳务、服务名称", "规格型号", "单位", "数量", "单价", "金额",
           "税率/征收率" if digital else "税率", "税额"]
    rows = [hdr] + [line_row(l) for l in inv["lines"]]
    rows.append(["合计", "", "", "", "", "¥" + money(inv["total_amount"]), "", "¥" + money(inv["total_tax"])])
    widths = [42, 23, 10, 18, 22, 20, 14, 21]
    top = y
    pg.rect(20, top, sum(widths), 7, 0, fill=LABEL_BG)
    y = pg.table(20, top, widths, rows, 7, 7.8, aligns=["l", "l", "c", "r", "r", "r", "c", "r"], lw=0.35,
                 color=(0.3, 0.36, 0.45), wrap_cols=(0,))
    y = kv_table(pg, 20, y, [40, 80, 50], [["价税合计（大写）", inv["upper_yuan"], "（小写）¥" + money(inv["total_with_tax"])]],
                 label_cols=(0,))
    y += 4
    y = party_block(y, "销售方", s)
    y += 4
    y = kv_table(pg, 20, y, [30, 140], [["备注", inv["remarks"] or ""]], row_h=12)
    pg.text(20, y + 8, "注：查验结果仅反映发票票面信息与税务机关发票底账数据的一致性。", 7.5, color=(0.45, 0.45, 0.45))
    pg.text(105, 287, "https://inv-veri.chinatax.gov.cn/", 7, anchor="c", color=(0.5, 0.5, 0.5))
    pg.text(190, 287, "1/1", 7, anchor="r", color=(0.5, 0.5, 0.5))
    c.showPage()
    c.save()
    data = {"kind": kind, "number": inv["number"], "issue_date": inv["issue_date"].isoformat(),
            "buyer": party(b, pfields), "seller": party(s, pfields),
            "lines": [line_data(l) for l in inv["lines"]], **totals(inv)}
    if not digital:
        data["code"] = inv["code"]
        if inv.get("check_code"):
            data["check_code"] = inv["check_code"]
    if inv["remarks"]:
        data["remarks"] = inv["remarks"]
    return data


LAYOUTS = [
    {"id": "inv6_digital_paged", "split": "heldout2", "fn": inv6, "kinds": list(DIGITAL),
     "desc": "数电票: 购买方/销售方上下两行, 无竖线明细, 多行时分两页(每页小计, 末页合计), 宋体(Noto Serif)"},
    {"id": "inv7_verification_printout", "split": "heldout2", "fn": inv7,
     "kinds": ["增值税专用发票", "增值税普通发票", "增值税电子普通发票", "电子发票（增值税专用发票）", "电子发票（普通发票）"],
     "desc": "全国增值税发票查验平台查验结果打印页: 浅蓝标签格, 查验时间/次数, 票面要素表, 黑体(Micro Hei)"},
]
