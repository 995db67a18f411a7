"""Format detection (magic bytes first, then suffix) and dispatch to the format parsers."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

from xiaoyin.core.errors import (
    CorruptFile,
    EmptyDocument,
    EncryptedFile,
    FileTooLarge,
    UnsupportedFormat,
    XiaoyinError,
)
from xiaoyin.knowledge.types import ParsedDocument

from .common import looks_binary

Progress = Callable[[int, int], None]

SUFFIX_FORMAT: dict[str, str] = {
    ".pdf": "pdf",
    ".png": "image",
    ".jpg": "image",
    ".jpeg": "image",
    ".tif": "image",
    ".tiff": "image",
    ".docx": "docx",
    ".xlsx": "xlsx",
    ".csv": "csv",
    ".html": "html",
    ".htm": "html",
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".wav": "audio",
    ".mp3": "audio",
}
SUPPORTED_SUFFIXES: frozenset[str] = frozenset(SUFFIX_FORMAT)
BINARY_FORMATS = {"pdf", "image", "docx", "xlsx", "audio"}
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _magic(head: bytes, path: Path) -> str | None:
    """The format the first bytes prove, or None; raises for containers we recognise but refuse."""
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")):
        return "image"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio"
    if head.startswith(b"ID3"):
        return "audio"
    mp3_sync = len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0
    if mp3_sync and path.suffix.lower() == ".mp3":
        return "audio"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as z:
                names = set(z.namelist())
        except (zipfile.BadZipFile, OSError) as e:
            raise CorruptFile(
                _msg(path, "压缩包已损坏", f"broken ZIP container ({e})"), file=path.name
            ) from e
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        raise UnsupportedFormat(
            _msg(path, "不支持的 ZIP/Office 格式", "unsupported ZIP/Office format"), file=path.name
        )
    if head.startswith(_OLE):
        data = path.read_bytes()
        if "EncryptionInfo".encode("utf-16-le") in data or "EncryptedPackage".encode("utf-16-le") in data:
            raise EncryptedFile(
                _msg(path, "文件有密码保护", "password-protected Office file"), file=path.name
            )
        raise UnsupportedFormat(
            _msg(path, "旧版 Office 格式，请另存为 .docx/.xlsx", "legacy .doc/.xls: save as .docx/.xlsx"),
            file=path.name,
        )
    if head.startswith((b"MZ", b"\x7fELF")):
        raise UnsupportedFormat(
            _msg(path, "可执行文件不是文档", "executable, not a document"), file=path.name
        )
    return None


def _msg(path: Path, zh: str, en: str) -> str:
    return f"{path.name}: {zh} / {en}"


def detect_format(path: Path) -> str:
    """One of pdf, image, docx, xlsx, csv, html, markdown, text, audio; raises UnsupportedFormat."""
    path = Path(path)
    with open(path, "rb") as f:
        head = f.read(4096)
    fmt = _magic(head, path)
    by_suffix = SUFFIX_FORMAT.get(path.suffix.lower())
    if fmt:
        return fmt
    if by_suffix in BINARY_FORMATS:
        if not head:
            return by_suffix  # an empty file: reported as EmptyDocument by parse_file
        raise CorruptFile(
            _msg(path, f"内容不是有效的 {by_suffix.upper()} 文件", f"not a valid {by_suffix} file"),
            file=path.name,
        )
    if looks_binary(head):
        raise UnsupportedFormat(
            _msg(path, "无法识别的二进制文件", "unrecognised binary file"), file=path.name
        )
    if by_suffix:
        return by_suffix
    low = head[:1024].lower().lstrip()
    if low.startswith((b"<!doctype html", b"<html")):
        return "html"
    raise UnsupportedFormat(
        _msg(path, f"不支持的文件类型 {path.suffix or '(无扩展名)'}", f"unsupported file type {path.suffix}"),
        file=path.name,
    )


def _parser(fmt: str) -> Callable[..., ParsedDocument]:
    from . import audio, delimited, excel, image, md, pdf, text, web, word

    return {
        "pdf": pdf.parse,
        "image": image.parse,
        "docx": word.parse,
        "xlsx": excel.parse,
        "csv": delimited.parse,
        "html": web.parse,
        "markdown": md.parse,
        "text": text.parse,
        "audio": audio.parse,
    }[fmt]


def parse_file(
    path: Path,
    *,
    max_bytes: int | None = None,
    ocr_dpi: int = 200,
    progress: Progress | None = None,
) -> ParsedDocument:
    """Parse one file into blocks; raises only DocumentError subclasses for bad files
    (and ModelUnavailable when OCR/ASR models cannot load)."""
    path = Path(path)
    try:
        if not path.is_file():
            raise FileNotFoundError(f"not a file: {path}")
        size = path.stat().st_size
    except OSError as e:
        raise CorruptFile(_msg(path, "无法读取文件", f"cannot read file ({e})"), file=path.name) from e
    if max_bytes is not None and size > max_bytes:
        raise FileTooLarge(
            _msg(
                path,
                f"文件过大（{size} 字节，上限 {max_bytes}）",
                f"file too large ({size} > {max_bytes} bytes)",
            ),
            file=path.name,
            size=size,
            max_bytes=max_bytes,
        )
    fmt = detect_format(path)
    if size == 0:
        raise EmptyDocument(_msg(path, "文件为空", "empty file"), file=path.name)
    try:
        doc = _parser(fmt)(path, ocr_dpi=ocr_dpi, progress=progress)
    except XiaoyinError:
        raise
    except (MemoryError, KeyboardInterrupt):
        raise
    except Exception as e:  # library errors on bad input become CorruptFile
        raise CorruptFile(
            _msg(path, "文件已损坏或无法解析", f"corrupt or unreadable {fmt} file ({type(e).__name__}: {e})"),
            file=path.name,
        ) from e
    doc.blocks = [b for b in doc.blocks if b.text.strip()]
    if not any(b.kind != "heading" for b in doc.blocks):
        raise EmptyDocument(_msg(path, "未找到任何文字", "no text found"), file=path.name)
    doc.meta["format"] = fmt
    doc.meta.setdefault("file", path.name)
    return doc


__all__ = ["SUPPORTED_SUFFIXES", "detect_format", "parse_file"]
