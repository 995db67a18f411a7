"""Plausible dates: document dates not in the future, nothing before 2000 (数电 invoices: 2021),
nothing absurdly far ahead, and the order of related dates (loan start < end, signing before delivery).

Rule ids: ``date.future`` (error), ``date.implausible`` (error), ``date.order`` (error; warning for a loan
signed after it starts).
"""

from __future__ import annotations

import datetime as dt

from xiaoyin.credit.documents.schemas import (
    Contract,
    DeliveryNote,
    Finding,
    LoanContract,
    PaymentReceipt,
    Severity,
    VatInvoice,
)
from xiaoyin.credit.documents.validators.base import finding

EARLIEST = dt.date(2000, 1, 1)
EARLIEST_DIGITAL = dt.date(2021, 1, 1)
MAX_YEARS_AHEAD = 50  # deadlines / loan end dates


def check_date(value: dt.date | None, field_path: str, label: str, *, today: dt.date,
               documents: list[str] | None = None, may_be_future: bool = False,
               earliest: dt.date = EARLIEST) -> list[Finding]:
    """``date.future`` when a document date lies after ``today``; ``date.implausible`` when out of range."""
    if value is None:
        return []
    if value < earliest:
        return [finding("date.implausible", Severity.error,
                        f"{label} {value.isoformat()} 早于 {earliest.isoformat()}，不合理", field_path, documents,
                        date=value.isoformat(), earliest=earliest.isoformat())]
    if not may_be_future and value > today:
        return [finding("date.future", Severity.error,
                        f"{label} {value.isoformat()} 晚于今天 {today.isoformat()}", field_path, documents,
                        date=value.isoformat(), today=today.isoformat())]
    if value.year > today.year + MAX_YEARS_AHEAD:
        return [finding("date.implausible", Severity.error,
                        f"{label} {value.isoformat()} 超过今天 {MAX_YEARS_AHEAD} 年以上，不合理", field_path, documents,
                        date=value.isoformat())]
    return []


def check_order(earlier: dt.date | None, later: dt.date | None, fields: tuple[str, str], message: str, *,
                strict: bool = False, severity: Severity = Severity.error,
                documents: list[str] | None = None) -> list[Finding]:
    """``date.order`` when ``earlier`` is after ``later`` (or equal to it when ``strict``)."""
    if earlier is None or later is None:
        return []
    if earlier < later or (earlier == later and not strict):
        return []
    return [finding("date.order", severity, message.format(a=earlier.isoformat(), b=later.isoformat()),
                    list(fields), documents, earlier=earlier.isoformat(), later=later.isoformat())]


def check_document(data: VatInvoice | Contract | LoanContract | DeliveryNote | PaymentReceipt, *,
                   today: dt.date | None = None, documents: list[str] | None = None) -> list[Finding]:
    """All date checks for one document."""
    today = today or dt.date.today()
    kw = {"today": today, "documents": documents}
    if isinstance(data, VatInvoice):
        digital = data.kind is not None and data.kind.is_digital
        return check_date(data.issue_date, "issue_date", "开票日期",
                          earliest=EARLIEST_DIGITAL if digital else EARLIEST, **kw)
    if isinstance(data, Contract):
        return (check_date(data.sign_date, "sign_date", "合同签订日期", **kw)
                + check_date(data.delivery_date, "delivery_date", "交货期限", may_be_future=True, **kw)
                + check_order(data.sign_date, data.delivery_date, ("sign_date", "delivery_date"),
                              "交货期限 {b} 早于合同签订日期 {a}", documents=documents))
    if isinstance(data, LoanContract):
        return (check_date(data.sign_date, "sign_date", "借款合同签订日期", **kw)
                + check_date(data.start_date, "start_date", "借款起始日", may_be_future=True, **kw)
                + check_date(data.end_date, "end_date", "借款到期日", may_be_future=True, **kw)
                + check_order(data.start_date, data.end_date, ("start_date", "end_date"),
                              "借款起始日 {a} 不早于到期日 {b}", strict=True, documents=documents)
                + check_order(data.sign_date, data.start_date, ("sign_date", "start_date"),
                              "借款合同签订日期 {a} 晚于借款起始日 {b}", severity=Severity.warning,
                              documents=documents))
    if isinstance(data, DeliveryNote):
        label = "入库日期" if data.kind == "warehouse_receipt" else "送货日期"
        return check_date(data.date, "date", label, **kw)
    if isinstance(data, PaymentReceipt):
        return check_date(data.date, "date", "交易日期", **kw)
    return []
