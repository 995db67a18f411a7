"""Chinese/English OCR with rapidocr's bundled PP-OCR models (onnxruntime, CPU, never downloads)."""

from __future__ import annotations

import io
import logging
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from xiaoyin.core.errors import ModelUnavailable

ImageInput = Image.Image | np.ndarray | bytes | Path


@dataclass
class OCRLine:
    """One recognised text box: ``box`` is four [x, y] corners in image pixels."""

    text: str
    score: float
    box: list[list[float]]

    @property
    def top(self) -> float:
        return min(p[1] for p in self.box)

    @property
    def bottom(self) -> float:
        return max(p[1] for p in self.box)

    @property
    def left(self) -> float:
        return min(p[0] for p in self.box)


def bundled_model_params() -> dict[str, Any]:
    """rapidocr parameters pinning the bundled model files so nothing is ever fetched."""
    import importlib.util

    spec = importlib.util.find_spec("rapidocr")
    if spec is None or spec.origin is None:
        raise ModelUnavailable("OCR 组件 rapidocr 未安装 / rapidocr is not installed")
    models = Path(spec.origin).parent / "models"
    files = {
        "Det.model_path": models / "PP-OCRv6_det_small.onnx",
        "Rec.model_path": models / "PP-OCRv6_rec_small.onnx",
        "Cls.model_path": models / "ch_ppocr_mobile_v2.0_cls_mobile.onnx",
    }
    missing = [str(p) for p in files.values() if not p.is_file()]
    if missing:
        raise ModelUnavailable(f"OCR 模型文件缺失 / OCR model files missing: {', '.join(missing)}")
    return {
        **{k: str(v) for k, v in files.items()},
        "Global.model_root_dir": str(models),
        "Global.log_level": "error",
    }


#: Printed forms (invoices, contracts, receipts): pages are upright, so no angle classifier; detection
#: runs on a page downscaled to a 1280 px long side while recognition uses the full-resolution crops.
FORM_PROFILE: dict[str, Any] = {
    "Global.use_cls": False,
    "Global.max_side_len": 2000,
    "Global.text_score": 0.4,
    "Det.limit_type": "max",
    "Det.limit_side_len": 1280,
}


class OCREngine:
    """Thread-safe wrapper around one ``rapidocr.RapidOCR`` instance (bundled models, optional overrides)."""

    def __init__(self, overrides: dict[str, Any] | None = None) -> None:
        params = {**bundled_model_params(), **(overrides or {})}
        self._call_kwargs = {"use_cls": False} if params.get("Global.use_cls") is False else {}
        logging.getLogger("RapidOCR").setLevel(logging.ERROR)
        try:
            from rapidocr import RapidOCR

            self._engine = RapidOCR(params=params)
        except Exception as e:  # any load failure means the model is unusable
            raise ModelUnavailable(f"OCR 模型加载失败 / cannot load OCR models: {e}") from e
        logging.getLogger("RapidOCR").setLevel(logging.ERROR)
        self._lock = threading.Lock()

    def recognize(self, image: ImageInput) -> list[OCRLine]:
        """Text boxes found in ``image`` (PIL image, RGB/BGR array, encoded bytes or a file path)."""
        arr = _to_array(image)
        with self._lock:
            res = self._engine(arr, **self._call_kwargs)
        if res is None or getattr(res, "txts", None) is None or res.boxes is None:
            return []
        out = []
        for box, txt, score in zip(res.boxes, res.txts, res.scores, strict=False):
            if txt and txt.strip():
                out.append(OCRLine(text=txt.strip(), score=float(score), box=np.asarray(box).tolist()))
        return out


def _to_array(image: ImageInput) -> np.ndarray:
    """An RGB uint8 array (rapidocr's loader treats arrays as already decoded)."""
    if isinstance(image, Path | str):
        image = Image.open(image)
    elif isinstance(image, bytes | bytearray):
        image = Image.open(io.BytesIO(image))
    if isinstance(image, Image.Image):
        if image.mode != "RGB":
            image = image.convert("RGB")
        # rapidocr expects OpenCV's BGR order for arrays
        return np.ascontiguousarray(np.asarray(image)[:, :, ::-1])
    arr = np.asarray(image)
    if arr.ndim == 2:
        arr = np.stack([arr] * 3, axis=-1)
    return arr.astype(np.uint8, copy=False)


@lru_cache(maxsize=1)
def get_ocr() -> OCREngine:
    """The process-wide OCR engine (models load once, ~0.5 s)."""
    return OCREngine()


@lru_cache(maxsize=1)
def get_form_ocr() -> OCREngine:
    """The process-wide OCR engine tuned for printed forms (:data:`FORM_PROFILE`)."""
    return OCREngine(FORM_PROFILE)


def group_lines(lines: list[OCRLine]) -> list[list[OCRLine]]:
    """Boxes grouped into visual lines (top-to-bottom), each sorted left-to-right."""
    rows: list[list[OCRLine]] = []
    for ln in sorted(lines, key=lambda x: (x.top + x.bottom) / 2):
        if rows:
            last = rows[-1]
            top = min(x.top for x in last)
            bottom = max(x.bottom for x in last)
            overlap = min(bottom, ln.bottom) - max(top, ln.top)
            height = min(bottom - top, ln.bottom - ln.top) or 1.0
            if overlap / height > 0.5:
                last.append(ln)
                continue
        rows.append([ln])
    return [sorted(r, key=lambda x: x.left) for r in rows]


def line_text(row: list[OCRLine]) -> str:
    """The text of one visual line: its boxes in reading order, a space where boxes were apart."""
    return " ".join(ln.text for ln in row)


def lines_to_text(lines: list[OCRLine]) -> str:
    """All boxes as plain text: one output line per visual line, in reading order."""
    return "\n".join(line_text(r) for r in group_lines(lines))
