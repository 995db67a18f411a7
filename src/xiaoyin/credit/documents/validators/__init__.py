"""Deterministic validators for credit documents (python-stdnum style modules + document checks).

Identifier modules (:mod:`.uscc`, :mod:`.org_code`, :mod:`.tax_id`, :mod:`.resident_id`,
:mod:`.invoice_number`, :mod:`.rmb_upper`) offer ``compact``, ``is_valid``, ``validate`` (raising a typed
:class:`~.base.ValidationError`) and ``check(...) -> list[Finding]``; :mod:`.arithmetic` and :mod:`.dates`
check invariants. :func:`validate_document` runs every applicable check over one extracted document.
Checks never raise on bad data: every failure is a :class:`~xiaoyin.credit.documents.schemas.Finding`.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from xiaoyin.credit.documents.schemas import (
    Contract,
    DeliveryNote,
    ExtractedDocument,
    Finding,
    LoanContract,
    Party,
    PaymentReceipt,
    Severity,
    VatInvoice,
)
from xiaoyin.credit.documents.validators import (
    arithmetic,
    dates,
    invoice_number,
    org_code,
    resident_id,
    rmb_upper,
    tax_id,
    uscc,
)
from xiaoyin.credit.documents.validators.base import ValidationError, finding

__all__ = [
    "RULE_IDS",
    "ValidationError",
    "arithmetic",
    "dates",
    "invoice_number",
    "org_code",
    "resident_id",
    "rmb_upper",
    "tax_id",
    "uscc",
    "validate_data",
    "validate_document",
]

# Every rule id these validators can emit, with its usual severity ("/" = depends on the case).
RULE_IDS: dict[str, str] = {
    "uscc.format": "error / warning (unknown authority, type or admin-division code)",
    "uscc.checksum": "error / warning (known pilot-period code)",
    "uscc.org_code": "error",
    "tax_id.format": "error",
    "resident_id.invalid": "error / warning (unknown address code)",
    "invoice.code_format": "error / warning (unknown kind digits)",
    "invoice.number_format": "error / warning (unknown 数电 province code, year differs from issue date)",
    "invoice.kind_mismatch": "error",
    "invoice.special_buyer_tax_id": "error",
    "invoice.buyer_is_seller": "error",
    "invoice.tax_rate": "error",
    "amount.upper_unparseable": "error",
    "amount.upper_mismatch": "error",
    "arith.line_amount": "error",
    "arith.line_tax": "error",
    "arith.tax_cumulative": "error / warning (above 1.00, up to the 1.27 limit)",
    "arith.sum_amount": "error",
    "arith.sum_tax": "error",
    "arith.total_with_tax": "error",
    "arith.red_sign": "error",
    "date.future": "error",
    "date.implausible": "error",
    "date.order": "error / warning (loan signed after it starts)",
}

_PARTY_FIELDS: dict[type, tuple[str, ...]] = {
    VatInvoice: ("buyer", "seller"),
    Contract: ("buyer", "seller"),
    LoanContract: ("lender", "borrower"),
    DeliveryNote: ("consignor", "consignee"),
    PaymentReceipt: ("payer", "payee"),
}


def validate_document(doc: ExtractedDocument, *, today: dt.date | None = None) -> list[Finding]:
    """All deterministic findings for one extracted document (``[]`` when it has no data)."""
    if doc.data is None:
        return []
    return validate_data(doc.data, documents=[doc.file], today=today)


def validate_data(data: VatInvoice | Contract | LoanContract | DeliveryNote | PaymentReceipt, *,
                  documents: list[str] | None = None, today: dt.date | None = None) -> list[Finding]:
    """The checks of :func:`validate_document` on a bare document model."""
    today = today or dt.date.today()
    out: list[Finding] = []
    party_findings: dict[str, list[Finding]] = {}
    for role in _PARTY_FIELDS.get(type(data), ()):
        party: Party = getattr(data, role)
        party_findings[role] = tax_id.check(party.tax_id, f"{role}.tax_id", documents=documents)
        out += party_findings[role]
    if isinstance(data, VatInvoice):
        out += invoice_number.check(code=data.code, number=data.number, kind=data.kind,
                                    issue_date=data.issue_date, documents=documents, today=today)
        out += _special_buyer(data, party_findings["buyer"], documents)
        out += _buyer_is_seller(data, documents)
        out += arithmetic.check_invoice(data, documents=documents)
    elif isinstance(data, Contract):
        out += arithmetic.check_contract(data, documents=documents)
    elif isinstance(data, LoanContract):
        out += rmb_upper.check(data.amount_upper, "amount_upper", expected=data.amount, expected_field="amount",
                               label="借款金额", documents=documents)
    elif isinstance(data, PaymentReceipt):
        out += rmb_upper.check(data.amount_upper, "amount_upper", expected=data.amount, expected_field="amount",
                               label="金额", documents=documents)
    out += dates.check_document(data, today=today, documents=documents)
    return out


def _special_buyer(invoice: VatInvoice, buyer_findings: list[Finding], documents: list[str] | None) -> list[Finding]:
    """``invoice.special_buyer_tax_id``: a 专票 whose buyer tax id is present but invalid."""
    if invoice.kind is None or not invoice.kind.is_special or invoice.buyer.tax_id is None:
        return []
    errors = [f for f in buyer_findings if f.severity.rank >= Severity.error.rank]
    if not errors:
        return []
    return [finding("invoice.special_buyer_tax_id", Severity.error,
                    f"{invoice.kind.value}的购买方纳税人识别号「{invoice.buyer.tax_id}」无效，专用发票必须载明有效的购买方税号",
                    "buyer.tax_id", documents, tax_id=invoice.buyer.tax_id, causes=[f.rule_id for f in errors])]


def _norm_name(name: str | None) -> str:
    return "".join(unicodedata.normalize("NFKC", name or "").split())


def _buyer_is_seller(invoice: VatInvoice, documents: list[str] | None) -> list[Finding]:
    """``invoice.buyer_is_seller``: the same tax id or the same name on both sides."""
    buyer, seller = invoice.buyer, invoice.seller
    if buyer.tax_id and seller.tax_id and tax_id.compact(buyer.tax_id) == tax_id.compact(seller.tax_id):
        return [finding("invoice.buyer_is_seller", Severity.error,
                        f"购买方与销售方纳税人识别号相同（{tax_id.compact(buyer.tax_id)}），发票不可能自开自受",
                        ["buyer.tax_id", "seller.tax_id"], documents, tax_id=buyer.tax_id)]
    if _norm_name(buyer.name) and _norm_name(buyer.name) == _norm_name(seller.name):
        return [finding("invoice.buyer_is_seller", Severity.error,
                        f"购买方与销售方名称相同（{buyer.name}），发票不可能自开自受",
                        ["buyer.name", "seller.name"], documents, name=buyer.name)]
    return []
