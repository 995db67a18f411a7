"""Original files of ingested documents, kept under ``XIAOYIN_HOME/files/<doc id>/`` so a citation can
open its source: the file itself (download) and, for PDFs and images, a page image to show beside the
quoted text. Every read goes through the reader's document permissions."""

from __future__ import annotations

import io
import shutil
from dataclasses import dataclass
from pathlib import Path

from xiaoyin.core.auth.principal import Principal
from xiaoyin.core.db import session_scope
from xiaoyin.core.errors import InvalidInput, NotFound
from xiaoyin.core.settings import get_settings
from xiaoyin.knowledge.service._base import _find_doc, _get_kb

MEDIA_TYPES = {
    "pdf": "application/pdf", "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "md": "text/markdown",
    "txt": "text/plain", "html": "text/html", "htm": "text/html", "csv": "text/csv", "png": "image/png",
    "jpg": "image/jpeg", "jpeg": "image/jpeg", "tif": "image/tiff", "tiff": "image/tiff", "bmp": "image/bmp",
    "webp": "image/webp",
}
IMAGE_FORMATS = {"png", "jpg", "jpeg", "tif", "tiff", "bmp", "webp"}


@dataclass
class OriginalFile:
    path: Path
    filename: str
    media_type: str


def _folder(doc_id: str) -> Path:
    return get_settings().home / "files" / doc_id


def keep_original(doc_id: str, source: Path, name: str) -> None:
    """Copy an ingested file into the store (replacing an earlier version's copy); ``name`` is the
    document's name, whose suffix the copy keeps."""
    fmt = Path(name).suffix.lower().lstrip(".")
    folder = _folder(doc_id)
    tmp = folder.with_name(folder.name + ".new")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    shutil.copyfile(source, tmp / f"original.{fmt or 'bin'}")
    shutil.rmtree(folder, ignore_errors=True)
    tmp.rename(folder)


def drop_original(doc_id: str) -> None:
    shutil.rmtree(_folder(doc_id), ignore_errors=True)


def _stored(doc_id: str) -> Path | None:
    folder = _folder(doc_id)
    files = sorted(folder.glob("original.*")) if folder.is_dir() else []
    return files[0] if files else None


def document_file(kb: str, ref: str, *, principal: Principal | None = None) -> OriginalFile:
    """The original file of a document the reader may see."""
    with session_scope() as s:
        d = _find_doc(s, _get_kb(s, kb).id, ref, principal)
        doc_id, filename = d.id, d.filename
    path = _stored(doc_id)
    if path is None:
        raise NotFound(f"原文件未保存（导入于保存原件之前）/ the original of {filename} was not kept; ingest it again")
    return OriginalFile(path, filename, MEDIA_TYPES.get(path.suffix.lower().lstrip("."), "application/octet-stream"))


def page_image(kb: str, ref: str, page: int, *, principal: Principal | None = None, dpi: int = 110) -> bytes:
    """Page ``page`` (1-based) of a PDF or image document as PNG."""
    original = document_file(kb, ref, principal=principal)
    suffix = original.path.suffix.lower().lstrip(".")
    if page < 1:
        raise InvalidInput("页码从 1 开始 / pages start at 1")
    if suffix in IMAGE_FORMATS:
        if page != 1:
            raise NotFound(f"图片只有一页 / an image has one page, not {page}")
        from PIL import Image

        with Image.open(original.path) as im:
            buf = io.BytesIO()
            im.convert("RGB").save(buf, format="PNG")
            return buf.getvalue()
    if suffix != "pdf":
        raise InvalidInput(f"{original.filename} 没有页面图像 / {suffix} documents have no page images; "
                           "read the cited text instead")
    import pypdfium2 as pdfium

    from xiaoyin.core.concurrency import PDFIUM

    with PDFIUM:
        pdf = pdfium.PdfDocument(str(original.path))
        try:
            if page > len(pdf):
                raise NotFound(f"{original.filename} 共 {len(pdf)} 页 / has {len(pdf)} pages, not {page}")
            image = pdf[page - 1].render(scale=max(0.5, min(dpi, 200)) / 72).to_pil()
        finally:
            pdf.close()
    buf = io.BytesIO()
    image.save(buf, format="PNG", optimize=True)
    return buf.getvalue()
