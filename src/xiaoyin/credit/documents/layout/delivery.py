"""送货单 / 发货单 / 收货单 / 验收单 (delivery) and 入库单 / 仓单 (warehouse receipt).

Header fields may stand beside their labels or under them (a row of labels over a row of values);
the consignor and consignee may also share a label (``名称 | A公司 | B公司`` under
``发货方 | 收货方``), which :mod:`.parties` resolves. The goods table is read by header extents.
"""

from __future__ import annotations

import re

from ..schemas import DeliveryNote
from .classify import delivery_kind, find_title
from .common import fill_lines
from .fields import compact, parse_date, parse_decimal, parse_ident, parse_text
from .kv import Label, LabelScanner, first_hit
from .parties import assign
from .record import Hit, Record
from .segments import DocLayout
from .table import Column, read_table
from .values import parse_address, parse_money, parse_name, parse_phone

ROLES = ("consignor", "consignee")
_ROLE_WORDS = {
    "consignor": ("发货单位", "供货单位", "送货单位", "供应商", "供货方", "发货方", "供方", "交货单位", "供货商",
                  "供应商名称", "供货单位名称", "发货单位名称", "送货方", "卖方", "销售方", "交货方", "供货人",
                  "发货人单位", "出货单位", "销货单位"),
    "consignee": ("收货单位", "收货方", "购货单位", "客户", "客户名称", "需方", "采购方", "购货方", "收货客户",
                  "订货单位", "采购单位", "收货单位名称", "买方", "购买方", "需求方", "收货人单位", "入库单位",
                  # a 仓单's 存货人 (depositor) owns the goods taken in: the buyer that received them
                  "存货人", "存货单位", "货主", "货主单位", "委托人", "到货单位"),
}
NUMBER = ("单号", "单据编号", "送货单号", "入库单号", "编号", "单据号", "发货单号", "出库单号", "验收单号", "仓单编号",
          "仓单号", "收货单号", "NO.", "No.", "NO", "No", "№", "单据号码", "票号", "验收编号", "入库编号",
          "出库编号", "确认单号", "单据编码", "凭证号")
DATES_MAIN = ("送货日期", "发货日期", "入库日期", "收货日期", "验收日期", "出库日期", "到货日期", "签收日期",
              "入库时间", "收货时间", "验收时间", "送货时间", "发货时间", "到货时间", "交货日期", "确认日期")
DATES_OTHER = ("日期", "单据日期", "制单日期", "开单日期", "填发日期", "签发日期", "出具日期", "填开日期",
               "开具日期", "填制日期", "业务日期")
LABELS = [
    *(Label(role, words) for role, words in _ROLE_WORDS.items()),
    Label("name", ("名称", "全称", "单位名称")),
    Label("phone", ("联系电话", "电话", "手机", "联系方式", "电话号码")),
    Label("address", ("地址", "单位地址", "详细地址")),
    Label("consignee.address", ("收货地址", "收货单位地址", "客户地址")),
    Label("consignor.address", ("发货地址", "供应商地址", "发货单位地址")),
    Label("consignee.phone", ("收货电话", "收货人电话", "客户电话")),
    Label("consignor.phone", ("发货电话", "供应商电话", "发货人电话", "送货人电话")),
    Label("number", NUMBER),
    Label("date", DATES_MAIN),
    Label("date2", DATES_OTHER),
    Label("contract_number", ("合同编号", "合同号", "采购合同号", "合同编码", "采购合同编号", "关联合同号",
                              "相关合同", "相关合同号", "关联合同", "对应合同", "依据合同", "订单合同号",
                              "销售合同号", "购销合同号", "合同号码")),
    Label("warehouse", ("仓库", "收货仓库", "入库仓库", "发货仓库", "出库仓库", "仓库名称", "存放仓库", "存放地点",
                        "送货地址", "交货地点", "送达地点", "库房", "仓储场所", "仓储地点", "存储地点",
                        "存放场所", "储存地点", "收货地点", "到货地点", "卸货地点", "收货仓", "入库地点")),
    Label("deliverer", ("送货人", "交货人", "发货人")),
    Label("receiver", ("收货人（签字）", "收货人", "验收人", "仓管员", "保管员", "签收人")),
]
_IGNORE = ("货物名称", "产品名称", "打印日期", "制单人", "审核人", "保管人", "仓储人", "运输车辆", "车牌号",
           "承运人", "经办人", "司机", "储存期间", "仓储期限")
