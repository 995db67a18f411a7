"""Extract one credit document (PDF, scan image or 数电 XML) into its typed schema with provenance.

Layers, in order: structured carriers (XML, invoice QR code, PDF text layer), then layout rules over
text runs or OCR boxes, then (optionally) the configured LLM for fields still empty, grounded in the
source text. Never raises for a bad file: the result carries ``error`` and an ``input.<code>`` finding.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any

from PIL import Image

from xiaoyin.core.concurrency import PDFIUM
from xiaoyin.core.errors import DocumentError
from xiaoyin.core.settings import get_settings

from .carriers.errors import (
    EmptyInput,
    InputError,
    InputTooLarge,
    NoTextFound,
    UnknownDocument,
    UnsupportedType,
)
from .carriers.qr import InvoiceQR, find_invoice_qr
from .layout.classify import classify
from .layout.record import Record
from .layout.segments import DocLayout, PageLayout, build_page
from .schemas import (
    ExtractedDocument,
    Finding,
    InvoiceKind,
    InvoiceStatus,
    Provenance,
    Severity,
    VatInvoice,
)

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp"}
QR_DPI = 150

REQUIRED: dict[str, tuple[str, ...]] = {
    "vat_invoice": ("kind", "number", "issue_date", "buyer.name", "seller.name", "seller.tax_id",
                    "total_amount", "total_tax", "total_with_tax", "lines"),
    "contract": ("number", "sign_date", "buyer.name", "seller.name", "total_amount", "lines"),
    "loan_contract": ("number", "lender.name", "borrower.name", "amount", "annual_rate", "start_date", "end_date"),
    "delivery_note": ("number", "date", "consignor.name", "consignee.name", "lines"),
    "payment_receipt": ("serial", "date", "payer.name", "payer.account", "payee.name", "payee.account", "amount"),
}


def extract_file(path: Path, *, use_llm: bool | None = None) -> ExtractedDocument:
    """Extract the document in ``path`` (never raises for an unreadable file)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        doc = ExtractedDocument(file=path.name, sha256=hashlib.sha256(b"").hexdigest())
        _fail(doc, InputError(f"{path.name}: 无法读取文件 / cannot read file ({e.strerror})", file=path.name))
        doc.findings[-1].rule_id = "input.unreadable"
        return doc
    return extract_bytes(data, path.name, use_llm=use_llm)


def extract_bytes(data: bytes, filename: str, *, use_llm: bool | None = None) -> ExtractedDocument:
    """Extract a document given as bytes; ``filename`` names it in findings and picks XML by suffix."""
    doc = ExtractedDocument(file=filename, sha256=hashlib.sha256(data).hexdigest())
    try:
        _extract(doc, data, filename, use_llm)
    except InputError as e:
        _fail(doc, e)
    except DocumentError as e:
        _fail(doc, e)
    except Exception as e:  # last line of defence: one bad file must not stop a batch
        log.exception("extraction failed for %s", filename)
        doc.error = f"{filename}: 抽取失败 / extraction failed ({type(e).__name__}: {e})"
        doc.findings.append(Finding(rule_id="input.extract_failed", severity=Severity.error, message=doc.error,
                                    documents=[filename]))
    return doc


def _fail(doc: ExtractedDocument, e: DocumentError) -> None:
    doc.error = e.message
    doc.findings.append(Finding(rule_id=f"input.{e.code}", severity=Severity.error, message=e.message,
                                documents=[doc.file], details={k: str(v) for k, v in e.details.items()}))


def sniff(data: bytes, filename: str) -> str:
    """'pdf' | 'image' | 'xml' from magic bytes (then the suffix); :class:`UnsupportedType` otherwise."""
    head = data[:16]
    suffix = Path(filename).suffix.lower()
    if head.startswith(b"%PDF") or (b"%PDF" in data[:1024] and suffix == ".pdf"):
        return "pdf"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"BM")) or (
        head[:4] == b"RIFF" and data[8:12] == b"WEBP"
    ):
        return "image"
    stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if suffix == ".xml" or stripped.startswith(b"<?xml") or stripped.startswith(b"<"):
        return "xml"
    if suffix == ".pdf":
        return "pdf"  # a .pdf without a PDF header: pdfium reports it as corrupt
    if suffix in IMAGE_SUFFIXES:
        return "image"
    raise UnsupportedType(f"{filename}: 不支持的文件类型 / unsupported file type ({suffix or 'no suffix'})",
                          file=filename)


