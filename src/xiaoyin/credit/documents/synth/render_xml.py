"""Render a 数电 invoice as XML in the national schema layout (see the layout contract)."""

from __future__ import annotations

from lxml import etree

from xiaoyin.credit.documents.schemas import InvoiceKind
from xiaoyin.credit.documents.synth.documents import InvoiceDoc, fmt_money


def _sub(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    e = etree.SubElement(parent, tag)
    if text is not None:
        e.text = text
    return e


def render_invoice_xml(doc: InvoiceDoc) -> bytes:
    """The XML file of a 数电 invoice (UTF-8, deterministic)."""
    d = doc.data
    if not doc.kind.is_digital:
        raise ValueError("only 数电 invoices have an XML carrier")
    special = doc.kind is InvoiceKind.digital_special
    root = etree.Element("EInvoice")
    h = _sub(root, "Header")
    _sub(h, "EIid", d.number)
    _sub(h, "EInvoiceTag", "SWEI3200")
    _sub(h, "Version", "0.1")
    gs = _sub(_sub(h, "InherentLabel"), "GeneralOrSpecialVAT")
    _sub(gs, "LabelCode", "01" if special else "02")
    _sub(gs, "LabelName", "增值税专用发票" if special else "普通发票")
    data = _sub(root, "EInvoiceData")
    for tag, p in (("Seller", d.seller), ("Buyer", d.buyer)):
        info = _sub(data, f"{tag}Information")
        _sub(info, f"{tag}IdNum", p.tax_id or "")
        _sub(info, f"{tag}Name", p.name or "")
        _sub(info, f"{tag}Addr", p.address or "")
        _sub(info, f"{tag}TelNum", p.phone or "")
        _sub(info, f"{tag}BankName", p.bank or "")
        _sub(info, f"{tag}BankAccNum", p.account or "")
    basic = _sub(data, "BasicInformation")
    _sub(basic, "TotalAmWithoutTax", fmt_money(d.total_amount))  # type: ignore[arg-type]
    _sub(basic, "TotalTaxAm", fmt_money(d.total_tax))  # type: ignore[arg-type]
    _sub(basic, "TotalTax-includedAmount", fmt_money(d.total_with_tax))  # type: ignore[arg-type]
    _sub(basic, "TotalTax-includedAmountInChinese", d.total_with_tax_upper or "")
    _sub(basic, "Drawer", d.drawer or "")
    _sub(basic, "RequestTime", doc.request_time)
    for li in d.lines:
        it = _sub(data, "IssuItemInformation")
        _sub(it, "ItemName", li.name or "")
        _sub(it, "SpecMod", li.spec or "")
        _sub(it, "MeaUnits", li.unit or "")
        _sub(it, "Quantity", str(li.quantity))
        _sub(it, "UnPrice", str(li.unit_price))
        _sub(it, "Amount", fmt_money(li.amount))  # type: ignore[arg-type]
        _sub(it, "TaxRate", str(li.tax_rate))
        _sub(it, "ComTaxAm", fmt_money(li.tax))  # type: ignore[arg-type]
        _sub(it, "TaxClassificationCode", li.tax_code or "")
    _sub(_sub(data, "AdditionalInformation"), "Remark", d.remarks or "")
    sup = _sub(root, "TaxSupervisionInfo")
    _sub(sup, "InvoiceNumber", d.number)
    _sub(sup, "IssueTime", f"{d.issue_date:%Y-%m-%d}")
    _sub(sup, "TaxBureauCode", doc.bureau_code)
    _sub(sup, "TaxBureauName", doc.bureau_name)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
