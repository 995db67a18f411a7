"""Bank payment receipt layouts. render(path, r, rng) -> printed data."""

from __future__ import annotations

from common import Pg, fmt_date, money, paragraph
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

GREY = (0.4, 0.4, 0.4)


def pty(p):
    return {"name": p["name"], "account": p["account"], "bank": p["bank"]}


def bank_short(bank):
    for k in ("银行", "合作银行", "商业银行"):
        if k in bank:
            return bank[: bank.index(k) + len(k)]
    return bank


def data(r, serial, purpose=True):
    d = {"serial": serial, "date": r["date"].isoformat(), "payer": pty(r["payer"]), "payee": pty(r["payee"]),
         "amount": money(r["amount"]), "amount_upper": r["upper"]}
    if purpose:
        d["purpose"] = r["purpose"]
    return d


# ======================================================================== rc1: 电子回单, payer/payee as two value columns
def rc1(path, r, rng):
    W, H = 210, 120
    c = canvas.Canvas(path, pagesize=(W * mm, H * mm))
    pg = Pg(c, W, H, "ZenHei")
    bank = bank_short(r["payer"]["bank"])
    pg.text(105, 14, f"{bank}  网上银行电子回单", 15, anchor="c")
    pg.text(15, 23, f"电子回单号码：{r['serial']}", 8.5)
    pg.text(195, 23, f"打印日期：{fmt_date(r['date'], 1)}", 8.5, anchor="r")
    rows = [["", "付款方", "收款方"],
            ["户名", r["payer"]["name"], r["payee"]["name"]],
            ["账号", r["payer"]["account"], r["payee"]["account"]],
            ["开户行", r["payer"]["bank"], r["payee"]["bank"]]]
    y = pg.table(15, 26, [22, 79, 79], rows, 7.5, 9, aligns=["c", "l", "l"], header_fill=(0.93, 0.93, 0.93))
    rows = [["金额（小写）", f"¥{money(r['amount'], True)}"], ["金额（大写）", r["upper"]], ["币种", "人民币"],
            ["用途", r["purpose"]], ["交易日期", fmt_date(r["date"], 0)], ["交易渠道", rng.choice(["网上银行", "企业网银", "银企直联"])]]
    y = pg.table(15, y, [22, 158], rows, 7.5, 9, aligns=["c", "l"], header_rows=0)
    pg.text(15, y + 7, f"验证码：{''.join(rng.choice('ABCDEFGHJKLMNPQRSTUVWXYZ23456789') for _ in range(12))}", 8, color=GREY)
    pg.text(15, y + 12, "本回单可通过网上银行进行验证，重复打印请注意核对，不作为收款方发货依据。", 7.5, color=GREY)
    pg.seal(170, y - 8, 14, bank + r["payer"]["bank"][len(bank):][:4], "电子回单专用章")
    c.showPage()
    c.save()
    return data(r, r["serial"])


# ======================================================================== rc2: 业务回单, label above value in cells
def rc2(path, r, rng):
    W, H = 210, 110
    c = canvas.Canvas(path, pagesize=(W * mm, H * mm))
    pg = Pg(c, W, H, "UMing")
    bank = bank_short(r["payee"]["bank"] if rng.random() < 0.3 else r["payer"]["bank"])
    col = (0.1, 0.35, 0.6)
    pg.text(12, 13, bank, 12, color=col)
    pg.text(105, 15, "业务回单（付款）", 15, anchor="c")
    pg.text(198, 13, f"回单编号：{r['serial']}", 8, anchor="r")
    cells = [("付款人名称", r["payer"]["name"], "收款人名称", r["payee"]["name"]),
             ("付款人账号", r["payer"]["account"], "收款人账号", r["payee"]["account"]),
             ("付款人开户行", r["payer"]["bank"], "收款人开户行", r["payee"]["bank"]),
             ("金额（小写）", "CNY " + money(r["amount"], True), "金额（大写）", r["upper"]),
             ("用途", r["purpose"], "记账日期", fmt_date(r["date"], 5))]
    y = 22
    for l1, v1, l2, v2 in cells:
        for x, lab, v in [(12, l1, v1), (105, l2, v2)]:
            pg.rect(x, y, 93, 13, 0.4, col)
            pg.text(x + 1.5, y + 4, lab, 7, color=col)
            pg.text(x + 3, y + 10.5, v, 9.5, maxw=88)
        y += 13
    pg.text(12, y + 6, f"业务类型：{rng.choice(['跨行转账', '行内转账', '大额支付'])}    手续费：{rng.choice(['0.00', '5.50', '15.00'])}", 8.5)
    pg.text(12, y + 11, f"打印次数：{rng.randint(1, 3)}", 7.5, color=GREY)
    pg.seal(178, y + 2, 13, bank, "业务专用章")
    c.showPage()
    c.save()
    return data(r, r["serial"])


