"""购销合同 (purchase/sales contract): header, party blocks, goods table, total and clauses."""

from __future__ import annotations

import re
from dataclasses import replace

from ..schemas import Contract
from ..validators import rmb_upper
from .common import OCR_UPPER_FIXES, UPPER_CHARS, fill_lines, first, money_hits, upper_hit
from .fields import (
    compact,
    find_dates,
    parse_amount,
    parse_code,
    parse_date,
    parse_decimal,
    parse_ident,
    parse_text,
)
from .kv import KV, Label, LabelScanner, _x_at
from .parties import assign
from .record import Hit, Record
from .segments import DocLayout
from .table import Column, read_table
from .values import (
    parse_account,
    parse_address,
    parse_bank,
    parse_cn_date,
    parse_org_name,
    parse_person,
    parse_phone,
    parse_tax_id,
)

TITLES = ("工业品买卖合同", "产品购销合同", "购销合同", "买卖合同", "采购合同", "销售合同", "供货合同", "供货协议",
          "采购协议", "销售协议", "订货合同")
#: Role words that say which side a party is on; 甲方/乙方 alone do not (see :func:`jia_yi_roles`).
BUYER_WORDS = ("买方", "需方", "采购方", "买受人", "购货方", "购买方", "订货方", "购方", "采购人")
SELLER_WORDS = ("卖方", "供方", "出卖人", "供货方", "销售方", "出售方", "销方", "供应方", "卖受人")
JIA_YI = ("甲方", "乙方")
ROLE_OF_WORD = {**{w: "buyer" for w in BUYER_WORDS}, **{w: "seller" for w in SELLER_WORDS}}
PARTY_FIELDS = {
    "name": ("名称", "单位名称", "公司名称", "企业名称"),
    "tax_id": ("统一社会信用代码", "纳税人识别号", "社会信用代码", "税号", "信用代码", "税务登记号"),
    "legal_rep": ("法定代表人", "法人代表", "法定代表人/负责人", "法定代表", "负责人"),
    "address": ("地址", "住所", "住所地", "通讯地址", "联系地址", "注册地址", "单位地址", "公司地址", "通信地址"),
    "phone": ("电话", "联系电话", "电话号码", "联系方式", "电话/传真"),
    "bank": ("开户行", "开户银行", "开户行名称", "开户银行名称", "开户机构"),
    "account": ("账号", "帐号", "银行账号", "开户账号", "银行帐号", "账户号码"),
}


def _role_labels() -> list[Label]:
    combos: dict[str, list[str]] = {"buyer": [], "seller": []}
    for w, role in ROLE_OF_WORD.items():
        combos[role].append(w)
        for jy in JIA_YI:  # 甲方（买方）, 乙方(供方): the role word decides
            combos[role] += [f"{jy}（{w}）", f"{w}（{jy}）"]
    return [Label("buyer", tuple(combos["buyer"])), Label("seller", tuple(combos["seller"])),
            Label("jia", ("甲方",)), Label("yi", ("乙方",))]


