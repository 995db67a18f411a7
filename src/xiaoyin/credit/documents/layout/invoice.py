"""VAT invoice faces (traditional and 数电) read from rows of text runs or OCR boxes."""

from __future__ import annotations

import re

from ..schemas import InvoiceKind, InvoiceStatus, VatInvoice
from .common import ACCOUNT_RE, PHONE_RE, fill_lines, first, money_hits, set_split, upper_hit
from .fields import compact, parse_amount, parse_date, parse_decimal, parse_digits, parse_percent, parse_text
from .kv import KV, Label, LabelScanner
from .record import Hit, Record
from .segments import DocLayout, Row, Segment
from .table import Column, find_header, find_headers, read_table

KIND_TITLES = [  # most specific first
    ("电子发票(增值税专用发票)", InvoiceKind.digital_special),
    ("电子发票(普通发票)", InvoiceKind.digital_ordinary),
    ("增值税电子普通发票", InvoiceKind.e_ordinary),
    ("增值税专用发票", InvoiceKind.special),
    ("增值税普通发票", InvoiceKind.ordinary),
]

LABELS = [
    Label("code", ("发票代码",)),
    Label("number", ("发票号码",)),
    Label("date", ("开票日期",)),
    Label("check", ("校验码",)),
    Label("machine", ("机器编号",)),
    Label("name", ("名称", "购买方名称", "销售方名称", "购方名称", "销方名称")),
    Label("tax_id", ("统一社会信用代码/纳税人识别号", "纳税人识别号", "统一社会信用代码", "识别号")),
    Label("addr_phone", ("地址、电话", "地址电话", "地址、电话号码")),
    Label("bank_acct", ("开户行及账号", "开户银行及账号", "开户行及帐号")),
    Label("remarks", ("备注",), greedy=True),
    Label("payee", ("收款人",)),
    Label("reviewer", ("复核",)),
    Label("drawer", ("开票人",)),
    Label("upper", ("价税合计（大写）", "价税合计")),
    Label("lower", ("（小写）", "小写")),
]
IGNORE = ("货物或应税劳务、服务名称", "项目名称", "货物名称", "产品名称", "购买方信息", "销售方信息")

COLUMNS = [
    Column("index", ("序号", "行号"), parse_text),
    Column("name", ("货物或应税劳务、服务名称", "货物或应税劳务名称", "项目名称", "服务名称", "名称"), parse_text),
    Column("spec", ("规格型号", "规格"), parse_text),
    Column("unit", ("单位",), parse_text),
    Column("quantity", ("数量",), parse_decimal),
    Column("unit_price", ("单价（不含税）", "单价",), parse_decimal),
    Column("amount", ("金额（不含税）", "金额",), parse_amount),
    Column("tax_rate", ("税率/征收率", "税率", "征收率"), parse_percent),
    Column("tax", ("税额",), parse_amount),
]

_scanner = LabelScanner(LABELS, IGNORE)


def _kind(layout: DocLayout) -> tuple[InvoiceKind | None, Hit | None]:
    for page in layout.pages[:1]:
        for row in page.rows[:8]:
            text = compact(row.text).replace("（", "(").replace("）", ")")
            for title, kind in KIND_TITLES:
                i = text.find(title)
                if i >= 0:
                    return kind, Hit(kind, page, row.start, row.end)
    return None, None


def _is_end(text: str) -> bool:
    return text.startswith(("合计", "价税合计", "合")) and not text.startswith("合同")


