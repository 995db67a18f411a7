"""The project's exception types; each carries a message an operator or bank staff can act on."""

from __future__ import annotations


class XiaoyinError(Exception):
    """Base class; ``code`` is stable for API clients, ``message`` is for people."""

    code = "error"
    http_status = 400

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def to_dict(self) -> dict[str, object]:
        return {"code": self.code, "message": self.message, **({"details": self.details} if self.details else {})}


class NotFound(XiaoyinError):
    code = "not_found"
    http_status = 404


class AlreadyExists(XiaoyinError):
    code = "already_exists"
    http_status = 409


class InvalidInput(XiaoyinError):
    code = "invalid_input"
    http_status = 422


class DocumentError(XiaoyinError):
    """A file that cannot be ingested; the batch goes on without it."""

    code = "document_error"
    http_status = 422


class UnsupportedFormat(DocumentError):
    code = "unsupported_format"


class CorruptFile(DocumentError):
    code = "corrupt_file"


class EncryptedFile(DocumentError):
    code = "encrypted_file"


class EmptyDocument(DocumentError):
    code = "empty_document"


class FileTooLarge(DocumentError):
    code = "file_too_large"


class ModelUnavailable(XiaoyinError):
    """A configured model (LLM, reranker, ASR) cannot be loaded or reached."""

    code = "model_unavailable"
    http_status = 503