SIGN_WORDS = ("（盖章）", "（签章）", "（签字盖章）", "盖章", "签章")
LABELS = [
    Label("number", ("合同编号", "协议编号", "合同号", "合同号码", "编号", "No.", "NO.", "№")),
    Label("sign_date", ("签订日期", "签订时间", "签约日期", "签署日期", "签订日")),
    Label("sign_place", ("签订地点", "签约地点")),
    *_role_labels(),
    Label("sign", tuple(f"{r}{s}" for r in (*ROLE_OF_WORD, *JIA_YI) for s in SIGN_WORDS)),
    *(Label(k, v) for k, v in PARTY_FIELDS.items()),
    Label("total", ("合同总金额", "合同总价", "合同总价款", "合同金额", "总金额", "合同总额"), greedy=True),
    Label("delivery_date", ("交货期限", "交货日期", "交货时间", "交付时间", "交付日期", "交货期", "交（提）货时间",
                            "交（提）货期限", "交（提）货日期"), greedy=True),
    Label("delivery_place", ("交货地点", "指定地点", "送货地点", "送达地点", "交付地点", "收货地点", "交（提）货地点"),
          greedy=True),
    Label("payment_terms", ("付款方式", "结算方式", "付款条件", "付款方式及期限", "结算方式及期限"), greedy=True),
    Label("date", ("日期",)),
]
IGNORE = ("产品名称", "规格型号")
COLUMNS = [
    Column("index", ("序号",), parse_text),
    Column("name", ("产品名称", "货物名称", "品名", "名称", "物料名称", "商品名称", "货品名称", "标的名称"), parse_text),
    Column("spec", ("规格型号", "规格", "型号", "规格/型号"), parse_text),
    Column("unit", ("单位", "计量单位"), parse_text),
    Column("quantity", ("数量",), parse_decimal),
    Column("unit_price", ("单价（元）", "单价", "含税单价", "单价（含税）", "含税单价（元）"), parse_decimal),
    Column("amount", ("金额（元）", "金额", "小计（元）", "小计", "总价（元）", "总价", "价税合计", "含税金额",
                      "金额（含税）", "含税总价", "合计金额", "总金额", "货款金额"), parse_amount),
    Column("delivery", ("交（提）货时间及数量", "交（提）货时间", "交货时间", "交货日期", "交货期", "交期"), parse_text),
]
_scanner = LabelScanner(LABELS, IGNORE)
_CLAUSE_START = re.compile(r"^\s*(?:[0-9一二三四五六七八九十]+[、.．]|第[一二三四五六七八九十\d]+条|[（(][0-9一二三四五六七八九十]+[）)])")


def _title(layout: DocLayout) -> Hit | None:
    from .classify import find_title

    found = find_title(layout)
    if found is not None and found.doc_type == "contract" and found.name != "合同":
        # the printed title: the name with a short qualifier before it (产品销售合同, 工矿产品购销合同)
        for text in [compact(sg.text) for sg in found.row.segments] + [compact(found.row.text)]:
            i = text.find(found.name)
            if i >= 0 and re.fullmatch(r"[\u4e00-\u9fff]{0,4}", text[:i]):
                return Hit(text[: i + len(found.name)], found.page, found.row.start, found.row.end)
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


_ROLE_RX = re.compile("|".join(sorted((*ROLE_OF_WORD, *JIA_YI), key=len, reverse=True)))
_BUY_VERBS = "采购|购买|订购|购进|订货"
_SELL_VERBS = "供应|销售|出售|供货|提供|交付"


def jia_yi_roles(layout: DocLayout, title: str | None) -> dict[str, str]:
    """Whether 甲方 is the buyer or the seller, from the document's own wording: ``甲方（买方）``,
    ``需方（甲方）``, ``需方：X（以下简称“甲方”）``, ``甲方向乙方采购``/``乙方向甲方供应``. Without any such
    wording the title decides: a 销售合同 is usually drafted by the seller (甲方 = seller), any other
    contract by the buyer."""
    text = "".join(re.sub(r"\s", "", p.text) for p in layout.pages)
    words = "|".join(ROLE_OF_WORD)
    votes: dict[str, list[str]] = {"甲": [], "乙": []}
    for m in re.finditer(rf"([甲乙])方[（(]({words})[）)]", text):
        votes[m.group(1)].append(ROLE_OF_WORD[m.group(2)])
    for m in re.finditer(rf"({words})[（(]([甲乙])方[）)]", text):
        votes[m.group(2)].append(ROLE_OF_WORD[m.group(1)])
    for m in re.finditer(rf"({words})[：:][^。；\n]{{2,60}}?[（(](?:以下简称|下称|简称)[“\"「]?([甲乙])方", text):
        votes[m.group(2)].append(ROLE_OF_WORD[m.group(1)])
    for m in re.finditer(rf"([甲乙])方(?:同意)?(?:向|从)([甲乙])方(?:{_BUY_VERBS})", text):
        if m.group(1) != m.group(2):
            votes[m.group(1)].append("buyer")
    for m in re.finditer(rf"([甲乙])方(?:同意)?(?:向)([甲乙])方(?:{_SELL_VERBS})", text):
        if m.group(1) != m.group(2):
            votes[m.group(1)].append("seller")
    for m in re.finditer(rf"([甲乙])方(?:同意)?(?:{_SELL_VERBS})(?:给)?([甲乙])方", text):
        if m.group(1) != m.group(2):
            votes[m.group(1)].append("seller")
    score = votes["甲"].count("buyer") + votes["乙"].count("seller") - votes["甲"].count("seller") \
        - votes["乙"].count("buyer")
    if score == 0:
        t = title or ""
        score = -1 if "销售" in t and "购销" not in t else 1
    return {"jia": "buyer", "yi": "seller"} if score > 0 else {"jia": "seller", "yi": "buyer"}


