"""银行回单 (bank payment receipt): payer and payee, printed side by side, stacked or as a grid.

The two parties may share their labels (``户名 | A公司 | 户名 | B公司``; ``户名 | A | B`` under a
``付款人 | 收款人`` header; ``付款人 | A | 123`` under ``户名 | 账号``) or carry them
(``付款人账号``, ``收款行``); :mod:`.parties` decides whose each value is. Values are kept only when
they look like what they claim to be (an account is digits, an amount parses as money).
"""

from __future__ import annotations

from ..schemas import PaymentReceipt
from .common import upper_hit
from .fields import parse_code, parse_date, parse_text
from .kv import Label, LabelScanner, first_hit
from .parties import assign
from .record import Record
from .segments import DocLayout
from .values import parse_account, parse_bank, parse_money, parse_name

ROLES = ("payer", "payee")
_ROLE_WORDS = {
    "payer": ("付款人", "付款方", "付款单位", "汇款人", "付方", "付款账户信息", "付款人信息", "付款方信息", "转出方"),
    "payee": ("收款人", "收款方", "收款单位", "收方", "收款账户信息", "收款人信息", "收款方信息", "转入方"),
}
_PREFIX = {"payer": ("付款人", "付款方", "付款单位", "付款", "汇款人", "转出"),
           "payee": ("收款人", "收款方", "收款单位", "收款", "转入")}
_FIELD_WORDS = {
    "name": ("全称", "户名", "名称", "账户名称", "账户名", "单位名称"),
    "account": ("账号", "帐号", "卡号", "账户", "账户号码", "帐户"),
    "bank": ("开户行", "开户银行", "开户机构", "开户网点", "开户行名称", "银行"),
}


def _party_labels() -> list[Label]:
    out = [Label(role, words) for role, words in _ROLE_WORDS.items()]
    for role, prefixes in _PREFIX.items():
        for fld, words in _FIELD_WORDS.items():
            out.append(Label(f"{role}.{fld}", tuple(p + w for p in prefixes for w in words)))
    out.append(Label("payer.bank", ("付款行", "汇出行", "付款行名称")))
    out.append(Label("payee.bank", ("收款行", "汇入行", "收款行名称")))
    out += [Label(f, tuple(w for w in words if w != "银行")) for f, words in _FIELD_WORDS.items()]
    return out


LABELS = [
    Label("serial", ("回单编号", "回单号", "回单号码", "电子回单号码", "流水号", "交易流水号", "业务流水号", "交易序号",
                     "凭证号", "凭证编号", "业务编号", "交易编号", "回单序号", "编号", "通知书编号", "单号",
                     "交易参考号", "参考号", "业务参考号", "凭证号码", "回单流水号")),
    Label("date", ("交易日期", "日期", "记账日期", "交易时间", "转账日期", "付款日期", "入账日期", "委托日期", "业务日期")),
    *_party_labels(),
    Label("upper", ("金额（大写）", "大写金额", "人民币（大写）", "金额大写", "大写", "交易金额（大写）")),
    Label("lower", ("金额（小写）", "小写金额", "人民币（小写）", "金额小写", "交易金额", "金额", "小写", "转账金额",
                    "汇款金额", "付款金额", "交易金额（小写）")),
    Label("purpose", ("用途", "款项用途", "资金用途")),
    Label("memo", ("附言", "摘要", "交易附言", "备注")),
]
IGNORE = ("打印日期", "打印时间", "记账柜员", "经办", "币种", "手续费", "验证码", "打印次数")
_scanner = LabelScanner(LABELS, IGNORE)
#: Side labels printed one character per line (付/款/人, 汇/款/人, 收/款/人): the first character names the role.
_CHARS = {"付": "payer", "收": "payee", "付款": "payer", "收款": "payee", "汇": "payer", "汇款": "payer"}
_PARSERS = {"name": parse_name, "account": parse_account, "bank": parse_bank}



def extract_receipt(layout: DocLayout) -> Record:
    rec = Record(PaymentReceipt())
    kvs = _scanner.scan(layout, cells=True, above=True)
    rec.set_hit("serial", first_hit(kvs, "serial", parse_code))
    rec.set_hit("date", first_hit(kvs, "date", parse_date))
    for pv in assign(layout, kvs, ROLES, tuple(_PARSERS), _CHARS):
        rec.set_hit(f"{pv.role}.{pv.field}", pv.kv.hit(_PARSERS[pv.field]))
    for kv in kvs:
        if kv.key == "upper" and rec.get("amount_upper") is None:
            rec.set_hit("amount_upper", upper_hit(kv))
    for kv in kvs:
        if kv.key == "lower" and rec.get("amount") is None:
            rec.set_hit("amount", kv.hit(parse_money))
    if rec.get("amount") is None:  # 人民币 ¥1,000.00 printed after the 大写 amount on the same line
        for kv in kvs:
            if kv.key == "upper":
                rec.set_hit("amount", kv.hit(lambda v: parse_money(v[v.find("¥"):]) if "¥" in v else None))
    rec.set_hit("purpose", first_hit(kvs, "purpose", parse_text) or first_hit(kvs, "memo", parse_text))
    return rec
