"""Audio (WAV/MP3) through ASR: one transcript block per recognised segment."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from xiaoyin.knowledge.types import Block, ParsedDocument


def parse(
    path: Path, *, ocr_dpi: int = 200, progress: Callable[[int, int], None] | None = None
) -> ParsedDocument:
    from xiaoyin.models.asr import transcribe

    segments = transcribe(path, progress=progress)
    blocks = [
        Block(s.text, kind="transcript", meta={"start": round(s.start, 2), "end": round(s.end, 2)})
        for s in segments
        if s.text.strip()
    ]
    duration = max((s.end for s in segments), default=0.0)
    return ParsedDocument(blocks=blocks, meta={"duration_s": round(duration, 2), "asr": "whisper-base"})