def _role_word_role(word: str, roles: dict[str, str]) -> str:
    return ROLE_OF_WORD.get(word) or roles["jia" if word == "甲方" else "yi"]


def _row_role(kv: KV, roles: dict[str, str]) -> str | None:
    """The role a prose row gives the label in it (``五、供方收款账户：开户行 …``): the last role word
    printed before the label in the same row."""
    before = kv.page.text[kv.row.start:kv.label_start]
    found = _ROLE_RX.findall(before)
    return _role_word_role(found[-1], roles) if found else None


def _only_roles(kv: KV) -> bool:
    """A heading row holding only role words (``买方 | 卖方`` over a two-column party table)."""
    rest = _ROLE_RX.sub("", compact(kv.row.text))
    return not re.sub(r"[（()）：:信息]", "", rest)


def _cut(value: str | None) -> str | None:
    """The value up to the first clause punctuation (``X支行，账号 …。`` → ``X支行``)."""
    if not value:
        return None
    return re.split(r"[，,；;。]", value, maxsplit=1)[0].strip() or None


def _bank(v: str | None) -> str | None:
    b = parse_bank(_cut(v))
    return None if b is None or re.search(r"账号|帐号|\d{6,}", b) else b


def _org(v: str | None) -> str | None:
    return parse_org_name(party_name(v))


PARSERS = {
    "name": _org,
    "tax_id": parse_tax_id,
    "legal_rep": lambda v: parse_person(_cut(v)),
    "address": lambda v: parse_address(_cut(v)),
    "phone": parse_phone,
    "bank": _bank,
    "account": lambda v: parse_account(_cut(v)),
}
_ACCOUNT_RX = re.compile(r"(?:账号|帐号|账户)\s*[：:]?\s*(\d[\d \-]{4,}\d)")


def _prose_accounts(layout: DocLayout, kvs: list[KV]) -> list[KV]:
    """Accounts written inside a sentence (``开户行 X，账号 123…``), where no label scan sees them."""
    taken = {(kv.page.number, kv.start) for kv in kvs if kv.key.endswith("account")}
    out = []
    for page in layout.pages:
        for row in page.rows:
            for m in _ACCOUNT_RX.finditer(row.text):
                s = row.start + m.start(1)
                if any(pn == page.number and abs(st - s) <= 2 for pn, st in taken):
                    continue
                value = m.group(1).strip()
                ls = row.start + m.start()
                out.append(KV("account", value, page, row, s, s + len(value), _x_at(row, ls), ls,
                              _x_at(row, s), _x_at(row, s + len(value)), label_end=s))
    return out