def extract_invoice(layout: DocLayout) -> Record:
    """A :class:`VatInvoice` record from the invoice face's rows."""
    rec = Record(VatInvoice())
    inv: VatInvoice = rec.data  # type: ignore[assignment]
    kind, kind_hit = _kind(layout)
    rec.set_hit("kind", kind_hit)
    kvs = _scanner.scan(layout, above=True)

    rec.set_hit("code", first(kvs, "code", lambda v: parse_digits(v, (10, 12))))
    rec.set_hit("number", first(kvs, "number", lambda v: parse_digits(v, (8, 20))))
    rec.set_hit("issue_date", first(kvs, "date", parse_date))
    if kind is None or not kind.is_digital:
        _header_code_number(rec, layout)
    rec.set_hit("check_code", first(kvs, "check", lambda v: parse_digits(v, (20,))))
    rec.set_hit("remarks", _remarks_block(layout) or first(kvs, "remarks", _remark))
    rec.set_hit("drawer", first(kvs, "drawer", parse_text))

    _parties(rec, layout, kvs, kind)

    table = read_table(layout, COLUMNS, _is_end)
    fill_lines(rec, table)
    _split_spec_unit(rec)
    _totals(rec, layout)

    upper = next((kv for kv in kvs if kv.key == "upper"), None)
    if upper is not None:
        rec.set_hit("total_with_tax_upper", upper_hit(upper))
    lower = next((kv for kv in kvs if kv.key == "lower"), None)
    if lower is not None:
        money = money_hits(lower.page, lower.row)
        after = [h for h, _ in money if h.start >= lower.label_start]
        if not after:  # the amount set a little lower than its label: the next row, right of the label
            rows = lower.page.rows
            k = rows.index(lower.row) if lower.row in rows else -1
            nxt = rows[k + 1] if 0 <= k < len(rows) - 1 else None
            if nxt is not None and nxt.top < lower.row.bottom + 0.6 * (lower.row.bottom - lower.row.top):
                after = [h for h, x in money_hits(lower.page, nxt) if x >= lower.x]
        rec.set_hit("total_with_tax", after[0] if after else None)

    _status(rec, layout, inv)
    return rec


_TOTAL_ROW = re.compile(r"^(?:合计|小计|总计|本页小计|计(?=[¥￥Y\d]))")


def _totals(rec: Record, layout: DocLayout) -> None:
    """合计 amount and tax from the sum row under an item table (合计, else 小计/总计), each figure going to
    the column (金额 or 税额) whose header it is nearer. The face's row comes first: a goods list on a
    later page repeats the same sums."""
    for page, hi, pos in find_headers(layout, COLUMNS):
        rows = page.rows[hi + 1:]
        found = None
        for row in rows:
            t = compact(row.text)
            if t.startswith("价税合计") or "大写" in t:
                break
            if _TOTAL_ROW.match(t) and (found is None or not compact(found.text).startswith("合计")):
                found = row
        if found is None:
            continue
        money = money_hits(page, found)
        amt = pos.get("amount")
        tax = pos.get("tax")
        if amt is not None and tax is not None and money:
            amt_x, tax_x = sum(amt) / 2, sum(tax) / 2
            near_amt = [h for h, x in money if abs(x - amt_x) < abs(x - tax_x)]
            near_tax = [h for h, x in money if abs(x - tax_x) <= abs(x - amt_x)]
            rec.set_hit("total_amount", near_amt[-1] if near_amt else None)
            rec.set_hit("total_tax", near_tax[-1] if near_tax else None)
        elif len(money) >= 2:
            rec.set_hit("total_amount", money[-2][0])
            rec.set_hit("total_tax", money[-1][0])
        if rec.get("total_amount") is not None:
            return


