"""PDF pages through pypdfium2: positioned text runs when a page has a text layer, else a rendering.

Coordinates of text runs are PDF points with the origin moved to the top-left corner (y grows
downwards), the same orientation as OCR boxes in page pixels.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image

from ..layout.segments import Segment
from .errors import PdfCorrupt, PdfEncrypted

MIN_TEXT_CHARS = 16  # fewer non-space characters than this: the page is treated as a scan
MAX_RENDER_PX = 5000


@dataclass
class PdfPageContent:
    """One page: its size in points, its text runs (empty for a scanned page)."""

    number: int
    width: float
    height: float
    runs: list[Segment]

    @property
    def has_text(self) -> bool:
        return sum(len(re.sub(r"\s", "", r.text)) for r in self.runs) >= MIN_TEXT_CHARS


@contextmanager
def open_pdf(data: bytes, name: str = "document.pdf") -> Iterator[pdfium.PdfDocument]:
    """An open document; :class:`PdfEncrypted` / :class:`PdfCorrupt` when it cannot be opened."""
    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        if getattr(e, "err_code", None) in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
            raise PdfEncrypted(f"{name}: PDF 有密码保护，无法读取 / password-protected PDF", file=name) from e
        raise PdfCorrupt(f"{name}: PDF 文件已损坏，无法打开 / corrupt PDF ({e})", file=name) from e
    try:
        if len(doc) == 0:
            raise PdfCorrupt(f"{name}: PDF 没有任何页面 / PDF has no pages", file=name)
        yield doc
    finally:
        doc.close()


def page_runs(page: pdfium.PdfPage, number: int) -> PdfPageContent:
    """The page's text runs (one per pdfium text rectangle), top-left origin."""
    width, height = page.get_size()
    runs: list[Segment] = []
    try:
        tp = page.get_textpage()
    except pdfium.PdfiumError:
        return PdfPageContent(number, width, height, runs)
    try:
        if tp.count_chars() > 0:
            for i in range(tp.count_rects()):
                left, bottom, right, top = tp.get_rect(i)
                text = tp.get_text_bounded(left, bottom, right, top).replace("\r", " ").replace("\n", " ").strip()
                text = text.replace("\ufffe", "").replace("\x02", "")
                if text:
                    runs.append(Segment(text, (left, height - top, right, height - bottom), number, "text"))
    finally:
        tp.close()
    return PdfPageContent(number, width, height, runs)


def render_page(page: pdfium.PdfPage, dpi: int, *, grayscale: bool = True) -> Image.Image:
    """The page rendered at ``dpi`` (capped at MAX_RENDER_PX on the long side) as an RGB image."""
    w, h = page.get_size()
    scale = min(dpi / 72, MAX_RENDER_PX / max(w, h, 1))
    return page.render(scale=scale, grayscale=grayscale).to_pil().convert("RGB")