COLUMNS = [
    Column("index", ("序号", "行号"), parse_text),
    Column("name", ("货物名称", "产品名称", "品名", "名称", "物料名称", "商品名称", "货品名称", "存货名称"), parse_text),
    Column("spec", ("规格型号", "规格/等级", "规格等级", "规格", "型号", "等级"), parse_text),
    Column("unit", ("计量单位", "主计量单位", "主计量", "单位"), parse_text),
    Column("quantity", ("实收数量", "送货数量", "发货数量", "入库数量", "实发数量", "验收数量", "收货数量", "数量"),
           parse_decimal),
    Column("unit_price", ("含税单价", "单价（元）", "单价"), parse_decimal),
    Column("amount", ("含税金额", "金额（元）", "价税合计", "金额", "小计", "总价"), parse_money),
    Column("remark", ("备注",), parse_text),
]
_scanner = LabelScanner(LABELS, _IGNORE)
_END = ("合计", "总计", "送货人", "交货人", "收货人", "备注", "验收", "仓管", "发货人", "说明", "大写", "签收",
        "制单", "审核", "经办", "保管", "库管")


def _is_end(text: str) -> bool:
    return text.startswith(_END)



def extract_delivery(layout: DocLayout) -> Record:
    rec = Record(DeliveryNote())
    title = find_title(layout)
    if title is not None:
        row = title.row
        rec.set_hit("kind", Hit(delivery_kind(title.name), title.page, row.start, row.end), overwrite=True)
    else:
        text = compact(layout.text)
        if "入库" in text and "送货单" not in text and "发货单" not in text:
            rec.set("kind", "warehouse_receipt", rec.provenance.get("kind") or _text_prov(layout))
    table = read_table(layout, COLUMNS, _is_end)
    in_table = {id(table.header), *(id(r.row) for r in table.rows)} if table is not None else set()
    kvs = [kv for kv in _scanner.scan(layout, cells=True, above=True) if id(kv.row) not in in_table]
    rec.set_hit("number", first_hit(kvs, "number", _number))
    rec.set_hit("date", first_hit(kvs, "date", parse_date) or first_hit(kvs, "date2", parse_date))
    party = [kv for kv in kvs if kv.key.split(".")[0] in (*ROLES, *_PARSERS)]
    for pv in assign(layout, party, ROLES, tuple(_PARSERS)):
        rec.set_hit(f"{pv.role}.{pv.field}", pv.kv.hit(_PARSERS[pv.field]))
    _letterhead(rec, layout, title.name if title is not None else None)
    rec.set_hit("contract_number", first_hit(kvs, "contract_number", _number))
    rec.set_hit("warehouse", first_hit(kvs, "warehouse", parse_text))
    fill_lines(rec, table)
    return rec


_PARSERS = {"name": parse_name, "phone": parse_phone, "address": parse_address}
_RECEIVING = ("入库", "收货", "验收", "签收", "到货")
_SENDING = ("送货", "发货", "出库", "销售", "交货", "提货")
_COMPANY = re.compile(r"[\u4e00-\u9fff（）()]{4,}(?:公司|厂|集团|商行|中心|经营部|合作社)")


def _letterhead(rec: Record, layout: DocLayout, title: str | None) -> None:
    """The company printed above or beside the title issued the note: the consignee of a receiving note
    (入库单, 收货单, 验收单), the consignor of a sending one (送货单, 发货单, 出库单), when no label named it."""
    if not title or not layout.pages:
        return
    role = "consignee" if any(w in title for w in _RECEIVING) else "consignor" if any(
        w in title for w in _SENDING) else None
    if role is None or rec.get(f"{role}.name"):
        return
    page = layout.pages[0]
    for row in page.rows[:4]:
        for seg, (s, _e) in zip(row.segments, row.spans, strict=True):
            text = seg.text
            if "：" in text or ":" in text:
                continue
            m = _COMPANY.match(re.sub(r"\s", "", text))
            if m and m.group(0) != rec.get("consignor.name" if role == "consignee" else "consignee.name"):
                i = text.find(m.group(0)[0])
                rec.set_hit(f"{role}.name", Hit(m.group(0), page, s + i, s + i + len(m.group(0))))
                return


def _number(text: str | None) -> str | None:
    """A document number: has a digit, no Chinese characters other than a 字/号 style prefix."""
    value = parse_ident(text)
    if value is None or not any(c.isdigit() for c in value):
        return None
    return value


def _text_prov(layout: DocLayout):
    from ..schemas import Provenance

    return Provenance(source="ocr" if layout.pages and layout.pages[0].source == "ocr" else "text", page=1)
