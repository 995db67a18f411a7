"""Builds one financing application: the full (ground) facts of every document, plus the planted flag."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from common import PROVINCE4, q2, rmb_upper
from pools import goods_pool, price_decimal

FLAGS = [
    "trade.payment_back_to_borrower",
    "trade.no_delivery_evidence",
    "trade.goods_mismatch",
    "trade.party_mismatch",
    "trade.amount_exceeds_contract",
    "trade.invoice_before_contract",
    "trade.related_parties",
    "trade.payee_not_counterparty",
]

UNIT_DEC = {"吨": 3}


def qty_round(q: Decimal, unit: str) -> Decimal:
    places = UNIT_DEC.get(unit, 0)
    v = q.quantize(Decimal(1) / (Decimal(10) ** places)) if places else q.quantize(Decimal(1))
    return max(v, Decimal(1) if not places else Decimal("0.5"))


class Numbers:
    """Globally unique serial numbers (invoice numbers must never repeat across the corpus)."""

    def __init__(self, rng):
        self.rng = rng
        self.seen: set[str] = set()

    def digits(self, n, prefix=""):
        while True:
            s = prefix + "".join(self.rng.choice("0123456789") for _ in range(n - len(prefix)))
            if s not in self.seen:
                self.seen.add(s)
                return s


def invoice_ids(rng, nums: Numbers, kind: str, city: str, date: dt.date) -> dict:
    p4 = PROVINCE4.get(city, "3200")
    yy = f"{date.year % 100:02d}"
    if kind in ("电子发票（增值税专用发票）", "电子发票（普通发票）"):
        return {"number": nums.digits(20, yy + p4[:2] + rng.choice("0123"))}
    if kind == "增值税专用发票":
        code = p4 + yy + str(rng.randint(1, 9)) + rng.choice("15") + rng.choice("36") + rng.choice("0123")
        return {"code": code, "number": nums.digits(8)}
    check = "".join(rng.choice("0123456789") for _ in range(20))
    if kind == "增值税电子普通发票":
        code = "0" + p4 + yy + f"{rng.randint(1, 999):03d}" + "11"
        return {"code": code, "number": nums.digits(8), "check_code": check}
    # 增值税普通发票 (paper): 10-digit (kind 3/6) or 12-digit (04/05)
    if rng.random() < 0.5:
        code = p4 + yy + str(rng.randint(1, 9)) + rng.choice("36") + rng.choice("2356") + rng.choice("0123")
    else:
        code = "0" + p4 + yy + f"{rng.randint(1, 999):03d}" + rng.choice(["04", "05"])
    return {"code": code, "number": nums.digits(8), "check_code": check}


def rand_date(rng, lo: dt.date, hi: dt.date) -> dt.date:
    if hi <= lo:
        return lo
    return lo + dt.timedelta(days=rng.randint(0, (hi - lo).days))


def make_lines(rng, split, n, exclude_names=()):
    pool = [g for g in goods_pool(split) if g[1] not in exclude_names]
    start = rng.randrange(len(pool))
    items = [pool[(start + k) % len(pool)] for k in range(n)]  # neighbours in the pool are related goods
    lines = []
    for cat, name, specs, unit, prange, qrange, rate in items:
        price = price_decimal(rng, *prange)
        if unit in UNIT_DEC and rng.random() < 0.5:
            qty = qty_round(Decimal(str(rng.uniform(*qrange))), unit)
        else:
            qty = Decimal(rng.randint(*qrange))
            if qty > 100:
                qty = (qty // 10) * 10
        lines.append({"cat": cat, "name": name, "spec": rng.choice(specs), "unit": unit, "qty": qty,
                      "price": price, "amount": q2(qty * price), "rate": Decimal(rate)})
    return lines


def net_price(price_incl: Decimal, rate: Decimal, places: int) -> Decimal:
    v = price_incl / (1 + rate)
    p = v.quantize(Decimal(1) / (Decimal(10) ** places))
    # drop trailing zeros but keep at least 2 decimals
    s = format(p.normalize(), "f")
    if "." not in s or len(s.split(".")[1]) < 2:
        s = f"{p:.2f}"
    return Decimal(s)


def invoice_line(cl, qty, places):
    np_ = net_price(cl["price"], cl["rate"], places)
    amount = q2(qty * np_)
    tax = q2(amount * cl["rate"])
    return {"cat": cl["cat"], "name": cl["name"], "spec": cl["spec"], "unit": cl["unit"], "qty": qty,
            "price": np_, "amount": amount, "rate": cl["rate"], "tax": tax}


def finalize_invoice(inv):
    inv["total_amount"] = sum((l["amount"] for l in inv["lines"]), Decimal("0.00"))
    inv["total_tax"] = sum((l["tax"] for l in inv["lines"]), Decimal("0.00"))
    inv["total_with_tax"] = inv["total_amount"] + inv["total_tax"]
    inv["upper_yuan"] = rmb_upper(inv["total_with_tax"], "圆")
    inv["upper_yuan2"] = rmb_upper(inv["total_with_tax"], "元")


def split_qty(rng, qty, unit, parts):
    """Split a quantity into `parts` positive pieces."""
    if parts == 1:
        return [qty]
    cuts = sorted(rng.uniform(0.25, 0.75) for _ in range(parts - 1))
    out, prev = [], Decimal(0)
    for c in cuts:
        v = qty_round(qty * Decimal(str(c)), unit)
        out.append(v - prev)
        prev = v
    out.append(qty - prev)
    if any(x <= 0 for x in out):
        return [qty] + [Decimal(0)] * (parts - 1)
    return out


CONTRACT_TITLES = {
    "购销合同": ("甲方", "乙方"), "采购合同": ("买方", "卖方"), "供货协议": ("需方", "供方"),
}


def build_application(rng, split, companies, nums, idx, flag, layouts):
    """layouts: callable(doc_type) -> layout meta dict (id, kinds...) chosen by the caller."""
    borrower = companies["buyers"].pop()
    seller = companies["sellers"].pop()
    if flag == "trade.related_parties":
        field = rng.choice(["legal_rep", "address", "phone"])
        seller = dict(seller)
        seller[field] = borrower[field]
        related_field = field
    else:
        related_field = None

    fin = dt.date(2024, 3, 1) + dt.timedelta(days=rng.randint(0, 600))
    sign = fin - dt.timedelta(days=rng.randint(40, 150))
    n_lines = rng.choice([1, 1, 2, 2, 3, 4])
    clines = make_lines(rng, split, n_lines)
    ctotal = sum((l["amount"] for l in clines), Decimal("0.00"))
    cnum_style = rng.randrange(4)
    yr = sign.year
    cnum = [f"HT-{yr}-{nums.digits(4)}", f"{borrower['name'][2:4]}CG{yr}{sign.month:02d}{nums.digits(3)}",
            f"XS{yr}{nums.digits(5)}", f"GYXY-{yr}{sign.month:02d}-{nums.digits(3)}"][cnum_style]
    contract = {
        "doc_type": "contract", "number": cnum, "sign_date": sign, "buyer": borrower, "seller": seller,
        "lines": clines, "total_amount": ctotal, "upper": rmb_upper(ctotal),
        "delivery_date": sign + dt.timedelta(days=rng.randint(10, 45)),
        "delivery_place": borrower["address"] if rng.random() < 0.6 else f"{borrower['name']}指定仓库（{borrower['city']}）",
        "payment_terms": rng.choice([
            "需方收到货物及增值税专用发票后30日内以银行转账方式支付全部货款",
            "合同签订后预付30%，货到验收合格并收到发票后支付剩余70%货款",
            "货到验收合格后凭增值税专用发票60天内电汇付清",
            "买方通过银行受托支付方式向卖方支付货款，款到发货",
        ]),
        "sign_place": seller["city"] + "市",
    }

    # ---------------------------------------------------------------- invoices
    n_inv = rng.choice([1, 1, 2, 2, 3])
    lo = max(sign + dt.timedelta(days=2), fin - dt.timedelta(days=170))
    inv_dates = sorted(rand_date(rng, lo, fin - dt.timedelta(days=1)) for _ in range(n_inv))
    frac = Decimal(str(rng.uniform(0.6, 1.0))) if flag != "trade.amount_exceeds_contract" else Decimal(str(rng.uniform(1.12, 1.35)))
    per_inv_lines = [[] for _ in range(n_inv)]
    for cl in clines:
        tq = qty_round(cl["qty"] * frac, cl["unit"])
        parts = split_qty(rng, tq, cl["unit"], n_inv)
        for k, q in enumerate(parts):
            if q > 0:
                per_inv_lines[k].append((cl, q))
    for k in range(n_inv):
        if not per_inv_lines[k]:
            cl = clines[0]
            per_inv_lines[k].append((cl, qty_round(cl["qty"] * Decimal("0.05"), cl["unit"])))
    invoices = []
    for k in range(n_inv):
        meta = layouts("vat_invoice")
        kind = rng.choice(meta["kinds"])
        places = rng.choice([2, 6, 8]) if "2" in meta.get("price_places", "268") else 6
        inv = {"doc_type": "vat_invoice", "layout": meta, "kind": kind, "issue_date": inv_dates[k],
               "buyer": borrower, "seller": seller,
               "lines": [invoice_line(cl, q, places) for cl, q in per_inv_lines[k]],
               "drawer": rng.choice(["王丽", "刘芳", "陈静", "张敏", "李娜", "周婷", "赵雪", "孙艳", "管理员"]),
               "payee_clerk": rng.choice(["", "黄红", "吴倩", "郑洁"]), "reviewer": rng.choice(["", "杨帆", "许晴", "马超"]),
               "remarks": rng.choice(["", "", f"合同号：{cnum}", f"{cnum}项下货款", "货物已于当月交付"])}
        inv.update(invoice_ids(rng, nums, kind, seller["city"], inv["issue_date"]))
        finalize_invoice(inv)
        invoices.append(inv)

    # make sure clean invoices stay within the contract total
    def inv_sum():
        return sum((i["total_with_tax"] for i in invoices), Decimal("0.00"))

    if flag != "trade.amount_exceeds_contract":
        guard = 0
        while inv_sum() > ctotal and guard < 50:
            inv = invoices[-1]
            ln = max(inv["lines"], key=lambda l: l["amount"])
            step = Decimal(1) if ln["unit"] not in UNIT_DEC else Decimal("0.5")
            if ln["qty"] > step:
                ln["qty"] -= step
                ln["amount"] = q2(ln["qty"] * ln["price"])
                ln["tax"] = q2(ln["amount"] * ln["rate"])
            finalize_invoice(inv)
            guard += 1
    else:
        assert inv_sum() > ctotal

    notes = []
    flag_docs = []  # indexes filled later by caller with file names: list of (kind, idx)

    if flag == "trade.goods_mismatch":
        k = rng.randrange(n_inv)
        inv = invoices[k]
        j = rng.randrange(len(inv["lines"]))
        old = inv["lines"][j]
        used_cats = {l["cat"] for l in clines}
        cand = [g for g in goods_pool(split) if g[0] not in used_cats and g[1] not in {l["name"] for l in clines}]
        cat, name, specs, unit, prange, qrange, rate = rng.choice(cand)
        price = price_decimal(rng, *prange)
        inc_amount = old["amount"] + old["tax"]
        qty = qty_round(inc_amount / price * Decimal("0.95"), unit)
        nl = invoice_line({"cat": cat, "name": name, "spec": rng.choice(specs), "unit": unit, "price": price,
                           "rate": Decimal(rate)}, qty, 6)
        inv["lines"][j] = nl
        finalize_invoice(inv)
        guard = 0
        while inv_sum() > ctotal and guard < 200:
            nl["qty"] -= 1 if unit not in UNIT_DEC else Decimal("0.5")
            nl["amount"] = q2(nl["qty"] * nl["price"])
            nl["tax"] = q2(nl["amount"] * nl["rate"])
            finalize_invoice(inv)
            guard += 1
        flag_docs.append(("inv", k))
        note = f"发票货物「{name}」不在合同标的中（合同：{'、'.join(l['name'] for l in clines)}）"
    elif flag == "trade.party_mismatch":
        k = rng.randrange(n_inv)
        inv = invoices[k]
        other = companies["others"].pop()
        side = "buyer" if rng.random() < 0.65 else "seller"
        inv[side] = other
        if side == "seller":
            inv.update(invoice_ids(rng, nums, inv["kind"], other["city"], inv["issue_date"]))
        flag_docs.append(("inv", k))
        note = f"发票{'购买方' if side == 'buyer' else '销售方'}为{other['name']}，与合同不一致"
        contract["_party_mismatch_side"] = side
    elif flag == "trade.invoice_before_contract":
        k = 0
        invoices[0]["issue_date"] = sign - dt.timedelta(days=rng.randint(3, 25))
        flag_docs.append(("inv", 0))
        note = f"发票开具日 {invoices[0]['issue_date']} 早于合同签订日 {sign}"
    elif flag == "trade.amount_exceeds_contract":
        flag_docs += [("inv", k) for k in range(n_inv)]
        note = f"发票价税合计 {inv_sum()} 超过合同金额 {ctotal}"
    elif flag == "trade.related_parties":
        note = f"买卖双方{ {'legal_rep': '法定代表人', 'address': '地址', 'phone': '电话'}[related_field] }相同"
        contract["_related_field"] = related_field
    else:
        note = ""

    # ---------------------------------------------------------------- delivery notes
    if flag == "trade.no_delivery_evidence":
        n_notes = 0
        note = "申请材料中无送货单、入库单等物流证据"
    else:
        n_notes = rng.choice([1, 1, 2])
    for k in range(n_notes):
        meta = layouts("delivery_note")
        d = rand_date(rng, sign + dt.timedelta(days=1), fin - dt.timedelta(days=1))
        src = invoices[k] if k < n_inv else invoices[0]
        lines = []
        for l in src["lines"]:
            cl = next((c for c in clines if c["name"] == l["name"]), None)
            if cl is None:  # mismatching invoice goods: delivery shows contract goods
                cl = clines[0]
            lines.append({"name": cl["name"], "spec": cl["spec"], "unit": cl["unit"], "qty": l["qty"],
                          "price": cl["price"], "amount": q2(l["qty"] * cl["price"])})
        wh = rng.choice([f"{borrower['city']}{rng.choice(['一号', '二号', '原料', '成品', '东区'])}仓库",
                         f"{borrower['name'][:-4]}原材料库", f"{rng.choice(['中储', '中外运', '普洛斯', '宝湾'])}{borrower['city']}物流园{rng.randint(1, 9)}号库"])
        notes.append({"doc_type": "delivery_note", "layout": meta, "number": "", "date": d,
                      "consignor": seller, "consignee": borrower, "contract_number": cnum, "lines": lines,
                      "warehouse": wh, "plate": f"{rng.choice('苏浙沪皖鲁粤川鄂豫闽湘津陕')}{rng.choice('ABCDEFGH')}{rng.randint(10000, 99999)}",
                      "driver": rng.choice(["张师傅", "李强", "王建军", "刘伟", "赵刚"])})

    # ---------------------------------------------------------------- receipts
    inv_total = inv_sum()
    fin_amount = max(Decimal(1000), (inv_total * Decimal(str(rng.uniform(0.55, 0.9))) / 1000).quantize(Decimal(1)) * 1000)
    receipts = []

    def receipt(payer, payee, amount, date, purpose):
        meta = layouts("payment_receipt")
        r = {"doc_type": "payment_receipt", "layout": meta, "date": date, "payer": payer, "payee": payee,
             "amount": q2(amount), "upper": rmb_upper(amount), "purpose": purpose,
             "serial": nums.digits(rng.choice([16, 20, 22]), rng.choice(["", "", "2", "9"]))}
        receipts.append(r)
        return r

    pay_purpose = lambda: rng.choice(["货款", "支付货款", f"支付{cnum}合同货款", "采购款", "材料款", "受托支付货款"])
    if flag == "trade.payment_back_to_borrower":
        receipt(borrower, seller, fin_amount, fin, pay_purpose())
        back = q2(fin_amount * Decimal(str(rng.uniform(0.6, 0.98))))
        receipt(seller, borrower, back, fin + dt.timedelta(days=rng.randint(0, 4)),
                rng.choice(["往来款", "退款", "借款", "服务费", "货款"]))
        flag_docs.append(("rcp", 1))
        note = f"卖方{seller['name']}向借款人回款 {back}"
    elif flag == "trade.payee_not_counterparty":
        third = companies["others"].pop()
        receipt(borrower, third, fin_amount, fin, pay_purpose())
        flag_docs.append(("rcp", 0))
        note = f"付款对象{third['name']}不是合同卖方{seller['name']}"
    elif flag == "trade.party_mismatch" and contract.get("_party_mismatch_side") == "seller":
        pass
    else:
        n_r = rng.choice([0, 1, 1, 2])
        if n_r >= 1:
            if n_r == 2:
                adv = q2(ctotal * Decimal("0.3"))
                receipt(borrower, seller, adv, sign + dt.timedelta(days=rng.randint(1, 10)), rng.choice(["预付款", "预付货款"]))
            receipt(borrower, seller, min(fin_amount, inv_total), fin, pay_purpose())

    app = {
        "application_no": f"{rng.choice(['RZ', 'SCF', 'DD'])}{fin.year}{fin.month:02d}{idx:04d}{rng.randint(10, 99)}",
        "borrower": {"name": borrower["name"], "tax_id": borrower["tax_id"]},
        "financing_date": fin.isoformat(),
        "amount": f"{fin_amount:.2f}",
        "product": rng.choice(["订单融资", "订单融资", "采购融资", "流动资金贷款（受托支付）"]),
    }
    return {"app": app, "contract": contract, "invoices": invoices, "notes": notes, "receipts": receipts,
            "flag": flag, "flag_docs": flag_docs, "note": note}