def _party_kvs(layout: DocLayout, kvs: list[KV], roles: dict[str, str]) -> list[KV]:
    """The party labels that hold what they claim: a role label whose value is a company name (or a
    heading of role words alone), and field labels whose value passes the field's parser. Role words in
    clause text (``买方在收货后…``) are dropped: they neither name a party nor open a party block."""
    out = []
    for kv in sorted(kvs + _prose_accounts(layout, kvs), key=lambda k: (k.page.number, k.label_start)):
        key = roles.get(kv.key, kv.key)
        if key in ("buyer", "seller"):
            if (kv.value and _org(kv.value)) or (not kv.value and _only_roles(kv)):
                out.append(replace(kv, key=key))
        elif key in PARSERS and kv.value and PARSERS[key](kv.value) is not None:
            role = _row_role(kv, roles)
            out.append(replace(kv, key=f"{role}.{key}" if role else key))
    return out


_UPPER_RX = re.compile(r"大写\s*[）)]?\s*[：:]?\s*(?:人民币)?\s*([" + UPPER_CHARS + r"]{3,})")
_TOTAL_RX = re.compile(r"(?:总价款|总金额|总价|总额|价款合计|合同金额|合计)[^。；\n]{0,30}?(?:小写\s*[）)]?\s*[：:]?\s*)?"
                       r"(?:人民币|RMB)?\s*[¥￥]?\s*(\d[\d,]*(?:\.\d{1,2})?)\s*元?")


def _prose_total(rec: Record, layout: DocLayout) -> None:
    """The contract total and its 大写 written in a sentence (``货物总价款为人民币273829.30元（大写：…）``).
    The figure is kept only when the 大写 amount beside it says the same."""
    for page in layout.pages:
        text = page.text
        for m in _TOTAL_RX.finditer(text):
            amount = parse_amount(m.group(1))
            u, off = _UPPER_RX.search(text, m.start(), m.end() + 60), 0
            if u is None:  # 大写 printed before the figure: （大写）…（小写：¥…）
                off = max(0, m.start() - 60)
                u = _UPPER_RX.search(text[off: m.start()])
            if amount is None or u is None:
                continue
            upper = u.group(1)
            if page.source == "ocr":
                upper = upper.translate(OCR_UPPER_FIXES)
            try:
                if rmb_upper.parse(upper) != amount:
                    continue
            except rmb_upper.Unparseable:  # an unreadable 大写 amount confirms nothing
                continue
            us = off + u.start(1)
            rec.set_hit("total_amount", Hit(amount, page, m.start(1), m.end(1)))
            rec.set_hit("total_amount_upper", Hit(upper, page, us, us + len(upper)))
            return


_DELIVERY_RX = re.compile(r"交货|送达|交付|发货|供货|到货")


def _prose_delivery(rec: Record, layout: DocLayout) -> None:
    """A delivery date inside a clause (``供方应于2024年4月7日前将货物送达…``)."""
    for page in layout.pages:
        for row in page.rows:
            t = row.text
            if not _DELIVERY_RX.search(t) or re.search(r"签订|签署|生效", t):
                continue
            for d, s, e in find_dates(t):
                rec.set_hit("delivery_date", Hit(d, page, row.start + s, row.start + e))
                return
            d = parse_cn_date(t)
            if d is not None:
                rec.set_hit("delivery_date", Hit(d, page, row.start, row.start + len(t)))
                return


_PLACE_RX = re.compile(r"(?:交货|送货|运送|送达|交付|运抵|发货|运)至([^，。；;,\n]{4,40})")


def _prose_place(rec: Record, layout: DocLayout) -> None:
    """A delivery place inside a clause (``甲方于2024/09/28前交货至长沙市…。``)."""
    for page in layout.pages:
        for m in _PLACE_RX.finditer(page.text):
            value = parse_text(m.group(1))
            if value and "\n" not in m.group(0):
                rec.set_hit("delivery_place", Hit(value, page, m.start(1), m.end(1)))
                return


def _grid_value(kv: KV) -> tuple[str, int] | None:
    """The value of a clause printed as a grid (``八、结算方式、时间及地点 | 货到验收合格后…``): the heading
    cell holds the label and more heading words but no colon; the value is the rest of the row."""
    row = kv.row
    for k, (s0, e0) in enumerate(row.spans):
        if not s0 <= kv.label_start < e0:
            continue
        rest = kv.page.text[kv.label_end:e0].strip()
        label = kv.page.text[kv.label_start:kv.label_end]
        if label.rstrip().endswith(("：", ":")) or k + 1 >= len(row.spans) or len(rest) > 10 \
                or re.search(r"\d", rest):
            return None
        start = row.spans[k + 1][0]
        return kv.page.text[start:row.end].strip(), start
    return None


