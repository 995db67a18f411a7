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


class Unauthenticated(XiaoyinError):
    """No valid session or API token came with the request."""

    code = "unauthenticated"
    http_status = 401


class Forbidden(XiaoyinError):
    """The caller is known but may not do this."""

    code = "forbidden"
    http_status = 403


class AccountLocked(XiaoyinError):
    """Too many failed passwords in a row; the account unlocks by itself after a while."""

    code = "account_locked"
    http_status = 423


class TooManyAttempts(XiaoyinError):
    """Login attempts from one client address came faster than allowed."""

    code = "too_many_attempts"
    http_status = 429
