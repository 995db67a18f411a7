"""数电 (fully digitalised) invoice XML -> :class:`VatInvoice`, parsed with defusedxml (no DTD,
no entities, no network). Provenance text is the element path each value was read from."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import defusedxml.ElementTree as DET
from defusedxml import DefusedXmlException

from ..layout.fields import parse_amount, parse_code, parse_date, parse_decimal, parse_percent, parse_text
from ..layout.record import Record
from ..schemas import InvoiceKind, InvoiceStatus, LineItem, Provenance, VatInvoice
from .errors import XmlMalformed, XmlNotInvoice

_PARTY = {
    "name": "Name",
    "tax_id": "IdNum",
    "address": "Addr",
    "phone": "TelNum",
    "bank": "BankName",
    "account": "BankAccNum",
}
_LINE = {
    "name": ("ItemName", parse_text),
    "spec": ("SpecMod", parse_text),
    "unit": ("MeaUnits", parse_text),
    "quantity": ("Quantity", parse_decimal),
    "unit_price": ("UnPrice", parse_decimal),
    "amount": ("Amount", parse_amount),
    "tax_rate": ("TaxRate", parse_percent),
    "tax": ("ComTaxAm", parse_amount),
    "tax_code": ("TaxClassificationCode", parse_code),
}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _find(el: ET.Element, *names: str) -> ET.Element | None:
    """The first descendant reached by the local-name path ``names``."""
    cur: ET.Element | None = el
    for name in names:
        if cur is None:
            return None
        cur = next((c for c in cur if _local(c.tag) == name), None)
    return cur


def _text(el: ET.Element | None) -> str | None:
    return el.text.strip() if el is not None and el.text and el.text.strip() else None


def parse_xml(data: bytes, name: str = "invoice.xml") -> ET.Element:
    """The root element; :class:`XmlMalformed` for broken or unsafe XML (DTD/entities are refused)."""
    try:
        return DET.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as e:
        raise XmlMalformed(f"{name}: XML 含有不允许的 DTD/实体声明 / unsafe XML ({type(e).__name__})", file=name) from e
    except ET.ParseError as e:
        raise XmlMalformed(f"{name}: XML 格式错误 / malformed XML ({e})", file=name) from e


def extract_invoice_xml(data: bytes, name: str = "invoice.xml") -> Record:
    """A filled :class:`VatInvoice` record from 数电 XML; :class:`XmlNotInvoice` for other XML."""
    root = parse_xml(data, name)
    if _local(root.tag) != "EInvoice" or _find(root, "EInvoiceData") is None:
        raise XmlNotInvoice(
            f"{name}: 不是数电发票 XML（根元素 <{_local(root.tag)}>）/ XML is not an e-invoice", file=name
        )
    rec = Record(VatInvoice())
    root_name = _local(root.tag)

    def put(path: str, value: object, *elems: str) -> None:
        rec.set(path, value, Provenance(source="xml", text="/".join((root_name, *elems))), overwrite=path == "status")

    def val(*elems: str) -> str | None:
        return _text(_find(root, *elems))

    label_code = val("Header", "InherentLabel", "GeneralOrSpecialVAT", "LabelCode")
    label_name = val("Header", "InherentLabel", "GeneralOrSpecialVAT", "LabelName") or ""
    kind = None
    if label_code == "01" or "专用" in label_name:
        kind = InvoiceKind.digital_special
    elif label_code == "02" or "普通" in label_name:
        kind = InvoiceKind.digital_ordinary
    put("kind", kind, "Header", "InherentLabel", "GeneralOrSpecialVAT", "LabelCode")
    number_path = ("TaxSupervisionInfo", "InvoiceNumber")
    number = parse_code(val(*number_path))
    if not number:
        number_path = ("Header", "EIid")
        number = parse_code(val(*number_path))
    put("number", number, *number_path)
    date_path = ("TaxSupervisionInfo", "IssueTime")
    issue = parse_date(val(*date_path))
    if issue is None:
        date_path = ("EInvoiceData", "BasicInformation", "RequestTime")
        issue = parse_date(val(*date_path))
    put("issue_date", issue, *date_path)

    for party, prefix in (("seller", "Seller"), ("buyer", "Buyer")):
        block = f"{prefix}Information"
        for fld, suffix in _PARTY.items():
            elems = ("EInvoiceData", block, prefix + suffix)
            raw = val(*elems)
            value = parse_code(raw) if fld in ("tax_id", "account") else parse_text(raw)
            put(f"{party}.{fld}", value, *elems)

    basic = ("EInvoiceData", "BasicInformation")
    put("total_amount", parse_amount(val(*basic, "TotalAmWithoutTax")), *basic, "TotalAmWithoutTax")
    put("total_tax", parse_amount(val(*basic, "TotalTaxAm")), *basic, "TotalTaxAm")
    put("total_with_tax", parse_amount(val(*basic, "TotalTax-includedAmount")), *basic, "TotalTax-includedAmount")
    put(
        "total_with_tax_upper",
        parse_text(val(*basic, "TotalTax-includedAmountInChinese")),
        *basic,
        "TotalTax-includedAmountInChinese",
    )
    put("drawer", parse_text(val(*basic, "Drawer")), *basic, "Drawer")

    data_el = _find(root, "EInvoiceData")
    items = [c for c in data_el if _local(c.tag) == "IssuItemInformation"] if data_el is not None else []
    for i, item in enumerate(items):
        line = LineItem()
        rec.data.lines.append(line)  # type: ignore[attr-defined]
        for fld, (tag, parser) in _LINE.items():
            el = next((c for c in item if _local(c.tag) == tag), None)
            put(f"lines.{i}.{fld}", parser(_text(el)), "EInvoiceData", f"IssuItemInformation[{i + 1}]", tag)

    remark_path = ("EInvoiceData", "AdditionalInformation", "Remark")
    remark = parse_text(val(*remark_path))
    put("remarks", remark, *remark_path)
    inv: VatInvoice = rec.data  # type: ignore[assignment]
    red_ref = re.search(r"被红冲蓝字数电发票号码[：:]\s*(\d{20})", remark or "")
    if red_ref or (inv.total_amount is not None and inv.total_amount < Decimal(0)):
        put("status", InvoiceStatus.red, *(remark_path if red_ref else (*basic, "TotalAmWithoutTax")))
        if red_ref:
            put("red_ref", red_ref.group(1), *remark_path)
    return rec