# ======================================================================== rc3: 转账凭证 / 汇款回单, vertical list
def rc3(path, r, rng):
    c = canvas.Canvas(path, pagesize=A4)
    pg = Pg(c, 210, 297, "ZenHei")
    bank = bank_short(r["payer"]["bank"])
    title = rng.choice(["转账凭证", "汇款回单", "交易回单"])
    pg.text(20, 22, bank, 13)
    pg.text(105, 34, title, 17, anchor="c")
    pg.line(20, 40, 190, 40, 0.8)
    payee_lab = rng.choice(["收款人", "收款方", "收款单位"])
    items = [("交易流水号", r["serial"]), ("交易时间", f"{fmt_date(r['date'], 1)} {rng.randint(9, 17):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"),
             ("付款人户名", r["payer"]["name"]), ("付款人账号", r["payer"]["account"]), ("付款人开户行", r["payer"]["bank"]),
             (f"{payee_lab}户名", r["payee"]["name"]), (f"{payee_lab}账号", r["payee"]["account"]),
             (f"{payee_lab}开户行", r["payee"]["bank"]),
             ("交易金额", f"RMB {money(r['amount'], True)}"), ("金额大写", r["upper"]), ("附言", r["purpose"]),
             ("交易状态", "交易成功")]
    y = 50
    for lab, v in items:
        pg.text(30, y, f"{lab}：", 10.5, color=GREY)
        pg.text(72, y, v, 10.5)
        y += 8.5
    pg.line(20, y, 190, y, 0.5)
    paragraph(pg, 20, y + 8, "温馨提示：本凭证仅证明我行已受理该笔业务，款项以收款人实际入账为准。", 8.5, 170, indent=False)
    pg.seal(150, y - 18, 16, bank, "转讫章" if rng.random() < 0.5 else "电子回单专用章")
    c.showPage()
    c.save()
    return data(r, r["serial"])


# ======================================================================== rc4 (heldout): 付款通知书, letter with a details table
def rc4(path, r, rng):
    c = canvas.Canvas(path, pagesize=A4)
    pg = Pg(c, 210, 297, "UKai")
    payer, payee = r["payer"], r["payee"]
    pg.text(105, 30, "付款通知书", 20, anchor="c")
    pg.text(190, 40, f"编号：{r['serial']}", 9.5, anchor="r")
    pg.text(20, 52, f"致：{payee['name']}", 12)
    y = paragraph(pg, 20, 62, f"我司已于{fmt_date(r['date'], 0)}通过银行转账方式向贵司支付款项，具体信息如下，请注意查收并开具相应发票。", 11.5, 170)
    rows = [["付款单位", payer["name"]], ["付款账号", payer["account"]], ["付款银行", payer["bank"]],
            ["收款单位", payee["name"]], ["收款账号", payee["account"]], ["收款银行", payee["bank"]],
            ["付款金额", f"¥{money(r['amount'], True)}"], ["大写金额", r["upper"]], ["款项用途", r["purpose"]],
            ["付款日期", fmt_date(r["date"], 1)]]
    y = pg.table(25, y + 6, [35, 125], rows, 9, 11, aligns=["c", "l"], header_rows=0)
    pg.text(120, y + 20, f"{payer['name']}", 11, maxw=70)
    pg.text(120, y + 30, "财务部", 11)
    pg.text(120, y + 40, fmt_date(r["date"], 2), 11)
    pg.seal(150, y + 27, 18, payer["name"], "财务专用章")
    c.showPage()
    c.save()
    return data(r, r["serial"])


