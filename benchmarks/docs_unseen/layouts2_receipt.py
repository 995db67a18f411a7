"""Bank payment receipt layouts 6–7 (split heldout2). render(path, r, rng) -> printed data.

Written without seeing the extractor (see README.md).
"""

from __future__ import annotations

import datetime as dt

from common import Pg, money
from layouts2_common import bold, dashed, date_style, ensure_fonts, group4, rect_stamp
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

GREY = (0.42, 0.42, 0.42)


def bank_short(bank):
    i = bank.find("银行")
    return bank[: i + 2] if i >= 0 else bank


def branch_short(bank):
    short = bank_short(bank)
    return bank[len(short):] or short


def pty(p):
    return {"name": p["name"], "account": p["account"], "bank": p["bank"]}


def data(r):
    return {"serial": r["serial"], "date": r["date"].isoformat(), "payer": pty(r["payer"]), "payee": pty(r["payee"]),
            "amount": money(r["amount"]), "amount_upper": r["upper"], "purpose": r["purpose"]}


# ======================================================================== rc6: bilingual receipt on the top of an A4 sheet, parties stacked
def rc6(path, r, rng):
    ensure_fonts()
    c = canvas.Canvas(path, pagesize=A4)
    pg = Pg(c, 210, 297, "NotoSans")
    bank = bank_short(r["payer"]["bank"])
    col = rng.choice([(0.7, 0.1, 0.12), (0.0, 0.35, 0.6), (0.1, 0.45, 0.3)])
    title = rng.choice(["付款回单", "转账回单", "客户付款回单"])
    grouped = rng.random() < 0.5
    X0, X1, y0 = 15, 195, 12
    bold(pg, X0 + 2, y0 + 8, bank, 12, color=col)
    pg.text(105, y0 + 8, title, 14, anchor="c")
    pg.text(105, y0 + 12.5, "PAYMENT ADVICE", 7.5, "Helvetica", anchor="c", color=GREY)
    pg.text(X1 - 2, y0 + 7, "回单编号 Receipt No.", 7, anchor="r", color=GREY)
    pg.text(X1 - 2, y0 + 11.5, r["serial"], 8.5, "Courier", anchor="r")
    pg.text(X0 + 2, y0 + 19.5, f"交易日期 Date：{date_style(r['date'], rng.choice(['slash', 'nian', 'iso']))}", 8.5)
    pg.text(X1 - 2, y0 + 19.5, "币种 Currency：人民币 CNY", 8.5, anchor="r")
    y = y0 + 22
    lab_w, sub_w = 18, 30
    for head, en, p in [("付款人", "Payer", r["payer"]), ("收款人", "Payee", r["payee"])]:
        rows = [["户　名 Name", p["name"]], ["账　号 A/C No.", group4(p["account"]) if grouped else p["account"]],
                ["开户行 Bank", p["bank"]]]
        pg.rect(X0, y, lab_w, 21, 0.4, col, fill=(0.96, 0.96, 0.96))
        pg.text(X0 + lab_w / 2, y + 9.5, head, 9, anchor="c", color=col)
        pg.text(X0 + lab_w / 2, y + 14, en, 7, "Helvetica", anchor="c", color=GREY)
        pg.table(X0 + lab_w, y, [sub_w, X1 - X0 - lab_w - sub_w], rows, 7, 8.8, aligns=["l", "l"], header_rows=0, lw=0.4,
                 color=col)
        y += 21
    amt = rng.choice([f"CNY {money(r['amount'], True)}", f"¥{money(r['amount'], True)}"])
    rows = [["金　额 Amount", amt], ["大　写 In Words", "人民币" + r["upper"]], ["用　途 Purpose", r["purpose"]],
            ["摘　要 Memo", rng.choice(["网银转账", "跨行汇款", "企业网银付款"])]]
    y = pg.table(X0, y, [lab_w + sub_w, X1 - X0 - lab_w - sub_w], rows, 7, 8.8, aligns=["l", "l"], header_rows=0, lw=0.4,
                 color=col)
    pg.text(X0 + 2, y + 6, f"记账柜员 Teller：EB{rng.randint(1, 9999):04d}    打印次数 Printed：{rng.randint(1, 2)}", 7.5,
            color=GREY)
    pg.seal(X1 - 26, y - 4, 14, bank + branch_short(r["payer"]["bank"])[:4], "电子回单专用章", font="NotoSans")
    pg.rect(X0, y0, X1 - X0, y + 10 - y0, 0.8, col)
    dashed(pg, 8, y + 17, 202, y + 17)
    c.showPage()
    c.save()
    return data(r)


