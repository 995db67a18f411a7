"""购销合同 (purchase/sales contract): header, party blocks, goods table, total and clauses."""

from __future__ import annotations

import re

from ..schemas import Contract
from .common import fill_lines, first, money_hits, upper_hit
from .fields import compact, parse_amount, parse_code, parse_date, parse_decimal, parse_ident, parse_text
from .kv import KV, Label, LabelScanner
from .record import Hit, Record
from .segments import DocLayout
from .table import Column, read_table

TITLES = ("工业品买卖合同", "产品购销合同", "购销合同", "买卖合同")
BUYER = ("甲方（买方）", "甲方(买方)", "买方", "需方", "甲方")
SELLER = ("乙方（卖方）", "乙方(卖方)", "卖方", "供方", "乙方")
PARTY_FIELDS = {
    "tax_id": ("统一社会信用代码", "纳税人识别号"),
    "legal_rep": ("法定代表人", "法人代表"),
    "address": ("地址", "住所", "住所地", "通讯地址", "联系地址"),
    "phone": ("电话", "联系电话"),
    "bank": ("开户行", "开户银行"),
    "account": ("账号", "帐号", "银行账号"),
}
LABELS = [
    Label("number", ("合同编号",)),
    Label("sign_date", ("签订日期",)),
    Label("sign_place", ("签订地点",)),
    Label("buyer", BUYER),
    Label("seller", SELLER),
    Label("sign_buyer", ("甲方（盖章）", "买方（盖章）", "需方（盖章）")),
    Label("sign_seller", ("乙方（盖章）", "卖方（盖章）", "供方（盖章）")),
    *(Label(k, v) for k, v in PARTY_FIELDS.items()),
    Label("total", ("合同总金额",), greedy=True),
    Label("delivery_date", ("交货期限", "交货日期", "交货时间"), greedy=True),
    Label("delivery_place", ("交货地点",), greedy=True),
    Label("payment_terms", ("付款方式", "结算方式", "付款条件"), greedy=True),
    Label("date", ("日期",)),
]
IGNORE = ("产品名称", "规格型号")
COLUMNS = [
    Column("index", ("序号",), parse_text),
    Column("name", ("产品名称", "货物名称", "品名", "名称"), parse_text),
    Column("spec", ("规格型号", "规格"), parse_text),
    Column("unit", ("单位",), parse_text),
    Column("quantity", ("数量",), parse_decimal),
    Column("unit_price", ("单价（元）", "单价"), parse_decimal),
    Column("amount", ("金额（元）", "金额"), parse_amount),
]
_scanner = LabelScanner(LABELS, IGNORE)
_CLAUSE_START = re.compile(r"^\s*(?:[0-9一二三四五六七八九十]+[、.．]|第[一二三四五六七八九十\d]+条|[（(][0-9一二三四五六七八九十]+[）)])")


def _title(layout: DocLayout) -> Hit | None:
    from .classify import find_title

    found = find_title(layout)
    if found is not None and found.doc_type == "contract" and found.name != "合同":
        return Hit(found.name, found.page, found.row.start, found.row.end)
    for page in layout.pages[:1]:
        for row in page.rows[:6]:
            t = compact(row.text)
            for title in TITLES:
                i = t.find(title)
                if i >= 0 and len(t) <= len(title) + 4:
                    return Hit(title, page, row.start, row.end)
    return None


def continued(kv: KV, known_labels: LabelScanner) -> tuple[str, int]:
    """A greedy value plus the rows that continue it (wrapped paragraph): (text, end offset)."""
    text, end = kv.value, kv.end
    rows = kv.page.rows
    i = rows.index(kv.row)
    for row in rows[i + 1 : i + 3]:
        t = row.text.strip()
        if not t or _CLAUSE_START.match(t) or known_labels.scan_row(kv.page, row):
            break
        if row.segments[0].x0 > kv.row.segments[0].x0 + 40:  # indented elsewhere: not a continuation
            break
        text += t
        end = row.start + len(row.text)
    return text, end


def assign_parties(rec: Record, kvs: list[KV], roles: dict[str, str], fields: dict[str, object]) -> None:
    """Party blocks in sequence: a role label opens a block (its value is the name); the field rows
    after it belong to that party until the next role label."""
    current: str | None = None
    for kv in kvs:
        if kv.key in roles:
            current = roles[kv.key]
            rec.set_hit(f"{current}.name", kv.hit(party_name))
        elif kv.key in fields and current is not None:
            parser = fields[kv.key]
            rec.set_hit(f"{current}.{kv.key}", kv.hit(parser))  # type: ignore[arg-type]


def party_name(value: str | None) -> str | None:
    """A party name without the role in brackets around it: ``(需方):X公司``, ``X公司(以下简称“需方”)``."""
    t = parse_text(value)
    if t is None:
        return None
    t = re.sub(r"^[（(][^（）()]{1,8}[）)]\s*[：:]?\s*", "", t)
    t = re.sub(r"\s*[（(]\s*(?:以下简称|下称|简称)[^）)]*[）)]?\s*$", "", t)
    return t.strip() or None


def party_parser(key: str):
    if key in ("tax_id",):
        return parse_code
    if key == "account":
        return lambda v: (re.sub(r"\s", "", v) or None) if re.search(r"\d{6,}", re.sub(r"\s", "", v)) else None
    return parse_text


def extract_contract(layout: DocLayout) -> Record:
    rec = Record(Contract())
    rec.set_hit("title", _title(layout))
    kvs = _scanner.scan(layout)
    rec.set_hit("number", first(kvs, "number", parse_ident))
    rec.set_hit("sign_date", first(kvs, "sign_date", parse_date))
    assign_parties(
        rec,
        [kv for kv in kvs if kv.key not in ("sign_buyer", "sign_seller")],
        {"buyer": "buyer", "seller": "seller"},
        {k: party_parser(k) for k in PARTY_FIELDS},
    )
    rec.set_hit("buyer.name", first(kvs, "sign_buyer", party_name))
    rec.set_hit("seller.name", first(kvs, "sign_seller", party_name))

    table = read_table(layout, COLUMNS, lambda t: t.startswith("合计") or t.startswith("合同总金额"))
    fill_lines(rec, table)

    total = next((kv for kv in kvs if kv.key == "total"), None)
    if total is not None:
        rec.set_hit("total_amount_upper", upper_hit(total))
        small = total.value.find("小写")
        money = [h for h, _ in money_hits(total.page, total.row) if h.start >= total.start + max(0, small)]
        rec.set_hit("total_amount", money[0] if money else None)

    dd = next((kv for kv in kvs if kv.key == "delivery_date"), None)
    if dd is not None:
        rec.set_hit("delivery_date", dd.hit(parse_date))
    for key in ("delivery_place", "payment_terms"):
        kv = next((k for k in kvs if k.key == key), None)
        if kv is not None and kv.value:
            text, end = continued(kv, _scanner)
            rec.set_hit(key, Hit(parse_text(text.rstrip("。；;")), kv.page, kv.start, end))
    return rec
