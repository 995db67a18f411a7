"""Machine-readable carriers of credit documents: 数电 XML, invoice QR codes and PDF pages."""

from .errors import (
    EmptyInput,
    InputError,
    InputTooLarge,
    NoTextFound,
    PdfCorrupt,
    PdfEncrypted,
    UnknownDocument,
    UnsupportedType,
    XmlMalformed,
    XmlNotInvoice,
)

__all__ = [
    "EmptyInput",
    "InputError",
    "InputTooLarge",
    "NoTextFound",
    "PdfCorrupt",
    "PdfEncrypted",
    "UnknownDocument",
    "UnsupportedType",
    "XmlMalformed",
    "XmlNotInvoice",
]