def _extract(doc: ExtractedDocument, data: bytes, filename: str, use_llm: bool | None) -> None:
    settings = get_settings().docs
    if not data:
        raise EmptyInput(f"{filename}: 文件为空 / empty file", file=filename)
    if len(data) > settings.max_file_mb * 1024 * 1024:
        raise InputTooLarge(f"{filename}: 文件超过 {settings.max_file_mb:g} MB / file too large", file=filename,
                            size=len(data))
    kind = sniff(data, filename)
    if kind == "xml":
        from .carriers.xml_invoice import extract_invoice_xml

        doc.input_kind = "xml"
        rec = extract_invoice_xml(data, filename)
        doc.pages = 1
        _finish(doc, rec, None)
        return
    images: dict[int, Image.Image] = {}
    layout = _pdf_layout(doc, data, filename, settings.ocr_dpi, images) if kind == "pdf" else _image_layout(
        doc, data, filename, images)
    has_text = any(p.rows for p in layout.pages)
    doc_type = classify(layout) if has_text else None
    if doc_type is None:
        # a photo or scan of just the invoice's QR code still identifies the invoice
        qr = _find_qr(data, kind, images)
        if qr is not None:
            rec = Record(VatInvoice())
            _apply_qr(doc, rec, qr)
            doc.findings.append(Finding(
                rule_id="extract.qr_only", severity=Severity.info, documents=[doc.file],
                message="仅从发票二维码读取了发票要素（类型、代码、号码、日期、金额），其余票面要素需人工补录或上传完整发票。"))
            _finish(doc, rec, None)
            return
        if not has_text:
            raise NoTextFound(f"{filename}: 未识别到任何文字 / no text found (blank page or unreadable scan)",
                              file=filename)
        raise UnknownDocument(f"{filename}: 无法识别单据类型 / unknown document type", file=filename)
    rec = _rules(doc_type, layout)
    if doc_type == "vat_invoice":
        qr = _find_qr(data, kind, images)
        if qr is not None:
            _apply_qr(doc, rec, qr)
        if images and rec.get("status") == InvoiceStatus.normal:
            _void_stamp(rec, images)
    _finish(doc, rec, layout, use_llm)


def _rules(doc_type: str, layout: DocLayout) -> Record:
    from .layout import contract, delivery, invoice, loan_contract, receipt

    fn = {
        "vat_invoice": invoice.extract_invoice,
        "contract": contract.extract_contract,
        "loan_contract": loan_contract.extract_loan_contract,
        "delivery_note": delivery.extract_delivery,
        "payment_receipt": receipt.extract_receipt,
    }[doc_type]
    return fn(layout)


def _pdf_layout(doc: ExtractedDocument, data: bytes, filename: str, dpi: int,
                images: dict[int, Image.Image]) -> DocLayout:
    from .carriers.ocr import get_doc_ocr
    from .carriers.pdf import open_pdf, page_runs, render_page

    pages: list[PageLayout] = []
    ocr_pages = 0
    with open_pdf(data, filename) as pdf:
        with PDFIUM:
            doc.pages = n = len(pdf)
        limit = get_settings().docs.max_pages
        if n > limit:  # refuse before any page is rendered or OCR'd
            raise InputTooLarge(
                f"{filename}: PDF 共 {n} 页，超过上限 {limit} 页，未做识别 / PDF has {n} pages, "
                f"more than the limit of {limit}; nothing was read", file=filename, pages=n, limit=limit)
        for i in range(n):
            img = None
            with PDFIUM:  # PDFium work only; OCR runs outside the lock
                page = pdf[i]
                try:
                    content = page_runs(page, i + 1)
                    if not content.has_text:
                        img = render_page(page, dpi)
                finally:
                    page.close()
            if img is None:
                pages.append(build_page(content.runs, i + 1, content.width, content.height, "text"))
            else:
                images[i + 1] = img
                segs = get_doc_ocr().segments(img, i + 1)
                ocr_pages += 1
                pages.append(build_page(segs, i + 1, img.width, img.height, "ocr"))
    doc.input_kind = "scan_pdf" if ocr_pages else "text_pdf"
    return DocLayout(pages)


def _image_layout(doc: ExtractedDocument, data: bytes, filename: str, images: dict[int, Image.Image]) -> DocLayout:
    from .carriers.image import open_image
    from .carriers.ocr import get_doc_ocr

    img = open_image(data, filename)
    images[1] = img
    doc.input_kind = "image"
    doc.pages = 1
    return DocLayout([build_page(get_doc_ocr().segments(img, 1), 1, img.width, img.height, "ocr")])


