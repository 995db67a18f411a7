"""The OCR and ASR adapters on real bundled models."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from xiaoyin.core.errors import ModelUnavailable
from xiaoyin.models import asr
from xiaoyin.models.ocr import OCRLine, get_ocr, lines_to_text

FIX = Path(__file__).parent / "fixtures" / "parse"


def box(x, y, w=100, h=30):
    return [[x, y], [x + w, y], [x + w, y + h], [x, y + h]]


def test_lines_to_text_reading_order():
    lines = [
        OCRLine("右", 0.9, box(300, 102)),
        OCRLine("第二行", 0.9, box(10, 200)),
        OCRLine("左", 0.9, box(10, 100)),
        OCRLine("标题", 0.9, box(10, 10)),
    ]
    assert lines_to_text(lines) == "标题\n左 右\n第二行"
    assert lines_to_text([]) == ""


@pytest.mark.parametrize("kind", ["path", "pil", "bytes", "array"])
def test_recognize_inputs(kind):
    p = FIX / "contract.png"
    img = {
        "path": p,
        "pil": Image.open(p),
        "bytes": p.read_bytes(),
        "array": np.asarray(Image.open(p).convert("RGB")),
    }[kind]
    lines = get_ocr().recognize(img)
    text = lines_to_text(lines)
    assert "个人贷款合同" in text and "张三" in text
    assert all(0 < ln.score <= 1 and len(ln.box) == 4 for ln in lines)


def test_blank_image_has_no_lines():
    assert get_ocr().recognize(FIX / "blank.png") == []
    assert get_ocr() is get_ocr()


def test_transcribe_wav(home):
    segs = asr.transcribe(FIX / "speech_zh.wav")
    assert segs and all(s.end > s.start >= 0 for s in segs)
    text = "".join(s.text for s in segs)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text)
    assert asr.to_simplified("請問") == "请问" or not asr.has_converter()


def test_model_dir_redone_when_half_written(home):
    d = asr.model_dir()
    full = (d / "model.bin").stat().st_size
    with open(d / "model.bin", "r+b") as f:
        f.truncate(1000)
    assert asr.model_dir() == d and (d / "model.bin").stat().st_size == full
    assert (d / "model.bin.stamp.json").exists()
    assert d == home / "models" / "whisper-base-ct2"


def test_missing_faster_whisper_is_model_unavailable(monkeypatch):
    asr.get_whisper.cache_clear()
    monkeypatch.setitem(sys.modules, "faster_whisper", None)
    try:
        with pytest.raises(ModelUnavailable, match=r"xiaoyin\[asr\]"):
            asr.get_whisper()
    finally:
        asr.get_whisper.cache_clear()