# ======================================================================== rc7: CNAPS 国内支付业务付款回单, label:value pairs, no grid
def rc7(path, r, rng):
    ensure_fonts()
    W, H = 210, 127
    c = canvas.Canvas(path, pagesize=(W * mm, H * mm))
    pg = Pg(c, W, H, "NotoSerif")
    bank = bank_short(r["payer"]["bank"])
    ox, oy = rng.uniform(-1.0, 1.2), rng.uniform(-0.6, 0.8)  # printer offset
    ink = (0.18, 0.18, 0.22)
    pg.text(105, 13, bank, 11, anchor="c")
    pg.text(105, 20.5, "国内支付业务付款回单", 13.5, anchor="c")
    pg.line(68, 22.5, 142, 22.5, 0.4)
    pay, rec = r["payer"], r["payee"]
    date_s = date_style(r["date"], rng.choice(["iso", "nian0", "compact"]))
    kind = rng.choice(["小额支付", "网银互联"]) if r["amount"] < 50000 else rng.choice(["大额支付", "大额支付", "网银互联"])
    left = [("业务种类", kind), ("付款人账号", pay["account"]),
            ("付款人名称", pay["name"]), ("付款人开户行", pay["bank"])]
    right = [("支付交易序号", r["serial"]), ("收款人账号", rec["account"]), ("收款人名称", rec["name"]),
             ("收款人开户行", rec["bank"])]
    y = 31
    for (l1, v1), (l2, v2) in zip(left, right):
        pg.text(12 + ox, y + oy, f"{l1}：", 9, color=ink)
        pg.text(12 + pg.width(f"{l1}：", 9) + ox, y + oy, v1, 9, color=ink, maxw=96 - pg.width(f"{l1}：", 9))
        pg.text(110 + ox, y + oy, f"{l2}：", 9, color=ink)
        pg.text(110 + pg.width(f"{l2}：", 9) + ox, y + oy, v2, 9, color=ink, maxw=90 - pg.width(f"{l2}：", 9))
        y += 7.5
    rest = [("委托日期", date_s), ("金额", "CNY" + money(r["amount"], True)), ("金额（大写）", "人民币" + r["upper"]),
            ("附言", r["purpose"]), ("报文状态", f"已清算    清算日期：{r['date'].strftime('%Y%m%d')}")]
    for lab, v in rest:
        pg.text(12 + ox, y + oy, f"{lab}：{v}", 9, color=ink)
        y += 7.5
    dashed(pg, 10, y, 200, y, color=(0.3, 0.3, 0.3))
    printed = r["date"] + dt.timedelta(days=rng.randint(0, 6))
    code = "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(10))
    pg.text(12 + ox, y + 6 + oy, f"打印日期：{printed.isoformat()}    打印柜员：{rng.randint(100000, 999999)}    回单验证码：{code}",
            8, color=ink)
    pg.text(12 + ox, y + 12 + oy, "本回单为付款人开户行已受理并发出支付业务的凭证，不作为收款人已收款的依据。", 7.5, color=GREY)
    rect_stamp(pg, 172, 96, [branch_short(pay["bank"])[:8], date_style(r["date"], "dot"), "转讫"], 8, font="NotoSerif",
               angle=rng.uniform(-10, 10))
    c.showPage()
    c.save()
    return data(r)


LAYOUTS = [
    {"id": "rc6_a4_bilingual_stacked", "split": "heldout2", "fn": rc6,
     "desc": "A4 顶部的付款回单/转账回单: 中英双语标签(户　名 Name…), 付款人与收款人上下堆叠, 账号可能四位一组, CNY/¥ 千分位金额, Noto Sans"},
    {"id": "rc7_cnaps_payment", "split": "heldout2", "fn": rc7,
     "desc": "国内支付业务付款回单(大额/小额): 无表格的『标签：值』两栏针打文本, 支付交易序号, 另有打印日期, 方形转讫章, Noto Serif"},
]
