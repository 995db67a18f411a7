"""Invoice QR codes: decode with zxing-cpp, parse ``01,<fplx>,<code>,<number>,<amount>,<YYYYMMDD>,<check>,<crc>``."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from PIL import Image

from ..layout.fields import bounded_decimal
from ..schemas import InvoiceKind

FPLX_KIND: dict[str, InvoiceKind] = {
    "01": InvoiceKind.special,
    "04": InvoiceKind.ordinary,
    "10": InvoiceKind.e_ordinary,
    "31": InvoiceKind.digital_special,
    "32": InvoiceKind.digital_ordinary,
    "81": InvoiceKind.digital_special,
    "82": InvoiceKind.digital_ordinary,
}


@dataclass
class InvoiceQR:
    """The fields an invoice QR code carries; ``raw`` is the payload as decoded."""

    raw: str
    fplx: str
    kind: InvoiceKind | None
    code: str | None
    number: str
    amount: Decimal | None
    issue_date: dt.date | None
    check_code: str | None
    crc: str | None


def parse_payload(payload: str) -> InvoiceQR | None:
    """The invoice fields of a QR payload, or None when it is not an invoice payload."""
    parts = [p.strip() for p in payload.strip().split(",")]
    if len(parts) < 6 or parts[0] != "01" or not parts[1].isdigit():
        return None
    number = parts[3]
    if not number.isdigit() or len(number) not in (8, 20):
        return None
    code = parts[2] or None
    if code is not None and (not code.isdigit() or len(code) not in (10, 12)):
        return None
    amount = bounded_decimal(parts[4]) if re.fullmatch(r"-?\d+(?:\.\d+)?", parts[4]) else None
    try:
        d = parts[5]
        issue_date = dt.date(int(d[:4]), int(d[4:6]), int(d[6:8])) if len(d) == 8 and d.isdigit() else None
    except ValueError:
        issue_date = None
    check = parts[6] if len(parts) > 6 and parts[6] else None
    crc = parts[7] if len(parts) > 7 and parts[7] else None
    return InvoiceQR(payload, parts[1], FPLX_KIND.get(parts[1]), code, number, amount, issue_date, check, crc)


def decode_qr(image: Image.Image) -> list[str]:
    """Texts of all QR codes found in ``image``."""
    import zxingcpp

    gray = image.convert("L")
    try:
        found = zxingcpp.read_barcodes(gray, formats=zxingcpp.BarcodeFormat.QRCode)
    except Exception:  # a decoder failure means "no code", never an error
        return []
    return [b.text for b in found if b.text]


def find_invoice_qr(image: Image.Image) -> InvoiceQR | None:
    """The invoice payload of the first invoice QR in ``image``: the top-left quarter is tried first."""
    w, h = image.size
    for region in (image.crop((0, 0, w // 2, h // 2)), image):
        for text in decode_qr(region):
            parsed = parse_payload(text)
            if parsed:
                return parsed
    return None
