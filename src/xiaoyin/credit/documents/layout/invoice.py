"""VAT invoice faces (traditional and 数电) read from rows of text runs or OCR boxes."""

from __future__ import annotations

import re

from ..schemas import InvoiceKind, InvoiceStatus, VatInvoice
from .common import ACCOUNT_RE, PHONE_RE, fill_lines, first, money_hits, set_split, upper_hit
from .fields import compact, parse_amount, parse_date, parse_decimal, parse_digits, parse_percent, parse_text
from .kv import KV, Label, LabelScanner
from .record import Hit, Record
from .segments import DocLayout
from .table import Column, find_header, read_table

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
    Label("name", ("名称",)),
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
    Column("name", ("货物或应税劳务、服务名称", "货物或应税劳务名称", "项目名称", "服务名称", "名称"), parse_text),
    Column("spec", ("规格型号", "规格"), parse_text),
    Column("unit", ("单位",), parse_text),
    Column("quantity", ("数量",), parse_decimal),
    Column("unit_price", ("单价",), parse_decimal),
    Column("amount", ("金额",), parse_amount),
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
    kvs = _scanner.scan(layout)

    rec.set_hit("code", first(kvs, "code", lambda v: parse_digits(v, (10, 12))))
    rec.set_hit("number", first(kvs, "number", lambda v: parse_digits(v, (8, 20))))
    rec.set_hit("issue_date", first(kvs, "date", parse_date))
    rec.set_hit("check_code", first(kvs, "check", lambda v: parse_digits(v, (20,))))
    rec.set_hit("remarks", first(kvs, "remarks", parse_text))
    rec.set_hit("drawer", first(kvs, "drawer", parse_text))

    _parties(rec, layout, kvs, kind)

    table = read_table(layout, COLUMNS, _is_end)
    fill_lines(rec, table)
    if table is not None and table.end_row is not None:
        page = table.rows[0].page if table.rows else layout.pages[0]
        for p in layout.pages:
            if table.end_row in p.rows:
                page = p
        row = table.end_row
        if compact(row.text).startswith("合计") or not compact(row.text).startswith("价税"):
            money = money_hits(page, row)
            amt_x = table.centers.get("amount")
            tax_x = table.centers.get("tax")
            if amt_x is not None and tax_x is not None and money:
                near_amt = [h for h, x in money if abs(x - amt_x) < abs(x - tax_x)]
                near_tax = [h for h, x in money if abs(x - tax_x) <= abs(x - amt_x)]
                rec.set_hit("total_amount", near_amt[-1] if near_amt else None)
                rec.set_hit("total_tax", near_tax[-1] if near_tax else None)
            elif len(money) >= 2:
                rec.set_hit("total_amount", money[-2][0])
                rec.set_hit("total_tax", money[-1][0])

    upper = next((kv for kv in kvs if kv.key == "upper"), None)
    if upper is not None:
        rec.set_hit("total_with_tax_upper", upper_hit(upper))
    lower = next((kv for kv in kvs if kv.key == "lower"), None)
    if lower is not None:
        money = money_hits(lower.page, lower.row)
        after = [h for h, _ in money if h.start >= lower.label_start]
        rec.set_hit("total_with_tax", after[0] if after else None)

    _status(rec, layout, inv)
    return rec


def _parties(rec: Record, layout: DocLayout, kvs: list[KV], kind: InvoiceKind | None) -> None:
    party_keys = ("name", "tax_id", "addr_phone", "bank_acct")
    header = find_header(layout, COLUMNS)
    side_by_side = (kind is not None and kind.is_digital) or "购买方信息" in layout.text.replace(" ", "")
    split_x = None
    if side_by_side:
        for page in layout.pages[:1]:
            for row in page.rows:
                for seg in row.segments:
                    if "销售方" in seg.text.replace(" ", "") or "销方" in seg.text.replace(" ", ""):
                        split_x = seg.x0 - 2
                        break
                if split_x is not None:
                    break
            if split_x is None:
                split_x = page.width / 2

    def side(kv: KV) -> str | None:
        if side_by_side and split_x is not None:
            if header is not None and kv.page is header[0] and kv.row.start >= header[0].rows[header[1]].start:
                return None
            return "seller" if kv.x >= split_x else "buyer"
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
        who = side(kv)
        if who is None:
            continue
        if kv.key == "name":
            rec.set_hit(f"{who}.name", kv.hit(parse_text))
        elif kv.key == "tax_id":
            rec.set_hit(f"{who}.tax_id", kv.hit(_tax_id))
        elif kv.key == "addr_phone" and kv.value:
            set_split(rec, kv, f"{who}.address", f"{who}.phone", PHONE_RE, lambda t: t.strip())
        elif kv.key == "bank_acct" and kv.value:
            set_split(rec, kv, f"{who}.bank", f"{who}.account", ACCOUNT_RE, lambda t: re.sub(r"\s", "", t))


def _tax_id(value: str) -> str | None:
    v = re.sub(r"\s", "", value).upper()
    m = re.search(r"[0-9A-Z]{15,20}", v)
    return m.group(0) if m else None


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