def _parties(rec: Record, layout: DocLayout, kvs: list[KV], kind: InvoiceKind | None) -> None:
    party_keys = ("name", "tax_id", "addr_phone", "bank_acct")
    header = find_header(layout, COLUMNS)
    side_by_side = (kind is not None and kind.is_digital) or "购买方信息" in layout.text.replace(" ", "")
    split_x: float | None = None
    split_y: float | None = None  # stacked blocks: 销售方信息 below 购买方信息
    if side_by_side:
        for page in layout.pages[:1]:
            # only the party block above the goods table: 销方开户银行 in 备注 is no anchor
            stop = header[0].rows[header[1]].top if header is not None and header[0] is page else None
            buyer_a = seller_a = None
            for row in page.rows:
                if stop is not None and row.top >= stop:
                    continue
                for seg in row.segments:
                    t = re.sub(r"\s", "", seg.text)
                    if buyer_a is None and (t.startswith(("购买方", "购方")) or t == "购"):
                        buyer_a = seg
                    if seller_a is None and (t.startswith(("销售方", "销方")) or t == "销"):
                        seller_a = seg
            if seller_a is not None and buyer_a is not None and seller_a.x0 <= buyer_a.x1 + 5 \
                    and seller_a.top > buyer_a.bottom:
                split_y = seller_a.top - 2
            elif seller_a is not None and (buyer_a is None or seller_a.x0 > buyer_a.x1 + 5):
                split_x = seller_a.x0 - 2
            else:
                split_x = page.width / 2

    def side(kv: KV) -> str | None:
        if side_by_side and (split_x is not None or split_y is not None):
            if header is not None and kv.page is header[0] and kv.row.top >= header[0].rows[header[1]].top:
                return None
            if split_y is not None:
                return "seller" if kv.row.cy >= split_y else "buyer"
            return "seller" if kv.x >= split_x else "buyer"  # type: ignore[operator]
        if header is None:
            return None
        hpage, hi, _ = header
        hrow = hpage.rows[hi]
        if kv.page is hpage:
            return "buyer" if kv.row.start < hrow.start else "seller"
        return "seller"

    for kv in kvs:
        if kv.key not in party_keys:
            continue
        who = _named_role(kv) or side(kv)
        if who is None:
            continue
        if kv.key == "name":
            glued = _name_glued_to_uscc(kv)
            if glued is not None:
                name_hit, code_hit = glued
                rec.set_hit(f"{who}.name", name_hit)
                rec.set_hit(f"{who}.tax_id", code_hit)
            else:
                rec.set_hit(f"{who}.name", kv.hit(parse_text))
        elif kv.key == "tax_id":
            rec.set_hit(f"{who}.tax_id", kv.hit(_tax_id))
        elif kv.key == "addr_phone" and kv.value:
            set_split(rec, kv, f"{who}.address", f"{who}.phone", PHONE_RE, lambda t: t.strip())
        elif kv.key == "bank_acct" and kv.value:
            set_split(rec, kv, f"{who}.bank", f"{who}.account", ACCOUNT_RE, lambda t: re.sub(r"\s", "", t))


_ROLE_WORD = re.compile(r"(购买方|购方|购货方|买方|销售方|销方|销货方|卖方)")


def _named_role(kv: KV) -> str | None:
    """The role printed with the label itself (``购买方名称：``, ``销售方 纳税人识别号``): the last role word
    between the row start and the label's end, unless a value stands in between (side-by-side blocks)."""
    if kv.above:
        return None
    before = kv.page.text[kv.row.start:kv.label_end]
    words = _ROLE_WORD.findall(before)
    if not words:
        return None
    tail = before[before.rfind(words[-1]) + len(words[-1]):kv.label_start - kv.row.start]
    if re.search(r"[：:]\s*\S", tail):  # the role word belongs to an earlier label–value pair
        return None
    return "buyer" if words[-1] in ("购买方", "购方", "购货方", "买方") else "seller"


_SPEC_UNIT_RE = re.compile(r"^(.*?[0-9A-Za-z*/\-+.)\]])\s*([\u4e00-\u9fff]{1,2})$")


_NO_RE = re.compile(r"^(?:N[oO0][.:：]?|№)\s*(\d{8})$")


