"""流动资金借款合同 (working-capital loan contract)."""

from __future__ import annotations

import re

from ..schemas import LoanContract
from .common import first, money_hits, upper_hit
from .contract import assign_parties, continued, party_parser
from .fields import find_dates, parse_date, parse_ident, parse_percent, parse_text
from .kv import Label, LabelScanner
from .record import Hit, Record
from .segments import DocLayout

PARTY_FIELDS = {
    "tax_id": ("统一社会信用代码", "纳税人识别号"),
    "legal_rep": ("法定代表人", "负责人", "法人代表"),
    "address": ("地址", "住所"),
}
LABELS = [
    Label("number", ("合同编号", "借款合同编号")),
    Label("sign_date", ("签订日期",)),
    Label("lender", ("贷款人", "贷款方")),
    Label("borrower", ("借款人", "借款方")),
    *(Label(k, v) for k, v in PARTY_FIELDS.items()),
    Label("amount", ("借款金额", "贷款金额"), greedy=True),
    Label("rate", ("借款年利率", "年利率", "贷款年利率")),
    Label("term", ("借款期限", "贷款期限"), greedy=True),
    Label("purpose", ("借款用途", "贷款用途"), greedy=True),
    Label("trade_no", ("对应贸易合同编号", "贸易合同编号")),
    Label("sign_lender", ("贷款人（盖章）",)),
    Label("sign_borrower", ("借款人（盖章）",)),
    Label("phone", ("电话",)),
    Label("date", ("日期",)),
]
_scanner = LabelScanner(LABELS)


def extract_loan_contract(layout: DocLayout) -> Record:
    rec = Record(LoanContract())
    kvs = _scanner.scan(layout)
    rec.set_hit("number", first(kvs, "number", parse_ident))
    rec.set_hit("sign_date", first(kvs, "sign_date", parse_date))
    assign_parties(
        rec,
        [kv for kv in kvs if kv.key not in ("sign_lender", "sign_borrower")],
        {"lender": "lender", "borrower": "borrower"},
        {k: party_parser(k) for k in PARTY_FIELDS},
    )
    amount = next((kv for kv in kvs if kv.key == "amount"), None)
    if amount is not None:
        rec.set_hit("amount_upper", upper_hit(amount))
        small = amount.value.find("小写")
        money = [h for h, _ in money_hits(amount.page, amount.row) if h.start >= amount.start + max(0, small)]
        rec.set_hit("amount", money[0] if money else None)
    rec.set_hit("annual_rate", first(kvs, "rate", lambda v: parse_percent(v) if "%" in v else None))
    term = next((kv for kv in kvs if kv.key == "term"), None)
    if term is not None:
        dates = find_dates(term.value)
        if dates:
            d, s, e = dates[0]
            rec.set_hit("start_date", Hit(d, term.page, term.start + s, term.start + e))
        if len(dates) > 1:
            d, s, e = dates[1]
            rec.set_hit("end_date", Hit(d, term.page, term.start + s, term.start + e))
    purpose = next((kv for kv in kvs if kv.key == "purpose"), None)
    if purpose is not None and purpose.value:
        text, end = continued(purpose, _scanner)
        rec.set_hit("purpose", Hit(parse_text(re.sub(r"[。；;]$", "", text)), purpose.page, purpose.start, end))
    rec.set_hit("trade_contract_number", first(kvs, "trade_no", parse_ident))
    return rec
