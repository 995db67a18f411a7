"""送货单 (delivery note) / 入库单 (warehouse receipt)."""

from __future__ import annotations

from ..schemas import DeliveryNote
from .common import fill_lines, first
from .fields import compact, parse_date, parse_decimal, parse_ident, parse_text
from .kv import Label, LabelScanner
from .record import Hit, Record
from .segments import DocLayout
from .table import Column, read_table

LABELS = [
    Label("number", ("单号", "单据编号", "送货单号", "入库单号", "编号")),
    Label("date", ("日期", "送货日期", "入库日期")),
    Label("consignor", ("发货单位", "供货单位", "送货单位")),
    Label("consignee", ("收货单位",)),
    Label("contract_number", ("合同编号",)),
    Label("warehouse", ("仓库",)),
    Label("deliverer", ("送货人",)),
    Label("receiver", ("收货人（签字）", "收货人", "验收人", "仓管员")),
]
COLUMNS = [
    Column("index", ("序号",), parse_text),
    Column("name", ("货物名称", "产品名称", "品名", "名称"), parse_text),
    Column("spec", ("规格型号", "规格"), parse_text),
    Column("unit", ("单位",), parse_text),
    Column("quantity", ("数量", "实收数量"), parse_decimal),
    Column("remark", ("备注",), parse_text),
]
_scanner = LabelScanner(LABELS, ("货物名称",))


def _is_end(text: str) -> bool:
    return text.startswith(("合计", "送货人", "交货人", "收货人", "备注", "验收", "仓管", "发货人"))


def extract_delivery(layout: DocLayout) -> Record:
    rec = Record(DeliveryNote())
    for page in layout.pages[:1]:
        for row in page.rows[:6]:
            t = compact(row.text)
            if "入库单" in t:
                rec.set_hit("kind", Hit("warehouse_receipt", page, row.start, row.end), overwrite=True)
                break
            if "送货单" in t or "发货单" in t:
                rec.set_hit("kind", Hit("delivery", page, row.start, row.end), overwrite=True)
                break
    kvs = _scanner.scan(layout)
    rec.set_hit("number", first(kvs, "number", parse_ident))
    rec.set_hit("date", first(kvs, "date", parse_date))
    rec.set_hit("consignor.name", first(kvs, "consignor", parse_text))
    rec.set_hit("consignee.name", first(kvs, "consignee", parse_text))
    rec.set_hit("contract_number", first(kvs, "contract_number", parse_ident))
    rec.set_hit("warehouse", first(kvs, "warehouse", parse_text))
    fill_lines(rec, read_table(layout, COLUMNS, _is_end))
    return rec
