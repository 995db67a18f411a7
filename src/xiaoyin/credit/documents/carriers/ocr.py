"""OCR of document page images into :class:`Segment` boxes.

Uses the form-tuned rapidocr engine of :mod:`xiaoyin.models.ocr` (no angle classifier, detection on a
downscaled page, bundled models) and straightens the boxes of a slightly rotated scan.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from PIL import Image

from ..layout.segments import Segment


class DocOCR:
    """Document OCR over the form-tuned engine of :mod:`xiaoyin.models.ocr`."""

    def __init__(self) -> None:
        from xiaoyin.models.ocr import get_form_ocr

        self._engine = get_form_ocr()

    def segments(self, image: Image.Image, page: int) -> list[Segment]:
        """Text boxes of ``image`` as segments (bbox in image pixels, top-left origin)."""
        rgb = image.convert("RGB")
        items = [(np.asarray(line.box, dtype=float), line.text) for line in self._engine.recognize(rgb)]
        angle = skew_angle([b for b, _ in items])
        if abs(angle) > 0.002:  # rotate box corners back so rows of a skewed scan are horizontal again
            cx, cy = rgb.width / 2, rgb.height / 2
            c, s_ = np.cos(-angle), np.sin(-angle)
            rot = np.array([[c, -s_], [s_, c]])
            items = [(((b - (cx, cy)) @ rot.T) + (cx, cy), t) for b, t in items]
        out = []
        for pts, text in items:
            bbox = (float(pts[:, 0].min()), float(pts[:, 1].min()), float(pts[:, 0].max()), float(pts[:, 1].max()))
            out.append(Segment(text, bbox, page, "ocr"))
        return out


def skew_angle(boxes: list[np.ndarray]) -> float:
    """The page's skew in radians: the median slope of the top edges of wide text boxes."""
    angles = []
    for b in boxes:
        dx, dy = b[1][0] - b[0][0], b[1][1] - b[0][1]
        if dx > 60 and dx > 3 * abs(b[3][1] - b[0][1]):
            angles.append(np.arctan2(dy, dx))
    return float(np.median(angles)) if len(angles) >= 3 else 0.0


@lru_cache(maxsize=1)
def get_doc_ocr() -> DocOCR:
    """The process-wide document OCR engine."""
    return DocOCR()
