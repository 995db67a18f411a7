"""Scanned page images, opened defensively: only the accepted formats, and a pixel limit checked from
the header before any pixel is decoded (a tiny file may claim a gigapixel canvas)."""

from __future__ import annotations

import io
import re

from PIL import Image, UnidentifiedImageError

from .errors import ImageCorrupt, InputTooLarge

FORMATS = ("PNG", "JPEG", "TIFF", "BMP", "WEBP")
MAX_IMAGE_PIXELS = 60_000_000  # an A4 page at 600 dpi is ~35 million pixels


def open_image(data: bytes, name: str = "image", *, max_pixels: int | None = None) -> Image.Image:
    """The first frame of ``data`` as an RGB image.

    :class:`InputTooLarge` when it has more than ``max_pixels`` (default MAX_IMAGE_PIXELS) pixels,
    :class:`ImageCorrupt` when it is not a readable PNG/JPEG/TIFF/BMP/WEBP image.
    """
    limit = MAX_IMAGE_PIXELS if max_pixels is None else max_pixels
    try:
        img = Image.open(io.BytesIO(data), formats=list(FORMATS))
    except Image.DecompressionBombError as e:  # PIL's own hard limit, hit while reading the header
        m = re.search(r"\((\d+) pixels\)", str(e))
        raise _too_large(name, int(m.group(1)) if m else None, limit) from e
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as e:
        raise ImageCorrupt(f"{name}: 图片无法读取 / unreadable image ({e})", file=name) from e
    w, h = img.size
    if w * h > limit:
        img.close()
        raise _too_large(name, w * h, limit, (w, h))
    try:
        img.load()
        return img.convert("RGB")
    except Image.DecompressionBombError as e:
        raise _too_large(name, w * h, limit, (w, h)) from e
    except (OSError, ValueError, SyntaxError, EOFError) as e:
        raise ImageCorrupt(f"{name}: 图片无法读取 / unreadable image ({e})", file=name) from e


def _too_large(name: str, pixels: int | None, limit: int, size: tuple[int, int] | None = None) -> InputTooLarge:
    shown = f"{size[0]}×{size[1]} 像素" if size else f"{pixels:,} 像素" if pixels else "像素过多"
    return InputTooLarge(
        f"{name}: 图片尺寸过大（{shown}，上限 {limit:,} 像素），未做识别 / image too large "
        f"({pixels or 'too many'} pixels, limit {limit:,}); nothing was read",
        file=name, pixels=pixels if pixels is not None else "unknown", limit=limit,
    )