def _find_qr(data: bytes, kind: str, images: dict[int, Image.Image]) -> InvoiceQR | None:
    img = images.get(1)
    if img is None and kind == "pdf":
        from .carriers.pdf import open_pdf, render_page

        with open_pdf(data) as pdf, PDFIUM:
            page = pdf[0]
            try:
                img = render_page(page, QR_DPI)
            finally:
                page.close()
    return find_invoice_qr(img) if img is not None else None


def _void_stamp(rec: Record, images: dict[int, Image.Image]) -> None:
    """A large '作废' stamp across a scanned face is missed at full resolution: look again at 1/3 scale."""
    from .carriers.ocr import get_doc_ocr

    img = images.get(1)
    if img is None:
        return
    f = 3
    small = img.resize((max(1, img.width // f), max(1, img.height // f)))
    for seg in get_doc_ocr().segments(small, 1):
        if "作废" in seg.text.replace(" ", ""):
            bbox = tuple(v * f for v in seg.bbox)
            rec.set("status", InvoiceStatus.void, Provenance(source="ocr", page=1, bbox=bbox, text=seg.text),
                    overwrite=True)
            return


QR_FIELDS = ("kind", "code", "number", "issue_date", "check_code", "total_amount")


def _apply_qr(doc: ExtractedDocument, rec: Record, qr: InvoiceQR) -> None:
    """QR values win (source "qr"); a printed value that disagrees is a ``qr.mismatch`` finding."""
    values: dict[str, Any] = {
        "kind": qr.kind, "code": qr.code, "number": qr.number, "issue_date": qr.issue_date,
        "check_code": qr.check_code, "total_amount": qr.amount,
    }
    prov = Provenance(source="qr", page=1, text=qr.raw)
    for f in QR_FIELDS:
        q = values[f]
        printed = rec.get(f)
        if q is None:
            continue
        if printed is not None and printed != q:
            shown_p = printed.value if isinstance(printed, InvoiceKind) else printed
            shown_q = q.value if isinstance(q, InvoiceKind) else q
            doc.findings.append(Finding(
                rule_id="qr.mismatch", severity=Severity.error,
                message=f"二维码与票面不一致：{f} 二维码为 {shown_q}，票面为 {shown_p}",
                fields=[f], documents=[doc.file],
                details={"field": f, "qr": str(shown_q), "printed": str(shown_p),
                         "printed_provenance": rec.provenance[f].model_dump(mode="json") if f in rec.provenance else None},
            ))
        rec.set(f, q, prov, overwrite=True)


def missing_fields(rec: Record, doc_type: str) -> list[str]:
    """Required fields still empty (kind-dependent ones included for invoices)."""
    required = list(REQUIRED[doc_type])
    data = rec.data
    if isinstance(data, VatInvoice) and data.kind is not None:
        if not data.kind.is_digital:
            required.append("code")
        if data.kind in (InvoiceKind.ordinary, InvoiceKind.e_ordinary):
            required.append("check_code")
        if data.kind.is_special:
            required.append("buyer.tax_id")
    return [f for f in required if rec.get(f) in (None, "", [])]


def _finish(doc: ExtractedDocument, rec: Record, layout: DocLayout | None, use_llm: bool | None = None) -> None:
    doc_type = rec.data.doc_type  # type: ignore[attr-defined]
    missing = missing_fields(rec, doc_type)
    if missing and layout is not None:
        settings = get_settings()
        want = settings.docs.llm_fill if use_llm is None else use_llm
        if want:
            from xiaoyin.models.llm import get_llm

            from .llm_fill import fill_missing

            try:
                llm = get_llm()
            except Exception as e:  # a misconfigured LLM must not stop extraction
                llm = None
                log.warning("LLM unavailable for document fill: %s", e)
            if llm is not None:
                doc.suggestions.extend(fill_missing(rec, layout, missing, llm))
                missing = missing_fields(rec, doc_type)
    if missing:
        doc.findings.append(Finding(
            rule_id="extract.missing_field", severity=Severity.warning,
            message=f"未能抽取必填字段：{'、'.join(missing)}", fields=missing, documents=[doc.file],
        ))
    doc.doc_type = doc_type
    doc.data = rec.data  # type: ignore[assignment]
    doc.provenance = rec.provenance
    doc.findings.extend(rec.findings)