def _header_code_number(rec: Record, layout: DocLayout) -> None:
    """Paper invoices print the code bare at the top left (``3700253161``) and the number as
    ``No 01457397`` at the top right, with no 发票代码/发票号码 labels."""
    if not layout.pages:
        return
    page = layout.pages[0]
    for row in page.rows[:3]:
        for seg, (a, b) in zip(row.segments, row.spans, strict=False):
            t = compact(seg.text)
            off = seg.text.find(t[:1]) if t else 0
            if re.fullmatch(r"\d{10}|\d{12}", t) and seg.x1 < page.width / 2 and rec.get("code") is None:
                rec.set_hit("code", Hit(t, page, a + max(off, 0), b))
            m = _NO_RE.match(t)
            if m and seg.x0 > page.width / 2 and rec.get("number") is None:
                rec.set_hit("number", Hit(m.group(1), page, a, b))


_SIGNATURE = re.compile(r"^[\u4e00-\u9fff]{0,8}[（(]?(?:盖|签)?章[)）]?[：:]?$")


def _remark(text: str | None) -> str | None:
    """A 备注 value: not a lone character (a stamp fragment) nor a signature label (``销售方（章）``)."""
    value = parse_text(text)
    if value is None or len(compact(value)) < 2 or _SIGNATURE.match(compact(value)):
        return None
    return value


_FOOTER = ("收款人", "复核", "开票人")
_SEAL = ("发票专用章", "（章）", "(章)")


def _remarks_block(layout: DocLayout) -> Hit | None:
    """The 备注 box (label printed vertically, 备 above 注, or as one box): the text lines right of the label,
    below the 价税合计 row and above the 收款人/开票人 footer, joined by newlines. Stamp fragments
    (single characters, text not left-aligned with the remark lines) are left out."""
    for page in layout.pages:
        rows = page.rows
        label = None
        for i, row in enumerate(rows):
            for seg in row.segments:
                if compact(seg.text) == "备注":  # one box (horizontal, or a vertical label OCR'd as one)
                    label = (seg, i)
                    break
                if compact(seg.text) != "备":
                    continue
                for row2 in rows[i + 1 : i + 8]:
                    if any(compact(s.text) == "注" and abs(s.x0 - seg.x0) < 12 for s in row2.segments):
                        label = (seg, i)
                        break
                if label:
                    break
            if label:
                break
        if label is None:
            continue
        seg, li = label
        lo = 0
        total_bottom = None
        for i, row in enumerate(rows[:li]):
            if compact(row.text).startswith(("价税合计", "合计")) or "价税合计" in compact(row.text):
                lo = i + 1
                total_bottom = row.bottom
        hi = len(rows)
        for i in range(li + 1, len(rows)):
            if any(f in compact(rows[i].text) for f in _FOOTER):
                hi = i
                break
        # the seller's stamp over the box: its tax ID printed alone marks it; its arc text lies around
        seals = [s2 for row in rows[lo:hi] for s2 in row.segments
                 if s2.x0 > seg.x1 and re.fullmatch(r"[0-9A-Z]{15,20}", compact(s2.text))]

        cand: list[tuple[Row, list[tuple[int, int, str, float]]]] = []
        for row in rows[lo:hi]:
            if total_bottom is not None and row.top < total_bottom - 1:
                continue  # a value of the 价税合计 row set a little lower
            cells = []
            for s2, (a, b) in zip(row.segments, row.spans, strict=False):
                t = compact(s2.text)
                if s2.x0 <= seg.x1 + 1 or len(t) < 2 or any(x in t for x in _SEAL) or t in ("备注", "注"):
                    continue
                if s2 in seals or _in_seal(s2, seals):
                    continue
                cells.append((a, b, s2.text.strip(), s2.x0))
            if cells:
                cand.append((row, cells))
        if not cand:
            return None
        left = min(c[0][3] for _, c in cand)
        lines = [c for _, c in cand if c[0][3] <= left + 20]
        if not lines:
            return None
        text = "\n".join("".join(x[2] for x in c) for c in lines)
        value = parse_text(text)
        if value is None:
            return None
        return Hit(value, page, lines[0][0][0], lines[-1][-1][1])
    return None


