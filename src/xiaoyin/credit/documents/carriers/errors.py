"""Typed errors for unreadable inputs; ``code`` becomes the finding id ``input.<code>``."""

from __future__ import annotations

from xiaoyin.core.errors import (
    CorruptFile,
    DocumentError,
    EmptyDocument,
    EncryptedFile,
    FileTooLarge,
    UnsupportedFormat,
)


class InputError(DocumentError):
    """A credit document that cannot be read; the batch goes on without it."""

    code = "input_error"


class PdfEncrypted(EncryptedFile, InputError):
    code = "pdf_encrypted"


class PdfCorrupt(CorruptFile, InputError):
    code = "pdf_corrupt"


class XmlMalformed(CorruptFile, InputError):
    code = "xml_malformed"


class XmlNotInvoice(InputError):
    code = "xml_not_invoice"


class NoTextFound(EmptyDocument, InputError):
    code = "no_text"


class EmptyInput(EmptyDocument, InputError):
    code = "empty_file"


class UnsupportedType(UnsupportedFormat, InputError):
    code = "unsupported_type"


class InputTooLarge(FileTooLarge, InputError):
    code = "too_large"


class UnknownDocument(InputError):
    code = "unknown_document"


class ImageCorrupt(CorruptFile, InputError):
    code = "image_corrupt"
