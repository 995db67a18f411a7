"""Typed schemas for credit documents, their provenance and the findings raised about them.

One pydantic model per document type. Every extracted value carries a :class:`Provenance`
in :attr:`ExtractedDocument.provenance`, keyed by its dotted field path (``"buyer.tax_id"``,
``"lines.0.amount"``). Amounts are :class:`~decimal.Decimal` (exact; serialised as strings).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field


class Severity(StrEnum):
    """How much a finding matters; ordered info < warning < error < critical."""

    info = "info"
    warning = "warning"
    error = "error"
    critical = "critical"

    @property
    def rank(self) -> int:
        return ["info", "warning", "error", "critical"].index(self.value)


class Finding(BaseModel):
    """One validation result or red flag: never an exception, always an explained record."""

    rule_id: str = Field(description="stable id, e.g. 'uscc.checksum' or 'trade.duplicate_financing'")
    severity: Severity
    message: str = Field(description="explanation in Chinese for the reviewing officer")
    fields: list[str] = Field(default_factory=list, description="field paths the finding rests on")
    documents: list[str] = Field(default_factory=list, description="files (names) the finding rests on")
    details: dict[str, Any] = Field(default_factory=dict)


InputKind = Literal["xml", "text_pdf", "scan_pdf", "image"]
Source = Literal["xml", "qr", "text", "ocr", "llm"]


class Provenance(BaseModel):
    """Where a value came from: carrier, page and the exact text span or OCR box."""

    source: Source
    page: int | None = Field(None, description="1-based page number (None for XML)")
    span: tuple[int, int] | None = Field(None, description="[start, end) character offsets in the page text")
    bbox: tuple[float, float, float, float] | None = Field(
        None, description="x0, y0, x1, y1 of the OCR box / text run, in page pixels (scans) or points (PDF)"
    )
    text: str = Field("", description="the source text the value was read from")


class Party(BaseModel):
    """A company or person on a document (buyer, seller, payer, consignee ...)."""

    name: str | None = None
    tax_id: str | None = Field(None, description="统一社会信用代码 / 纳税人识别号")
    address: str | None = None
    phone: str | None = None
    bank: str | None = Field(None, description="开户行")
    account: str | None = Field(None, description="银行账号")
    legal_rep: str | None = Field(None, description="法定代表人")


class LineItem(BaseModel):
    """A goods/services line of an invoice, contract or delivery note."""

    name: str | None = None
    spec: str | None = Field(None, description="规格型号")
    unit: str | None = None
    quantity: Decimal | None = None
    unit_price: Decimal | None = None
    amount: Decimal | None = Field(None, description="line amount (net of tax on invoices)")
    tax_rate: Decimal | None = Field(None, description="as a fraction: 0.13 for 13%; None for 免税/不征税")
    tax: Decimal | None = None
    tax_code: str | None = Field(None, description="19-digit 商品和服务税收分类编码 (XML only)")


class InvoiceKind(StrEnum):
    """The three invoice kinds the issue names, split by medium where the number format differs."""

    special = "增值税专用发票"
    ordinary = "增值税普通发票"
    e_ordinary = "增值税电子普通发票"
    digital_special = "电子发票（增值税专用发票）"
    digital_ordinary = "电子发票（普通发票）"

    @property
    def is_digital(self) -> bool:
        """数电发票 (20-digit number, no 发票代码)."""
        return self in (InvoiceKind.digital_special, InvoiceKind.digital_ordinary)

    @property
    def is_special(self) -> bool:
        return self in (InvoiceKind.special, InvoiceKind.digital_special)


class InvoiceStatus(StrEnum):
    normal = "normal"
    red = "red"  # 红字 (reversing) invoice
    void = "void"  # 作废


class VatInvoice(BaseModel):
    doc_type: Literal["vat_invoice"] = "vat_invoice"
    kind: InvoiceKind | None = None
    code: str | None = Field(None, description="发票代码: 10 or 12 digits; None on 数电发票")
    number: str | None = Field(None, description="发票号码: 8 digits, or 20 digits on 数电发票")
    issue_date: dt.date | None = None
    check_code: str | None = Field(None, description="校验码 (20 digits, 普票 only)")
    buyer: Party = Field(default_factory=Party)
    seller: Party = Field(default_factory=Party)
    lines: list[LineItem] = Field(default_factory=list)
    total_amount: Decimal | None = Field(None, description="合计金额 (net)")
    total_tax: Decimal | None = Field(None, description="合计税额")
    total_with_tax: Decimal | None = Field(None, description="价税合计（小写）")
    total_with_tax_upper: str | None = Field(None, description="价税合计（大写）as printed")
    remarks: str | None = None
    drawer: str | None = Field(None, description="开票人")
    status: InvoiceStatus = InvoiceStatus.normal
    red_ref: str | None = Field(None, description="for a red invoice: the blue invoice it reverses")


class Contract(BaseModel):
    """购销合同: buyer (甲方/买方/需方) buys goods from seller (乙方/卖方/供方)."""

    doc_type: Literal["contract"] = "contract"
    number: str | None = Field(None, description="合同编号")
    title: str | None = None
    sign_date: dt.date | None = None
    buyer: Party = Field(default_factory=Party)
    seller: Party = Field(default_factory=Party)
    lines: list[LineItem] = Field(default_factory=list)
    total_amount: Decimal | None = Field(None, description="合同总金额 (tax included)")
    total_amount_upper: str | None = Field(None, description="合同总金额（大写）as printed")
    delivery_date: dt.date | None = Field(None, description="交货期限")
    delivery_place: str | None = None
    payment_terms: str | None = None


class LoanContract(BaseModel):
    """借款合同 between the bank (lender) and the borrower."""

    doc_type: Literal["loan_contract"] = "loan_contract"
    number: str | None = None
    sign_date: dt.date | None = None
    lender: Party = Field(default_factory=Party)
    borrower: Party = Field(default_factory=Party)
    amount: Decimal | None = None
    amount_upper: str | None = None
    annual_rate: Decimal | None = Field(None, description="as a fraction: 0.0435 for 4.35%")
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    purpose: str | None = None
    trade_contract_number: str | None = Field(None, description="the trade contract the loan finances")


class DeliveryNote(BaseModel):
    """送货单 (delivery note) or 入库单 (warehouse receipt)."""

    doc_type: Literal["delivery_note"] = "delivery_note"
    kind: Literal["delivery", "warehouse_receipt"] = "delivery"
    number: str | None = None
    date: dt.date | None = None
    consignor: Party = Field(default_factory=Party, description="发货/供货单位")
    consignee: Party = Field(default_factory=Party, description="收货单位")
    contract_number: str | None = None
    lines: list[LineItem] = Field(default_factory=list)
    warehouse: str | None = None


class PaymentReceipt(BaseModel):
    """银行回单 (bank payment receipt)."""

    doc_type: Literal["payment_receipt"] = "payment_receipt"
    serial: str | None = Field(None, description="回单编号 / 流水号")
    date: dt.date | None = None
    payer: Party = Field(default_factory=Party)
    payee: Party = Field(default_factory=Party)
    amount: Decimal | None = None
    amount_upper: str | None = None
    purpose: str | None = Field(None, description="用途 / 附言")


DocType = Literal["vat_invoice", "contract", "loan_contract", "delivery_note", "payment_receipt"]
DocumentData = Annotated[
    VatInvoice | Contract | LoanContract | DeliveryNote | PaymentReceipt, Field(discriminator="doc_type")
]
DOC_MODELS: dict[str, type[BaseModel]] = {
    "vat_invoice": VatInvoice,
    "contract": Contract,
    "loan_contract": LoanContract,
    "delivery_note": DeliveryNote,
    "payment_receipt": PaymentReceipt,
}


class Suggestion(BaseModel):
    """An LLM-proposed value that was NOT accepted (not found in the source or failed a validator)."""

    field: str
    value: Any
    reason: str


class ExtractedDocument(BaseModel):
    """The result of extracting one file: typed data, provenance per field, findings."""

    file: str = Field(description="file name as given")
    sha256: str
    input_kind: InputKind | None = None
    doc_type: DocType | None = None
    pages: int = 0
    data: DocumentData | None = None
    provenance: dict[str, Provenance] = Field(default_factory=dict)
    findings: list[Finding] = Field(default_factory=list)
    suggestions: list[Suggestion] = Field(default_factory=list)
    error: str | None = Field(None, description="why the file could not be read (the batch goes on)")