# ======================================================================== rc5 (heldout): 汇款回单 with vertical side labels and digit boxes
def rc5(path, r, rng):
    W, H = 230, 110
    c = canvas.Canvas(path, pagesize=(W * mm, H * mm))
    pg = Pg(c, W, H, "UMing")
    col = (0.55, 0.15, 0.15)
    bank = bank_short(r["payer"]["bank"])
    pg.text(115, 14, f"{bank}汇款回单", 15, anchor="c", color=col)
    pg.text(115, 20, "（回  单）", 9, anchor="c", color=col)
    pg.text(15, 22, f"委托日期 {fmt_date(r['date'], 0)}", 9, color=col)
    pg.text(215, 22, f"流水号：{r['serial']}", 8.5, anchor="r")
    X0, y = 12, 25
    pg.rect(X0, y, 206, 70, 0.7, col)
    half = 103
    for x0, who, p, labs in [(X0, "汇款人", r["payer"], ["全  称", "账  号", "汇出行"]),
                             (X0 + half, "收款人", r["payee"], ["全  称", "账  号", "汇入行"])]:
        pg.line(x0 + 8, y, x0 + 8, y + 27, 0.5, col)
        pg.line(x0 + 24, y, x0 + 24, y + 27, 0.5, col)
        for i, ch in enumerate(who):
            pg.text(x0 + 4, y + 8 + i * 6, ch, 9, anchor="c", color=col)
        for i, (lab, k) in enumerate(zip(labs, ["name", "account", "bank"])):
            pg.text(x0 + 16, y + 6 + i * 9, lab, 8.5, anchor="c", color=col)
            pg.text(x0 + 26, y + 6 + i * 9, p[k], 8.5, maxw=half - 28)
            if i < 2:
                pg.line(x0 + 8, y + 9 * (i + 1), x0 + half, y + 9 * (i + 1), 0.4, col)
    pg.line(X0 + half, y, X0 + half, y + 27, 0.7, col)
    y2 = y + 27
    pg.line(X0, y2, X0 + 206, y2, 0.6, col)
    pg.text(X0 + 2, y2 + 9, "金额", 9, color=col)
    pg.text(X0 + 12, y2 + 9, "人民币（大写）", 8.5, color=col)
    pg.text(X0 + 36, y2 + 9, r["upper"], 10, maxw=92)
    # digit boxes 亿千百十万千百十元角分
    heads = "亿千百十万千百十元角分"
    cents = f"{int(r['amount'] * 100):d}"
    digits = ("¥" + cents).rjust(11)[-11:]
    bx = X0 + 206 - 11 * 6.5
    for i, (hch, dch) in enumerate(zip(heads, digits)):
        x = bx + i * 6.5
        pg.rect(x, y2, 6.5, 14, 0.3, col)
        pg.text(x + 3.25, y2 + 4, hch, 7, anchor="c", color=col)
        pg.text(x + 3.25, y2 + 11.5, dch.strip(), 10, anchor="c")
    y3 = y2 + 14
    pg.line(X0, y3, X0 + 206, y3, 0.6, col)
    pg.text(X0 + 2, y3 + 7, "附言：", 9, color=col)
    pg.text(X0 + 14, y3 + 7, r["purpose"], 9.5)
    pg.text(X0 + 2, y3 + 15, f"小写金额：{money(r['amount'])}", 8.5, color=GREY)
    pg.text(X0 + 110, y3 + 7, "汇出行签章", 9, color=col)
    pg.seal(X0 + 165, y3 + 10, 12, bank, "转讫")
    c.showPage()
    c.save()
    return data(r, r["serial"])


LAYOUTS = [
    {"id": "rc1_ebank_two_columns", "split": "dev", "fn": rc1,
     "desc": "网上银行电子回单: 户名/账号/开户行三行 × 付款方/收款方两列值, 金额小写/大写/用途表, 电子回单专用章"},
    {"id": "rc2_business_cells", "split": "dev", "fn": rc2,
     "desc": "业务回单（付款）: 每格小字标签在上、值在下, 付款人/收款人左右格, CNY 金额, 记账日期YYYYMMDD"},
    {"id": "rc3_vertical_list", "split": "dev", "fn": rc3,
     "desc": "转账凭证/汇款回单/交易回单: A4 竖排『标签：值』清单, 收款人/收款方/收款单位同义标签, RMB 金额, 附言"},
    {"id": "rc4_payment_notice", "split": "heldout", "fn": rc4,
     "desc": "付款通知书(付款企业致收款方的信函): 叙述段落+付款单位/收款单位明细表, 财务专用章, 楷体"},
    {"id": "rc5_remittance_boxes", "split": "heldout", "fn": rc5,
     "desc": "汇款回单(传统凭证): 汇款人/收款人竖写侧标签, 全称/账号/汇出行/汇入行, 亿千百十…分 数字格, 附言"},
]
