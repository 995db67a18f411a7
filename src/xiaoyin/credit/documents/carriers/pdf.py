"""PDF pages through pypdfium2: positioned text runs when a page has a text layer, else a rendering.

Coordinates of text runs are PDF points with the origin moved to the top-left corner (y grows
downwards), the same orientation as OCR boxes in page pixels.
"""

from __future__ import annotations

import ctypes
import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image

from xiaoyin.core.concurrency import PDFIUM

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
    """An open document; :class:`PdfEncrypted` / :class:`PdfCorrupt` when it cannot be opened.

    Opening and closing hold :data:`~xiaoyin.core.concurrency.PDFIUM`; callers hold it around their own
    page work (PDFium is not thread-safe) and release it for OCR.
    """
    try:
        with PDFIUM:
            doc = pdfium.PdfDocument(data)
            pages = len(doc)
    except pdfium.PdfiumError as e:
        if getattr(e, "err_code", None) in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
            raise PdfEncrypted(f"{name}: PDF 有密码保护，无法读取 / password-protected PDF", file=name) from e
        raise PdfCorrupt(f"{name}: PDF 文件已损坏，无法打开 / corrupt PDF ({e})", file=name) from e
    try:
        if pages == 0:
            raise PdfCorrupt(f"{name}: PDF 没有任何页面 / PDF has no pages", file=name)
        yield doc
    finally:
        with PDFIUM:
            doc.close()


def _glyph_size(tp: pdfium.PdfTextPage, index: int) -> float:
    """The glyph's effective font size in points: the loose box height, which includes the text matrix
    (``FPDFText_GetFontSize`` does not: writers that scale a size-1 font by the matrix report 1)."""
    rect = pdfium_c.FS_RECTF()
    if pdfium_c.FPDFText_GetLooseCharBox(tp.raw, index, rect):
        return max(rect.top - rect.bottom, 0.0)
    return float(pdfium_c.FPDFText_GetFontSize(tp.raw, index))


def _is_stamp(tp: pdfium.PdfTextPage, index: int) -> bool:
    """A glyph of a stamp (seal) drawn over the text: red and either semi-transparent or set at an angle
    that is not a multiple of 90° (arc text around a round seal). Such glyphs are not the document's
    text; kept, they land between a label and its value (``法定代表人 | 周阳秀 | 厦``)."""
    r, g, b, a = (ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint())
    if not pdfium_c.FPDFText_GetFillColor(tp.raw, index, r, g, b, a):
        return False
    red = r.value >= 140 and r.value > 1.6 * max(g.value, b.value, 1)
    if not red:
        return False
    angle = float(pdfium_c.FPDFText_GetCharAngle(tp.raw, index))
    quarter = math.pi / 2
    off_axis = angle >= 0 and min(angle % quarter, quarter - angle % quarter) > 0.05
    return a.value < 250 or off_axis


def page_runs(page: pdfium.PdfPage, number: int) -> PdfPageContent:
    """See :func:`_page_runs`; holds the PDFium lock."""
    with PDFIUM:
        return _page_runs(page, number)


def _page_runs(page: pdfium.PdfPage, number: int) -> PdfPageContent:
    """The page's text runs, top-left origin: consecutive characters on one line with no wide gap.

    Built from the characters themselves (box and font size), so an oversized stamp or watermark
    (a large 作废 across the face) becomes runs of its own instead of leaking into table cells.
    """
    width, height = page.get_size()
    runs: list[Segment] = []
    try:
        tp = page.get_textpage()
    except pdfium.PdfiumError:
        return PdfPageContent(number, width, height, runs)
    try:
        chars = []
        for i in range(tp.count_chars()):
            ch = tp.get_text_range(i, 1)
            if ch.strip() and _is_stamp(tp, i):
                continue
            left, bottom, right, top = tp.get_charbox(i)
            chars.append((ch, (left, height - top, right, height - bottom), _glyph_size(tp, i)))
    finally:
        tp.close()
    sizes = sorted(size for ch, _, size in chars if ch.strip())
    stamp_size = 3 * sizes[len(sizes) // 2] if sizes else float("inf")
    current: list[tuple[str, tuple[float, float, float, float], float]] = []

    def flush() -> None:
        text = "".join(c for c, _, _ in current).replace("\ufffe", "").replace("\x02", "").strip()
        boxes = [b for c, b, _ in current if c.strip()]
        if text and boxes:
            bbox = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
                    max(b[3] for b in boxes))
            runs.append(Segment(re.sub(r"\s+", " ", text), bbox, number, "text"))
        current.clear()

    last: tuple[tuple[float, float, float, float], float] | None = None  # box and size of the last glyph
    for ch, box, size in chars:
        if ch in "\r\n":
            flush()
            last = None
            continue
        if not ch.strip():
            if current:
                current.append((" ", box, size))
            continue
        if last is not None:
            (l0, t0, r0, b0), s0 = last
            same_kind = (s0 > stamp_size) == (size > stamp_size)
            line_h = max(b0 - t0, box[3] - box[1], 0.7 * max(s0, size), 1.0)  # punctuation boxes are small
            same_line = abs((t0 + b0) / 2 - (box[1] + box[3]) / 2) < 0.6 * line_h
            near = -0.5 * line_h < box[0] - r0 < 0.9 * max(s0, size, 1.0)
            if not (same_kind and same_line and near):
                flush()
        current.append((ch, box, size))
        last = (box, size)
    flush()
    return PdfPageContent(number, width, height, runs)


def render_page(page: pdfium.PdfPage, dpi: int, *, grayscale: bool = True) -> Image.Image:
    """The page rendered at ``dpi`` (capped at MAX_RENDER_PX on the long side) as an RGB image."""
    with PDFIUM:
        w, h = page.get_size()
        scale = min(dpi / 72, MAX_RENDER_PX / max(w, h, 1))
        bitmap = page.render(scale=scale, grayscale=grayscale)
        try:  # closed here, under the lock, rather than by a finalizer in whatever thread collects it
            return bitmap.to_pil().convert("RGB")
        finally:
            bitmap.close()