def _date(v: str | None):
    return parse_date(v) or parse_cn_date(v)


def extract_contract(layout: DocLayout) -> Record:
    rec = Record(Contract())
    title = _title(layout)
    rec.set_hit("title", title)
    kvs = _scanner.scan(layout, cells=True)
    rec.set_hit("number", first(kvs, "number", parse_ident))
    rec.set_hit("sign_date", first(kvs, "sign_date", _date))
    roles = jia_yi_roles(layout, title.value if title else None)
    pkvs = _party_kvs(layout, kvs, roles)
    for pv in assign(layout, pkvs, ("buyer", "seller"), tuple(PARSERS)):
        rec.set_hit(f"{pv.role}.{pv.field}", pv.kv.hit(PARSERS[pv.field]))
    for kv in kvs:  # 甲方（盖章）：X公司 at the foot
        if kv.key == "sign" and kv.value:
            label = kv.page.text[kv.label_start:kv.label_end]
            word = _ROLE_RX.search(label)
            if word:
                rec.set_hit(f"{_role_word_role(word.group(0), roles)}.name", kv.hit(_org))

    table = read_table(layout, COLUMNS, lambda t: t.startswith("合计") or t.startswith("合同总金额"))
    fill_lines(rec, table)

    for total in (kv for kv in kvs if kv.key == "total"):
        if rec.get("total_amount_upper") is None:
            rec.set_hit("total_amount_upper", upper_hit(total))
        small = total.value.find("小写")
        big = total.value.find("大写")
        if rec.get("total_amount") is None and not (big >= 0 > small):
            money = [h for h, _ in money_hits(total.page, total.row) if h.start >= total.start + max(0, small)]
            rec.set_hit("total_amount", money[0] if money else None)
    if rec.get("total_amount") is None or rec.get("total_amount_upper") is None:
        _prose_total(rec, layout)

    kvs = [_regrid(kv) for kv in kvs]
    dd = next((kv for kv in kvs if kv.key == "delivery_date" and _date(kv.value)), None)
    if dd is not None:
        rec.set_hit("delivery_date", dd.hit(_date))
    if rec.get("delivery_date") is None and table is not None:  # a 交（提）货时间 column of the goods table
        for trow in table.rows:
            cell = trow.cells.get("delivery")
            if cell is not None and rec.set_hit("delivery_date", Hit(_date(cell.text), trow.page, cell.start,
                                                                         cell.end)):
                break
    if rec.get("delivery_date") is None:
        _prose_delivery(rec, layout)
    for key in ("delivery_place", "payment_terms"):
        kv = next((k for k in kvs if k.key == key and k.value.strip("：: ")), None)
        if kv is not None:
            text, end = continued(kv, _scanner)
            text = text.rstrip("。；;")
            if key == "delivery_place":
                text = re.split(r"[，,；;。]", text, maxsplit=1)[0]
                end = kv.start + len(text)
            rec.set_hit(key, Hit(parse_text(text), kv.page, kv.start, end))
    if rec.get("delivery_place") is None:
        _prose_place(rec, layout)
    if rec.get("sign_date") is None:
        rec.set_hit("sign_date", first(kvs, "date", _date))
    return rec


def _regrid(kv: KV) -> KV:
    """A clause label's KV with its value taken from the grid cell beside the heading (see :func:`_grid_value`)."""
    if kv.key not in ("delivery_date", "delivery_place", "payment_terms"):
        return kv
    found = _grid_value(kv)
    if found is None:
        return kv
    text, start = found
    return replace(kv, value=text, start=start, end=start + len(text))
