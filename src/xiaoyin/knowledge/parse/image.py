"""Images (PNG/JPEG/TIFF, multi-page TIFF = pages) through OCR."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageSequence

from xiaoyin.knowledge.types import Block, ParsedDocument

from .common import finish, lines_to_blocks

MAX_SIDE = 6000  # larger scans are shrunk before OCR (text stays legible, memory stays bounded)


def ocr_blocks(img: Image.Image, page: int) -> list[Block]:
    """Blocks recovered by OCR from one page image, in reading order."""
    from xiaoyin.models.ocr import get_ocr, group_lines, line_text

    if max(img.size) > MAX_SIDE:
        img = img.copy()
        img.thumbnail((MAX_SIDE, MAX_SIDE))
    rows = group_lines(get_ocr().recognize(img))
    if not rows:
        return []
    left = min(r[0].left for r in rows)
    rights = [max(p[0] for ln in r for p in ln.box) for r in rows]
    width = max(rights) - left or 1.0
    # a visual line ending well before the right margin ends its paragraph
    short = [(x - left) < 0.8 * width for x in rights]
    blocks = lines_to_blocks([line_text(r) for r in rows], page=page, short=short)
    for b in blocks:
        b.meta["ocr"] = True
    return blocks


def parse(
    path: Path, *, ocr_dpi: int = 200, progress: Callable[[int, int], None] | None = None
) -> ParsedDocument:
    """OCR every frame of the image; each frame is a page."""
    blocks: list[Block] = []
    with Image.open(path) as im:
        total = getattr(im, "n_frames", 1)
        for i, frame in enumerate(ImageSequence.Iterator(im), start=1):
            blocks.extend(ocr_blocks(frame.convert("RGB"), page=i))
            if progress:
                progress(i, total)
    return ParsedDocument(blocks=finish(blocks), pages=total, meta={"ocr_pages": list(range(1, total + 1))})
