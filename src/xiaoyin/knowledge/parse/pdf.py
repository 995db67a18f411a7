"""PDF: text layer via pypdfium2; pages without (enough) text are rendered and OCR'd."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from xiaoyin.core.concurrency import PDFIUM
from xiaoyin.core.errors import CorruptFile, EncryptedFile
from xiaoyin.knowledge.types import Block, ParsedDocument

from .common import finish, lines_to_blocks

MIN_TEXT_CHARS = 16  # a page with fewer non-space characters and an image on it gets OCR'd
MAX_RENDER_PX = 5000


def _open(path: Path) -> pdfium.PdfDocument:
    try:
        doc = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as e:
        if e.err_code in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
            raise EncryptedFile(
                f"{path.name}: PDF 有密码保护，请解密后再上传 / password-protected PDF", file=path.name
            ) from e
        raise CorruptFile(f"{path.name}: PDF 文件已损坏 / corrupt PDF ({e})", file=path.name) from e
    if len(doc) == 0:
        doc.close()
        raise CorruptFile(f"{path.name}: PDF 没有任何页面 / PDF has no pages", file=path.name)
    return doc


def _has_image(page: pdfium.PdfPage) -> bool:
    return any(o.type == pdfium_c.FPDF_PAGEOBJ_IMAGE for o in page.get_objects(max_depth=3))


def _render(page: pdfium.PdfPage, dpi: int):
    w, h = page.get_size()
    scale = min(dpi / 72, MAX_RENDER_PX / max(w, h, 1))
    bitmap = page.render(scale=scale, grayscale=True)
    try:  # closed under the caller's PDFium lock, not by a finalizer in another thread
        return bitmap.to_pil().convert("RGB")
    finally:
        bitmap.close()


def parse(
    path: Path, *, ocr_dpi: int = 200, progress: Callable[[int, int], None] | None = None
) -> ParsedDocument:
    """Blocks page by page (1-based ``page``), OCR for scanned or image-only pages."""
    from .image import ocr_blocks

    with PDFIUM:
        doc = _open(path)
    blocks: list[Block] = []
    ocr_pages: list[int] = []
    try:
        with PDFIUM:
            total = len(doc)
            info = doc.get_metadata_dict()
            title = (info.get("Title") or "").strip()
            created = (info.get("CreationDate") or info.get("ModDate") or "").strip()
        if title.lower() in ("", "untitled", path.stem.lower()):
            title = None
        for i in range(total):
            image = None
            with PDFIUM:  # PDFium work only; OCR runs outside the lock
                page = doc[i]
                try:
                    textpage = page.get_textpage()
                    text = textpage.get_text_range()
                    textpage.close()
                    if len(re.sub(r"\s", "", text)) < MIN_TEXT_CHARS and _has_image(page):
                        image = _render(page, ocr_dpi)
                finally:
                    page.close()
            if image is not None:
                blocks.extend(ocr_blocks(image, page=i + 1))
                ocr_pages.append(i + 1)
            else:
                blocks.extend(lines_to_blocks(text.splitlines(), page=i + 1))
            if progress:
                progress(i + 1, total)
    finally:
        with PDFIUM:
            doc.close()
    meta: dict[str, object] = {"ocr_pages": ocr_pages}
    if created:  # PDF date "D:20230315120000+08'00'"
        meta["published"] = created.removeprefix("D:")[:8]
    return ParsedDocument(blocks=finish(blocks), pages=total, title=title, meta=meta)
