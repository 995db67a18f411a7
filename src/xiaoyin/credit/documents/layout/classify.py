"""Which document type a page shows: its title, scored strongly, plus its vocabulary as evidence.

A title is a colon-free run of text near the top of the first page that ends with (or is little more
than) a document name: ``中信银行电子回单``, ``XX有限公司入库单``, ``工矿产品购销合同（第一联）``. Body
vocabulary (``户名``, ``开户行``, ``收货单位``, ``价税合计`` …) adds evidence, so a 入库单 that mentions
``合同编号`` stays a 入库单, and a page without a recognisable title is still typed by what it says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..schemas import DocType
from .fields import compact
from .segments import DocLayout, PageLayout, Row

TITLE_ROWS = 8
TITLE_WEIGHT = 10.0
HEAD_WEIGHT = 3.0  # a document name somewhere in the top rows but not as a title (e.g. after a colon)

#: Document names per type, most specific first. ``(?!位)`` keeps 收货单位 from reading as 收货单.
TITLES: dict[DocType, tuple[str, ...]] = {
    "vat_invoice": (
        "电子发票（增值税专用发票）", "电子发票（普通发票）", "增值税专用发票", "增值税普通发票", "增值税电子普通发票",
        "增值税电子专用发票", "全电发票", "数电发票", "电子发票", "普通发票", "专用发票", "发票",
    ),
    "loan_contract": (
        "流动资金借款合同", "流动资金贷款合同", "借款合同", "贷款合同", "借款协议", "贷款协议",
    ),
    "contract": (
        "工业品买卖合同", "产品购销合同", "购销合同", "采购合同", "供货合同", "供货协议", "订货合同", "买卖合同",
        "销售合同", "购货合同", "采购协议", "购销协议", "订购合同", "供应合同", "采购订单合同", "产品销售合同",
        "工矿产品购销合同", "货物买卖合同", "商品购销合同", "销售协议", "购货协议", "订货协议", "合同",
    ),
    "delivery_note": (
        "验收入库单", "入库验收单", "收货确认单", "货物签收单", "送货签收单", "入库单", "出库单", "送货单", "发货单",
        "验收单", "收货单", "到货单", "交货单", "签收单", "提货单", "仓单", "发货通知单", "送货通知单",
        "货物验收单", "到货验收单", "采购入库单", "产品入库单", "销售出库单", "进仓单", "入仓单", "出仓单",
        "仓储凭证", "入库凭证", "货物交接单", "交接单", "收料单", "运货单", "发运单",
    ),
    "payment_receipt": (
        "网上银行电子回单", "电子回单", "业务回单", "转账凭证", "汇款回单", "付款通知书", "回单凭证", "转账回单",
        "付款回单", "收款回单", "客户回单", "支付凭证", "付款凭证", "汇款凭证", "借记通知", "贷记通知", "进账单",
        "交易回单", "银行回单", "结算业务回单", "电汇凭证", "付款通知", "收款通知", "转账支付凭证", "交易凭证",
        "回单",
    ),
}

#: Body words that count as evidence for a type (each distinct word once).
VOCAB: dict[DocType, tuple[str, ...]] = {
    "vat_invoice": ("价税合计", "开票日期", "发票代码", "发票号码", "校验码", "购买方", "销售方", "税率", "税额",
                    "开票人", "机器编号", "密码区", "纳税人识别号"),
    "contract": ("甲方", "乙方", "买方", "卖方", "供方", "需方", "违约责任", "签订日期", "签订地点", "争议",
                 "合同总金额", "交货地点", "付款方式", "结算方式", "质量标准", "本合同", "法定代表人"),
    "loan_contract": ("借款人", "贷款人", "借款金额", "借款期限", "年利率", "借款用途", "还款", "贷款期限"),
    "delivery_note": ("收货单位", "发货单位", "供货单位", "送货单位", "送货人", "收货人", "实收数量", "送货数量",
                      "仓库", "验收", "入库日期", "签收", "库位", "保管员", "仓管", "送货日期", "发货日期", "车牌",
                      "入库", "出库", "收货日期", "批次"),
    "payment_receipt": ("付款人", "收款人", "付款方", "收款方", "户名", "开户行", "开户银行", "交易流水", "流水号",
                        "回单编号", "交易日期", "附言", "记账", "柜员", "交易金额", "电子回单专用章", "汇款人",
                        "付款账号", "收款账号", "全称"),
}

_TRAILER = re.compile(
    r"(?:[（(][^（）()]*[)）]|[\[【][^\]】]*[\]】]|第[一二三四五六七八九十\d]+联|[\u4e00-\u9fff]{1,3}联|NO\.?[\w\-]*|No\.?[\w\-]*"
    r"|[\d\-/]+|[·•\s*＊])+$"
)
_WAREHOUSE = ("入库", "仓单", "进仓", "入仓", "仓储凭证", "收料")


@dataclass(frozen=True)
class TitleHit:
    """The document name found as a title, with the row it sits on."""

    doc_type: DocType
    name: str
    page: PageLayout
    row: Row


def _patterns() -> list[tuple[DocType, str, re.Pattern[str]]]:
    out = []
    for doc_type, names in TITLES.items():
        for name in names:
            esc = re.escape(name).replace("（", "[（(]").replace("）", "[）)]")
            out.append((doc_type, name, re.compile(esc + r"书?(?!位|号|编号|日期|人|[：:])")))
    out.sort(key=lambda t: -len(t[1]))
    return out


_PATTERNS = _patterns()


def _title_in(text: str) -> tuple[DocType, str] | None:
    """The longest document name that ends ``text`` (after 第一联 / 发票联 / (副本) / numbers)."""
    for core in dict.fromkeys((text, _TRAILER.sub("", text) or text)):
        for doc_type, name, rx in _PATTERNS:
            for m in rx.finditer(core):
                if m.end() == len(core):
                    return doc_type, name
    return None


def find_title(layout: DocLayout, rows: int = TITLE_ROWS) -> TitleHit | None:
    """The document title: a colon-free segment (or short row) near the top of the first page."""
    if not layout.pages:
        return None
    page = layout.pages[0]
    for row in page.rows[:rows]:
        candidates = [compact(row.text)] + [compact(s.text) for s in row.segments]
        for text in candidates:
            if not text or "：" in text or ":" in text:
                continue
            found = _title_in(text)
            if found:
                return TitleHit(found[0], found[1], page, row)
    return None


def scores(layout: DocLayout) -> dict[DocType, float]:
    """Evidence per type: the title (strong), document names in the top rows, vocabulary in the text."""
    out: dict[DocType, float] = {t: 0.0 for t in TITLES}
    if not layout.pages:
        return out
    title = find_title(layout)
    if title is not None:
        out[title.doc_type] += TITLE_WEIGHT
    head = compact("".join(r.text for r in layout.pages[0].rows[:TITLE_ROWS]))
    for doc_type, name, rx in _PATTERNS:
        if len(name) >= 3 and rx.search(head):
            out[doc_type] += HEAD_WEIGHT
            break
    whole = compact(layout.text)
    for doc_type, words in VOCAB.items():
        out[doc_type] += sum(1.0 for w in words if w in whole)
    return out


def classify(layout: DocLayout, min_score: float = 3.0) -> DocType | None:
    """The best-scoring document type, or None when nothing names or describes one."""
    s = scores(layout)
    best = max(s, key=lambda t: s[t])
    return best if s[best] >= min_score else None


def delivery_kind(name: str | None) -> str:
    """``warehouse_receipt`` for 入库单 / 仓单 (goods taken into a warehouse), else ``delivery``."""
    return "warehouse_receipt" if name and any(w in name for w in _WAREHOUSE) else "delivery"
