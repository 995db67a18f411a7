"""银行电子回单 (bank payment receipt): side-by-side 付款人 / 收款人 blocks."""

from __future__ import annotations

import re

from ..schemas import PaymentReceipt
from .common import first, money_hits, upper_hit
from .fields import parse_code, parse_date, parse_text
from .kv import KV, Label, LabelScanner
from .record import Record
from .segments import DocLayout

LABELS = [
    Label("serial", ("回单编号", "流水号", "交易流水号", "回单号")),
    Label("date", ("交易日期", "日期")),
    Label("name", ("户名", "名称")),
    Label("account", ("账号", "帐号")),
    Label("bank", ("开户行", "开户银行")),
    Label("upper", ("金额（大写）", "大写金额")),
    Label("lower", ("金额（小写）", "小写金额", "金额")),
    Label("purpose", ("用途",)),
    Label("memo", ("附言", "摘要")),
]
_scanner = LabelScanner(LABELS)


def _split_x(layout: DocLayout) -> float | None:
    for page in layout.pages[:1]:
        for row in page.rows:
            for seg in row.segments:
                t = seg.text.replace(" ", "")
                if t.startswith("收款人") or t.startswith("收款方"):
                    return seg.x0 - 2
        return page.width / 2
    return None


def extract_receipt(layout: DocLayout) -> Record:
    rec = Record(PaymentReceipt())
    kvs = _scanner.scan(layout)
    rec.set_hit("serial", first(kvs, "serial", parse_code))
    rec.set_hit("date", first(kvs, "date", parse_date))
    split = _split_x(layout)

    def side(kv: KV) -> str:
        return "payee" if split is not None and kv.x >= split else "payer"

    for kv in kvs:
        if kv.key == "name":
            rec.set_hit(f"{side(kv)}.name", kv.hit(parse_text))
        elif kv.key == "account":
            rec.set_hit(f"{side(kv)}.account", kv.hit(lambda v: re.sub(r"\s", "", v) or None))
        elif kv.key == "bank":
            rec.set_hit(f"{side(kv)}.bank", kv.hit(parse_text))
    upper = next((kv for kv in kvs if kv.key == "upper"), None)
    if upper is not None:
        rec.set_hit("amount_upper", upper_hit(upper))
    lower = next((kv for kv in kvs if kv.key == "lower"), None)
    if lower is not None:
        money = [h for h, _ in money_hits(lower.page, lower.row) if h.start >= lower.start]
        rec.set_hit("amount", money[0] if money else None)
    rec.set_hit("purpose", first(kvs, "purpose", parse_text) or first(kvs, "memo", parse_text))
    return rec
