"""Turn uploaded files into :class:`~xiaoyin.knowledge.types.ParsedDocument` blocks.

``parse_file(path)`` detects the format (magic bytes, then suffix) and dispatches to one module per
format: pdf, image (OCR), word (docx), excel (xlsx), delimited (csv), web (html), md, text, audio (ASR).
Bad files raise only :class:`~xiaoyin.core.errors.DocumentError` subclasses.
"""

from .registry import SUPPORTED_SUFFIXES, detect_format, parse_file

__all__ = ["SUPPORTED_SUFFIXES", "detect_format", "parse_file"]