def _in_seal(seg: Segment, seals: list[Segment]) -> bool:
    """Whether ``seg`` lies on a round stamp whose tax ID (its widest line) is one of ``seals``."""
    for c in seals:
        w = c.x1 - c.x0
        if c.x0 - 0.3 * w <= seg.x0 and seg.x1 <= c.x1 + 0.3 * w and c.cy - 1.3 * w < seg.cy < c.cy + 0.6 * w:
            return True
    return False


def _split_spec_unit(rec: Record) -> None:
    """A unit read into the spec cell (``HSG100/55-800 套``, the two cells printed close together): the
    trailing 1–2 Chinese characters after a code-like spec become the unit when the unit cell is empty."""
    inv: VatInvoice = rec.data  # type: ignore[assignment]
    for i, line in enumerate(inv.lines):
        if line.unit or not line.spec:
            continue
        m = _SPEC_UNIT_RE.match(line.spec.strip())
        prov = rec.provenance.get(f"lines.{i}.spec")
        if m is None or prov is None:
            continue
        rec.set(f"lines.{i}.spec", m.group(1).strip(), prov, overwrite=True)
        rec.set(f"lines.{i}.unit", m.group(2), prov)


_GLUED_RE = re.compile(r"^\s*([0-9A-Z]{18})\s*(\S.*?)\s*$|^\s*(\S.*?)\s*([0-9A-Z]{18})\s*$")


def _name_glued_to_uscc(kv: KV) -> tuple[Hit | None, Hit] | None:
    """A name read together with its tax ID (``91320115…南京明辉…``, two stacked lines OCR'd as one row):
    (name, code) hits when the value starts or ends with an 18-character code that passes the USCC check."""
    from ..validators import uscc

    m = _GLUED_RE.match(kv.value)
    if m is None:
        return None
    code, name = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
    if not uscc.is_valid(code) or not re.search(r"[\u4e00-\u9fff]", name):
        return None
    name_v = parse_text(name)
    i = kv.value.find(code)
    j = kv.value.find(name)
    code_hit = Hit(code, kv.page, kv.start + i, kv.start + i + len(code))
    name_hit = Hit(name_v, kv.page, kv.start + j, kv.start + j + len(name)) if name_v else None
    return name_hit, code_hit


def _tax_id(value: str) -> str | None:
    from ..validators import uscc

    v = re.sub(r"\s", "", value).upper()
    m = re.search(r"[0-9A-Z]{15,20}", v)
    return uscc.repair_ocr(m.group(0)) if m else None


def _status(rec: Record, layout: DocLayout, inv: VatInvoice) -> None:
    from .record import Hit as _Hit

    text = compact(layout.text)
    for page in layout.pages:
        for row in page.rows:
            t = compact(row.text)
            if "作废" in t and "备注" not in t:
                rec.set_hit("status", _Hit(InvoiceStatus.void, page, row.start, row.end), overwrite=True)
                return
    red = "销项负数" in text or (inv.total_amount is not None and inv.total_amount < 0)
    if red:
        for page in layout.pages:
            i = page.text.find("销项负数")
            if i >= 0:
                rec.set_hit("status", _Hit(InvoiceStatus.red, page, i, i + 4), overwrite=True)
                break
        else:
            prov = rec.provenance.get("total_amount")
            if prov is not None:
                rec.set("status", InvoiceStatus.red, prov, overwrite=True)
    remark = inv.remarks or ""
    m = re.search(r"被红冲蓝字数电发票号码[：:]?\s*(\d{20})", remark)
    if m:
        ref = m.group(1)
    else:
        m = re.search(r"发票代码[：:]?\s*(\d{10,12})\s*号码[：:]?\s*(\d{8})", remark)
        ref = f"{m.group(1)}-{m.group(2)}" if m else None
    if ref and "remarks" in rec.provenance:
        rec.set("red_ref", ref, rec.provenance["remarks"])
